"""What a change of a scanner's LSC values would do to its patients, computed without writing.

An LSC decides whether a change in BMD between two scans is significant (CHG-LSC), so a new value
opens or closes SIGNIFICANT_BMD_LOSS and RAPID_BMD_LOSS alerts, some of which indicate therapy.
Once a scanner has scans its LSC is a clinical setting: changing it needs the
`monitoring.change_scanner_lsc` permission (physicians) and a confirmation of this preview.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from monitoring.assessment.refresh import assess_patients, open_alerts_by_key
from monitoring.models import Scanner
from monitoring.models.choices import SEVERITY_RANK, Severity
from monitoring.models.scans import LSC_FIELD_BY_SITE
from patients.models import Patient

LSC_PERMISSION = "monitoring.change_scanner_lsc"
LSC_COLUMNS = tuple(LSC_FIELD_BY_SITE.values())


@dataclass(frozen=True)
class AlertShift:
    """One alert the change would close or open, of the patient with id `patient_id`, MRN
    `patient`."""

    patient_id: int
    patient: str
    code: str
    site: str
    severity: str


@dataclass(frozen=True)
class LscChangePreview:
    """`patients`: with a valid scan on the scanner; `assessments_changed`: of them, whose
    assessment the new values change; the open alerts they would close and the alerts they would
    open (or raise in severity). `token` stands for all of it: a confirmation names it."""

    patients: int
    assessments_changed: int
    closing: tuple[AlertShift, ...]
    opening: tuple[AlertShift, ...]
    token: str


def lsc_changes(scanner: Scanner, values: Mapping[str, Any]) -> dict[str, Decimal | None]:
    """The LSC columns `values` changes: {column: new value}."""
    return {
        column: values[column]
        for column in LSC_COLUMNS
        if column in values and values[column] != getattr(scanner, column)
    }


def lsc_change_preview(
    *,
    scanner: Scanner,
    new_lsc: Mapping[str, Decimal | None],
    patient_ids: list[int],
    as_of: date | None = None,
) -> LscChangePreview:
    """Assess `patient_ids` (those scanned on `scanner`) with its stored LSC values and with
    `new_lsc`, in memory, and compare their open alerts with what the new values raise."""
    as_of = as_of or timezone.localdate()
    before = assess_patients(patient_ids, as_of=as_of)
    after = assess_patients(patient_ids, as_of=as_of, lsc_overrides={scanner.pk: new_lsc})
    open_now = open_alerts_by_key(list(after))
    raised = {
        (pk, alert.code.value, alert.site.value if alert.site else ""): alert.severity.value
        for pk, assessment in after.items()
        for alert in assessment.alerts
    }
    names = dict(Patient.objects.filter(pk__in=patient_ids).values_list("pk", "mrn"))

    def shift(key: tuple[int, str, str], severity: str) -> AlertShift:
        return AlertShift(
            patient_id=key[0], patient=names[key[0]], code=key[1], site=key[2], severity=severity
        )

    closing = sorted(
        (shift(key, alert.severity) for key, alert in open_now.items() if key not in raised),
        key=lambda s: (s.patient, s.code, s.site),
    )
    opening = sorted(
        (
            shift(key, severity)
            for key, severity in raised.items()
            if key not in open_now
            or SEVERITY_RANK[Severity(severity)] > open_now[key].severity_rank
        ),
        key=lambda s: (s.patient, s.code, s.site),
    )
    changed = sum(before[pk] != after[pk] for pk in after)
    digest = hashlib.sha256(
        repr(
            (
                scanner.pk,
                sorted((column, str(value)) for column, value in new_lsc.items()),
                closing,
                opening,
            )
        ).encode()
    ).hexdigest()[:16]
    return LscChangePreview(
        patients=len(after),
        assessments_changed=changed,
        closing=tuple(closing),
        opening=tuple(opening),
        token=digest,
    )
