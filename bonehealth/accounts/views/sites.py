"""Site settings for administrators: the units each of their sites reads lab results in."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bonehealth.accounts.forms import SiteLabUnitsForm
from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.selectors import sites_administered_by
from bonehealth.accounts.site_settings import site_lab_units_set

SET_LAB_UNITS = "accounts.set_lab_units"


@permission_required(SET_LAB_UNITS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def site_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The sites the user administers, each with its lab units; a POST changes one site's."""
    sites = sites_administered_by(user=request.user).order_by("name")
    failed: tuple[int, SiteLabUnitsForm] | None = None
    if request.method == "POST":
        form = SiteLabUnitsForm(request.POST, sites=sites)
        if "site" in form.errors:  # missing, not a number, or not a site the user administers
            raise Http404("No such site among the sites you administer.")
        site = form.cleaned_data["site"]
        if form.is_valid():
            changed = site_lab_units_set(
                actor=request.user,
                site=site,
                lab_units=form.cleaned_data["lab_units"],
                request=request,
            )
            if changed:
                messages.success(request, f"{site.name} now shows lab results in the units chosen.")
            return redirect("accounts:site_list")
        failed = (site.pk, form)
    rows = [
        (
            site,
            failed[1]
            if failed and failed[0] == site.pk
            else SiteLabUnitsForm(initial={"site": site, "lab_units": site.lab_units}, sites=sites),
        )
        for site in sites
    ]
    return render(request, "accounts/site_list.html", {"rows": rows})
