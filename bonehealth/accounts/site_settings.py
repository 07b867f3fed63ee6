"""Site settings an administrator chooses for their own sites (audited writes)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import LabUnits, Site, User
from bonehealth.accounts.selectors import sites_administered_by
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record


@transaction.atomic
def site_lab_units_set(
    *, actor: User, site: Site, lab_units: str, request: HttpRequest | None = None
) -> bool:
    """Show the site's lab results in `lab_units` (SI or conventional); return whether it changed.

    Only a site the actor administers. The patient page shows the change at once: the site's
    choice is part of the key of its cached fragments (monitoring.overview.patient.fragment_key).
    """
    if not actor.has_perm("accounts.set_lab_units"):
        raise PermissionDenied("You may not change a site's lab units.")
    if not sites_administered_by(user=actor).filter(pk=site.pk).exists():
        raise PermissionDenied("You do not administer this site.")
    chosen = LabUnits(lab_units)
    site = Site.objects.select_for_update().get(pk=site.pk)
    if site.lab_units == chosen:
        return False
    audit_record(
        action=AuditAction.CHANGE,
        actor=actor,
        request=request,
        obj=site,
        changes={"lab_units": [site.lab_units, chosen.value]},
    )
    site.lab_units = chosen
    site.save(update_fields=["lab_units"])
    return True
