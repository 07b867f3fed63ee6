"""Entries of a single row (a FRAX result, a therapy course): created once, corrected in place."""

from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import lock_valid
from bonehealth.audit.models import AuditAction
from bonehealth.audit.records import created_values, versioned_update
from bonehealth.audit.services import audit_record
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, FraxResult
from monitoring.records.services.guards import (
    EntryConflictError,
    entered_by_line,
    patient_lock,
    saved_once,
)
from patients.models import Patient


def single_row_entry_create[M: (FraxResult, BoneTherapyCourse)](
    *,
    model: type[M],
    actor: User,
    patient: Patient,
    values: Mapping[str, Any],
    fields: list[str],
    request: HttpRequest | None,
    duplicate: Callable[[], M | None],
    duplicate_message: Callable[[M], str],
    duplicate_field: str,
    also_check: Callable[[], None] = lambda: None,
    gate: Callable[[], Mapping[str, Any]] = dict,
    gated_values: Callable[[Mapping[str, Any]], Mapping[str, Any]] = lambda audit: {},
) -> M:
    """Create the entry once; `gate` runs last before the insert (it may refuse), and what it
    returns joins the creation's audit event (a safety override and its reason);
    `gated_values(that)` are more values of the row (the override, kept on the record)."""

    def refuse_duplicate() -> None:
        existing = duplicate()
        if existing is not None:
            raise EntryConflictError(
                duplicate_field,
                f"{duplicate_message(existing)} ({entered_by_line(existing)}).",
                existing=existing,
            )

    # The patient's lock makes the duplicate check and the insert one step for this patient.
    patient_lock(patient.pk)
    refuse_duplicate()
    also_check()
    audit_extra = gate()
    entry = saved_once(
        lambda: model.objects.create(
            patient=patient, entered_by=actor, **values, **gated_values(audit_extra)
        ),
        check=refuse_duplicate,
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=entry,
        patient=patient,
        changes={**created_values(entry, fields), **audit_extra},
    )
    patient_assessment_refresh(patient=patient)
    return entry


def single_row_entry_update[M: (FraxResult, BoneTherapyCourse)](
    *,
    actor: User,
    entry: M,
    values: Mapping[str, Any],
    fields: list[str],
    expected_version: int,
    request: HttpRequest | None,
    audit_extra: Mapping[str, Any] | None = None,
    refuse_duplicate: Callable[[M], None] = lambda stored: None,
) -> M:
    """Correct the entry in place (versioned), under its patient's lock: never into a patient
    marked entered in error while the form was open, nor a record marked in error since then.

    `refuse_duplicate(stored)` raises EntryConflictError when `values` would make the record, as
    stored before this change, a second one of its kind; it runs under the lock, before the
    version is checked, and again if a unique index refuses the save."""
    patient_lock(entry.patient_id)
    # Re-read: a model form's instance already holds the values typed.
    stored = lock_valid(entry)
    refuse_duplicate(stored)
    updated, changes = saved_once(
        lambda: versioned_update(
            actor=actor,
            instance=entry,
            values=values,
            fields=fields,
            expected_version=expected_version,
            patient=entry.patient,
            request=request,
            extra_changes=audit_extra,
        ),
        check=lambda: refuse_duplicate(stored),
    )
    if changes:
        patient_assessment_refresh(patient=entry.patient)
    return updated
