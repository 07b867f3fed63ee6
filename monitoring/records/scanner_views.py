"""Site settings for administrators: the scanners of their sites and their LSC values."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.models import User
from bonehealth.accounts.selectors import sites_for_user
from bonehealth.audit.forms import save_or_none
from bonehealth.audit.services import audit_list_record
from monitoring.models import Scanner
from monitoring.records import scanners, selectors
from monitoring.records.forms.scanners import ScannerForm
from monitoring.records.scanner_lsc import LSC_PERMISSION

GET_POST = require_http_methods(["GET", "POST"])


def _may_edit_scanners(user: User) -> None:
    """Administrators edit scanners; physicians the LSC values of those with scans."""
    if not (user.has_perm("monitoring.change_scanner") or user.has_perm(LSC_PERMISSION)):
        raise PermissionDenied


# The settings page is for administrators, and for physicians (the LSC of a scanner with scans);
# nurses see scanner names on the DEXA form only.
def scanner_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _may_edit_scanners(request.user)
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


@GET_POST
def scanner_update(request: AuthenticatedHttpRequest, scanner_pk: int) -> HttpResponse:
    _may_edit_scanners(request.user)
    scanner = get_object_or_404(selectors.scanners_for_user(user=request.user), pk=scanner_pk)
    form = ScannerForm(
        request.POST or None,
        instance=scanner,
        sites=sites_for_user(user=request.user),
        may_change_details=request.user.has_perm("monitoring.change_scanner"),
        may_change_lsc=request.user.has_perm(LSC_PERMISSION),
        scanned_patients=len(selectors.patients_scanned_on(scanner=scanner)),
    )

    def save() -> Scanner:
        try:
            return scanners.scanner_update(
                actor=request.user,
                scanner=scanner,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
                confirmed=form.confirmed(),
                request=request,
            )
        except scanners.LscChangeUnconfirmedError as unconfirmed:
            form.show_preview(unconfirmed.preview)
            raise

    done = save_or_none(
        request,
        form,
        save,
        success="Scanner saved; assessments of patients scanned on it are updated.",
        to=reverse("monitoring:scanner_list"),
    )
    if done:
        return done
    if form.preview is not None:
        # The preview names patients (their MRNs and alerts): audited as a list of them.
        audit_list_record(
            actor=request.user,
            shown="scanner LSC change preview",
            patient_ids=[a.patient_id for a in (*form.preview.closing, *form.preview.opening)],
            details={"scanner": scanner.pk},
            request=request,
        )
    return render(request, "monitoring/scanner_form.html", {"form": form, "scanner": scanner})
