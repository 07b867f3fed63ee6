"""Site settings for administrators: the scanners of their sites and their LSC values."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.selectors import sites_for_user
from bonehealth.audit.forms import save_or_none
from monitoring.records import scanners, selectors
from monitoring.records.forms.scanners import ScannerForm

GET_POST = require_http_methods(["GET", "POST"])


# The settings page is for administrators; clinicians see scanner names on the DEXA form only.
@permission_required("monitoring.change_scanner", raise_exception=True)
def scanner_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "monitoring/scanner_list.html",
        {"scanners": selectors.scanners_for_user(user=request.user)},
    )


@permission_required("monitoring.add_scanner", raise_exception=True)
@GET_POST
def scanner_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ScannerForm(request.POST or None, sites=sites_for_user(user=request.user))
    done = save_or_none(
        request,
        form,
        lambda: scanners.scanner_create(actor=request.user, values=form.values(), request=request),
        success="Scanner added.",
        to=reverse("monitoring:scanner_list"),
    )
    return done or render(request, "monitoring/scanner_form.html", {"form": form, "scanner": None})


@permission_required("monitoring.change_scanner", raise_exception=True)
@GET_POST
def scanner_update(request: AuthenticatedHttpRequest, scanner_pk: int) -> HttpResponse:
    scanner = get_object_or_404(selectors.scanners_for_user(user=request.user), pk=scanner_pk)
    form = ScannerForm(
        request.POST or None, instance=scanner, sites=sites_for_user(user=request.user)
    )
    done = save_or_none(
        request,
        form,
        lambda: scanners.scanner_update(
            actor=request.user,
            scanner=scanner,
            values=form.values(),
            expected_version=form.cleaned_data["version"],
            request=request,
        ),
        success="Scanner saved; assessments of patients scanned on it are updated.",
        to=reverse("monitoring:scanner_list"),
    )
    return done or render(
        request, "monitoring/scanner_form.html", {"form": form, "scanner": scanner}
    )
