"""Site settings: scanners and the least significant change of their precision studies."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction
from bonehealth.audit.records import created_values, versioned_update
from bonehealth.audit.services import audit_record
from monitoring.assessment.reassessment import reassess_patients
from monitoring.assessment.versions import patient_records_changed
from monitoring.models import Scanner
from monitoring.models.scans import LSC_FIELD_BY_SITE
from monitoring.models.scans import SCANNER_FIELDS as SCANNER_MODEL_FIELDS
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


@transaction.atomic
def scanner_update(
    *,
    actor: User,
    scanner: Scanner,
    values: dict[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> Scanner:
    """Change a scanner; a new LSC reassesses every patient scanned on it, in this transaction.

    Any change makes the cached patient-page fragments of those patients out of date.
    """
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
        ids = patients_scanned_on(scanner=updated)
        patient_records_changed(ids)
        if LSC_FIELDS & changes.keys():
            reassess_patients(ids)
    return updated
