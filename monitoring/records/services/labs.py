"""Lab results: several analytes of one sample recorded together, and one result corrected."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import lock_valid
from bonehealth.audit.models import AuditAction
from bonehealth.audit.records import created_values, versioned_update
from bonehealth.audit.services import audit_record
from monitoring import domain
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import LabResult
from monitoring.models.choices import Analyte
from monitoring.models.labs import canonical_value
from monitoring.records.services.guards import (
    EntryConflictError,
    entered_by_line,
    patient_lock,
    saved_once,
)
from patients.models import Patient
from patients.wording import in_sentence, with_article


@dataclass(frozen=True)
class TotalCalcium:
    """What a calcium was worked out from: the total calcium (in the entry's unit) and the albumin
    of its sample (`domain.calcium_adjustment`)."""

    total: Decimal
    albumin: Decimal
    albumin_unit: str


@dataclass(frozen=True)
class LabEntry:
    analyte: str
    value: Decimal
    unit: str
    # A calcium adjusted by the app: `value` is the adjusted calcium worked out from this.
    adjusted_from: TotalCalcium | None = None


LAB_FIELDS = [
    "sample_date",
    "analyte",
    "value",
    "entered_value",
    "entered_unit",
    "total_calcium",
    "albumin",
    "albumin_unit",
    "fasting",
]


def _check_lab_free(
    *, patient: Patient, sample_date: date, analyte: str, exclude: int | None = None
) -> None:
    taken = LabResult.objects.filter(
        patient=patient, sample_date=sample_date, analyte=analyte, entered_in_error=False
    ).select_related("entered_by")
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    result = taken.first()
    if result is not None:
        raise EntryConflictError(
            analyte,
            f"{_a_result_of(analyte)} from {sample_date:%Y-%m-%d} is already recorded "
            f"for this patient ({result.entered_value.normalize():f} {result.entered_unit}, "
            f"{entered_by_line(result)}); correct that one instead.",
            existing=result,
        )


def _a_result_of(analyte: str) -> str:
    """ "A calcium (albumin-adjusted) result", "An eGFR result", to open a sentence."""
    words = with_article(in_sentence(str(Analyte(analyte).label)))
    return f"{words[:1].upper()}{words[1:]} result"


def _lab_values(entry: LabEntry) -> dict[str, Any]:
    unit = domain.normalize_unit(entry.unit)
    source = entry.adjusted_from
    return {
        "analyte": entry.analyte,
        "value": canonical_value(entry.analyte, entry.value, unit),
        "entered_value": entry.value,
        "entered_unit": unit,
        # Emptied when a correction enters the adjusted value itself.
        "total_calcium": source.total if source else None,
        "albumin": source.albumin if source else None,
        "albumin_unit": source.albumin_unit if source else "",
    }


def _lab_result_create(
    *, actor: User, patient: Patient, sample_date: date, fasting: bool, entry: LabEntry
) -> LabResult:
    def check() -> None:
        _check_lab_free(patient=patient, sample_date=sample_date, analyte=entry.analyte)

    check()
    return saved_once(
        lambda: LabResult.objects.create(
            patient=patient,
            sample_date=sample_date,
            # Fasting matters only for CTX (BTM-RESPONSE eligibility).
            fasting=fasting and entry.analyte == domain.Analyte.CTX,
            entered_by=actor,
            **_lab_values(entry),
        ),
        check=check,
    )


@transaction.atomic
def lab_results_record(
    *,
    actor: User,
    patient: Patient,
    sample_date: date,
    fasting: bool,
    entries: Sequence[LabEntry],
    request: HttpRequest | None = None,
) -> list[LabResult]:
    """Record several analytes of one sample (all or none); refused if one is recorded already."""
    patient_lock(patient.pk)
    results = []
    for entry in entries:
        result = _lab_result_create(
            actor=actor, patient=patient, sample_date=sample_date, fasting=fasting, entry=entry
        )
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=result,
            patient=patient,
            changes=created_values(result, LAB_FIELDS),
        )
        results.append(result)
    patient_assessment_refresh(patient=patient)
    return results


@transaction.atomic
def lab_result_update(
    *,
    actor: User,
    result: LabResult,
    sample_date: date,
    fasting: bool,
    entry: LabEntry,
    expected_version: int,
    request: HttpRequest | None = None,
) -> LabResult:
    """Correct one lab result; refused (RecordInErrorError) if it was marked entered in error."""
    patient_lock(result.patient_id)
    # Before the duplicate check: a result marked in error since the form opened is refused as such.
    lock_valid(result)

    def check() -> None:
        _check_lab_free(
            patient=result.patient,
            sample_date=sample_date,
            analyte=entry.analyte,
            exclude=result.pk,
        )

    check()
    updated, changes = saved_once(
        lambda: versioned_update(
            actor=actor,
            instance=result,
            values={
                "sample_date": sample_date,
                "fasting": fasting and entry.analyte == domain.Analyte.CTX,
                **_lab_values(entry),
            },
            fields=LAB_FIELDS,
            expected_version=expected_version,
            patient=result.patient,
            request=request,
        ),
        check=check,
    )
    if changes:
        patient_assessment_refresh(patient=result.patient)
    return updated
