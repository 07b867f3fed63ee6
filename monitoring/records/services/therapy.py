"""Bone-protective therapy: courses planned, started, changed or stopped by physicians, and the
doses given, recorded by nurses."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.services.guards import (
    EntryConflictError,
    entered_by_line,
    patient_lock,
    saved_once,
)
from monitoring.records.services.single_row import (
    single_row_entry_create,
    single_row_entry_update,
)
from patients.models import Patient

THERAPY_FIELDS = ["drug", "dose", "start_date", "stop_date", "stop_reason", "dental_review_date"]


@transaction.atomic
def bone_therapy_start(
    *, actor: User, patient: Patient, values: Mapping[str, Any], request: HttpRequest | None = None
) -> BoneTherapyCourse:
    """A physician plans or starts a course of bone-protective therapy.

    The same drug from the same start (or planned twice, not stopped) is the course already saved:
    a double submit, refused.
    """
    same = BoneTherapyCourse.objects.filter(
        patient=patient, drug=values["drug"], entered_in_error=False
    )
    if values.get("start_date") is None:
        same = same.filter(start_date=None, stop_date=None)
    else:
        same = same.filter(start_date=values["start_date"])
    return single_row_entry_create(
        model=BoneTherapyCourse,
        actor=actor,
        patient=patient,
        values=values,
        fields=THERAPY_FIELDS,
        request=request,
        duplicate=lambda: same.select_related("entered_by").first(),
        duplicate_message=lambda course: (
            f"This {course.get_drug_display()} course ({course}) is already recorded; "
            "change that one instead"
        ),
        duplicate_field="drug",
    )


@transaction.atomic
def bone_therapy_update(
    *,
    actor: User,
    course: BoneTherapyCourse,
    values: Mapping[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> BoneTherapyCourse:
    """A physician changes or stops a course."""
    return single_row_entry_update(
        actor=actor,
        entry=course,
        values=values,
        fields=THERAPY_FIELDS,
        expected_version=expected_version,
        request=request,
    )


@transaction.atomic
def bone_therapy_dose_record(
    *,
    actor: User,
    course: BoneTherapyCourse,
    given_on: date,
    request: HttpRequest | None = None,
) -> BoneTherapyDose:
    """Record an injection or infusion given; refused if a dose that day is recorded already."""
    patient_lock(course.patient_id)

    def check() -> None:
        given = course.doses.filter(given_on=given_on, entered_in_error=False)
        dose = given.select_related("entered_by").first()
        if dose is not None:
            raise EntryConflictError(
                "given_on",
                f"A dose on {given_on:%Y-%m-%d} is already recorded for this course "
                f"({entered_by_line(dose)}).",
            )

    check()
    dose = saved_once(
        lambda: BoneTherapyDose.objects.create(course=course, given_on=given_on, entered_by=actor),
        check=check,
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=dose,
        patient=course.patient,
        changes={"given_on": given_on, "course": course.pk},
    )
    patient_assessment_refresh(patient=course.patient)
    return dose
