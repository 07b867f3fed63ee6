"""FRAX results as the official calculator gave them (one per patient and day)."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import User
from monitoring.models import FraxResult
from monitoring.records.services.single_row import (
    single_row_entry_create,
    single_row_entry_update,
)
from patients.models import Patient

FRAX_FIELDS = ["assessed_on", "major_osteoporotic_pct", "hip_pct", "with_bmd"]


@transaction.atomic
def frax_record(
    *, actor: User, patient: Patient, values: Mapping[str, Any], request: HttpRequest | None = None
) -> FraxResult:
    """Record a FRAX result from the official calculator (one per patient and day)."""
    return single_row_entry_create(
        model=FraxResult,
        actor=actor,
        patient=patient,
        values=values,
        fields=FRAX_FIELDS,
        request=request,
        duplicate=lambda: (
            FraxResult.objects.filter(
                patient=patient, assessed_on=values["assessed_on"], entered_in_error=False
            )
            .select_related("entered_by")
            .first()
        ),
        duplicate_message=lambda frax: (
            f"A FRAX result from {frax.assessed_on:%Y-%m-%d} is already recorded "
            f"({frax.major_osteoporotic_pct} % / {frax.hip_pct} %); correct that one instead"
        ),
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
    """Correct a FRAX result."""
    return single_row_entry_update(
        actor=actor,
        entry=frax,
        values=values,
        fields=FRAX_FIELDS,
        expected_version=expected_version,
        request=request,
    )
