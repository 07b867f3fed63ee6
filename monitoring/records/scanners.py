"""Site settings: scanners and the least significant change of their precision studies."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import RecordConflictError, lock_for_update
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.records import created_values, versioned_update
from bonehealth.audit.services import audit_record
from monitoring.assessment.causes import ReassessmentCause
from monitoring.assessment.reassessment import reassess_patients
from monitoring.assessment.refresh import assessments_lock
from monitoring.assessment.versions import patient_records_changed
from monitoring.models import Scanner
from monitoring.models.scans import LSC_FIELD_BY_SITE
from monitoring.models.scans import SCANNER_FIELDS as SCANNER_MODEL_FIELDS
from monitoring.records.scanner_lsc import (
    LSC_PERMISSION,
    LscChangePreview,
    lsc_change_preview,
    lsc_changes,
)
from monitoring.records.selectors import patients_scanned_on

SCANNER_FIELDS = list(SCANNER_MODEL_FIELDS)
LSC_FIELDS = set(LSC_FIELD_BY_SITE.values())


@transaction.atomic
def scanner_create(
    *, actor: User, values: dict[str, Any], request: HttpRequest | None = None
) -> Scanner:
    """Add a scanner to a site."""
    scanner = Scanner.objects.create(**values)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=scanner,
        changes=created_values(scanner, SCANNER_FIELDS),
    )
    return scanner


class LscChangeUnconfirmedError(RecordConflictError):
    """A new LSC of a scanner with scans whose effect (`preview`) was not confirmed as it is now;
    nothing was saved."""

    def __init__(self, preview: LscChangePreview) -> None:
        self.preview = preview
        super().__init__(
            None,
            "Changing an LSC reassesses the patients scanned on this scanner. Check what it "
            "changes below, then tick the box to confirm.",
        )


@transaction.atomic
def scanner_update(
    *,
    actor: User,
    scanner: Scanner,
    values: dict[str, Any],
    expected_version: int,
    confirmed: str = "",
    request: HttpRequest | None = None,
) -> Scanner:
    """Change a scanner; a new LSC reassesses every patient scanned on it, in this transaction.

    The LSC of a scanner with valid scans is a clinical setting: changing it needs
    `monitoring.change_scanner_lsc` (PermissionDenied otherwise) and `confirmed`, the token of
    the preview of its effect as it is now, under the patients' locks (LscChangeUnconfirmedError
    with the preview otherwise). The reassessment writes on each patient's trail the alerts it
    closed or raised and why. Any change makes the cached patient-page fragments of the
    scanner's patients out of date.
    """
    # Judged on the row as it is now (a ConcurrentEditError if it changed since the form opened).
    scanner = lock_for_update(scanner, expected_version=expected_version)
    ids = patients_scanned_on(scanner=scanner)
    new_lsc = lsc_changes(scanner, values)
    if _details_changed(scanner, values) and not actor.has_perm("monitoring.change_scanner"):
        raise PermissionDenied("Only an administrator changes a scanner's details.")
    if new_lsc and ids:
        if not actor.has_perm(LSC_PERMISSION):
            raise PermissionDenied("Only a physician changes the LSC of a scanner that has scans.")
        # Every writer of these patients' alerts takes their locks first: the preview stands.
        assessments_lock(ids)
        preview = lsc_change_preview(scanner=scanner, new_lsc=new_lsc, patient_ids=ids)
        if confirmed != preview.token:
            raise LscChangeUnconfirmedError(preview)
    updated, changes = versioned_update(
        actor=actor,
        instance=scanner,
        values=values,
        fields=SCANNER_FIELDS,
        expected_version=expected_version,
        patient=None,
        request=request,
    )
    if changes:
        # Scans show their scanner's name and LSC: its patients' cached fragments are stale.
        patient_records_changed(ids)
        if LSC_FIELDS & changes.keys():
            reassess_patients(ids, cause=_lsc_cause(actor, updated, changes, request))
    return updated


def _details_changed(scanner: Scanner, values: dict[str, Any]) -> bool:
    """Whether `values` changes anything of the scanner but its LSC values."""
    for name in SCANNER_FIELDS:
        if name in LSC_FIELDS or name not in values:
            continue
        new, old = values[name], getattr(scanner, name)
        if name == "site":
            new, old = getattr(new, "pk", new), scanner.site_id
        if new != old:
            return True
    return False


def _lsc_cause(
    actor: User, scanner: Scanner, changes: dict[str, Any], request: HttpRequest | None
) -> ReassessmentCause:
    """The LSC change, named on the trail of each patient whose alerts it moves: the scanner,
    its new version and the audit row of the change (written just before, under its lock)."""
    event = (
        AuditEvent.objects.filter(
            action=AuditAction.CHANGE,
            object_type=scanner._meta.label_lower,
            object_id=str(scanner.pk),
        )
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    return ReassessmentCause(
        actor=actor,
        obj=scanner,
        reason=f"LSC of scanner {scanner.name} ({scanner.site}) changed",
        changes={
            "scanner": scanner.pk,
            "scanner_change_event": event,
            "scanner_version": changes["version"],
            **{name: change for name, change in changes.items() if name in LSC_FIELDS},
        },
        request=request,
    )
