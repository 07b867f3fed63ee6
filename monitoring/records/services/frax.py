"""FRAX results as the official calculator gave them: one per patient, day and kind (with or
without BMD). The calculator is often run without BMD before the DEXA report and again with the
femoral-neck BMD the same day; both are real results, and the rules let the one with BMD decide
(TX-FRAX, `domain.rules.therapy.latest_frax`). A second result of the same kind on a day is a
double submit or a correction that belongs in the first."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import User
from monitoring.models import FraxResult
from monitoring.records.services.guards import EntryConflictError, entered_by_line
from monitoring.records.services.single_row import (
    single_row_entry_create,
    single_row_entry_update,
)
from patients.models import Patient

FRAX_FIELDS = ["assessed_on", "major_osteoporotic_pct", "hip_pct", "with_bmd"]


def frax_kind(with_bmd: bool) -> str:
    """The kind of a FRAX result, as a refusal names it."""
    return "with BMD" if with_bmd else "without BMD"


def _same_kind(
    *, patient_id: int, assessed_on: date, with_bmd: bool, exclude: int | None = None
) -> FraxResult | None:
    """The valid FRAX result of that day and kind, if any (`exclude`: the one being corrected)."""
    same = FraxResult.objects.filter(
        patient_id=patient_id, assessed_on=assessed_on, with_bmd=with_bmd, entered_in_error=False
    ).select_related("entered_by")
    if exclude is not None:
        same = same.exclude(pk=exclude)
    return same.first()


def _already_recorded(frax: FraxResult) -> str:
    return (
        f"A FRAX result {frax_kind(frax.with_bmd)} from {frax.assessed_on:%Y-%m-%d} is already "
        f"recorded ({frax.major_osteoporotic_pct} % / {frax.hip_pct} %); correct that one instead"
    )


@transaction.atomic
def frax_record(
    *, actor: User, patient: Patient, values: Mapping[str, Any], request: HttpRequest | None = None
) -> FraxResult:
    """Record a FRAX result from the official calculator (one per patient, day and kind)."""
    return single_row_entry_create(
        model=FraxResult,
        actor=actor,
        patient=patient,
        values=values,
        fields=FRAX_FIELDS,
        request=request,
        duplicate=lambda: _same_kind(
            patient_id=patient.pk,
            assessed_on=values["assessed_on"],
            with_bmd=values["with_bmd"],
        ),
        duplicate_message=_already_recorded,
        duplicate_field="assessed_on",
    )


@transaction.atomic
def frax_update(
    *,
    actor: User,
    frax: FraxResult,
    values: Mapping[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> FraxResult:
    """Correct a FRAX result; refused when the correction moves it onto a day and kind that
    already has a result (blamed on the field changed: the tick box, else the date)."""

    def refuse_duplicate(stored: FraxResult) -> None:
        clash = _same_kind(
            patient_id=stored.patient_id,
            assessed_on=values["assessed_on"],
            with_bmd=values["with_bmd"],
            exclude=stored.pk,
        )
        if clash is not None:
            field = "with_bmd" if values["with_bmd"] != stored.with_bmd else "assessed_on"
            raise EntryConflictError(
                field, f"{_already_recorded(clash)} ({entered_by_line(clash)}).", existing=clash
            )

    return single_row_entry_update(
        actor=actor,
        entry=frax,
        values=values,
        fields=FRAX_FIELDS,
        expected_version=expected_version,
        request=request,
        refuse_duplicate=refuse_duplicate,
    )
