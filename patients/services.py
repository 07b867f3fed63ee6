"""Writes to patient records. Each runs in one transaction together with its audit event."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import RecordConflictError
from bonehealth.audit.models import AuditAction
from bonehealth.audit.records import created_values, mark_in_error, versioned_update
from bonehealth.audit.services import audit_list_record, audit_record
from patients.models import (
    PATIENT_RECORD_FIELDS,
    AromataseInhibitorCourse,
    FollowUpStatus,
    Patient,
)
from patients.signals import patient_changed

PATIENT_FIELDS = [
    *PATIENT_RECORD_FIELDS,
    "follow_up_status",
    "follow_up_ended_on",
    "follow_up_end_reason",
]
AI_COURSE_FIELDS = ["drug", "start_date", "planned_duration_months", "stop_date", "stop_reason"]


class FollowUpAlreadyEndedError(RecordConflictError):
    """Someone else ended the follow-up first; nothing was saved."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class MrnTakenError(RecordConflictError):
    """Another valid patient of the site has this MRN; nothing was saved."""

    def __init__(self, message: str) -> None:
        super().__init__("mrn", message)


def _check_mrn_free(*, site: Any, mrn: str, exclude: int | None = None) -> None:
    holders = Patient.objects.filter(site=site, mrn=mrn, entered_in_error=False)
    if exclude is not None:
        holders = holders.exclude(pk=exclude)
    holder = holders.select_related("created_by", "site").first()
    if holder is not None:
        when = f"{timezone.localtime(holder.created_at):%Y-%m-%d %H:%M}"
        by = f" by {holder.created_by}" if holder.created_by else ""
        raise MrnTakenError(
            f"MRN {mrn} is already registered at {holder.site} (registered{by} at {when})."
        )


def _mrn_saved_once[T](
    save: Callable[[], T], *, site: Any, mrn: str, exclude: int | None = None
) -> T:
    """Check the MRN is free, then run `save` in a savepoint; if the MRN's unique index refuses it
    (a registration of the same MRN committed in between), raise the check's error naming the
    patient that has it."""
    _check_mrn_free(site=site, mrn=mrn, exclude=exclude)
    try:
        with transaction.atomic():
            return save()
    except IntegrityError as refused:
        _check_mrn_free(site=site, mrn=mrn, exclude=exclude)
        raise MrnTakenError(f"MRN {mrn} was just registered by someone else.") from refused


@transaction.atomic
def patient_create(
    *,
    actor: User,
    values: dict[str, Any],
    ai_course: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Patient:
    """Register a patient, optionally with a first aromatase-inhibitor course.

    Raises MrnTakenError when the site has a valid patient with this MRN (the MRN's unique index
    decides between two registrations at the same time).
    """
    patient = _mrn_saved_once(
        lambda: Patient.objects.create(created_by=actor, **values),
        site=values["site"],
        mrn=values["mrn"],
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=patient,
        patient=patient,
        changes=created_values(patient, PATIENT_FIELDS),
    )
    if ai_course is not None:
        ai_course_create(actor=actor, patient=patient, values=ai_course, request=request)
    else:
        patient_changed.send(sender=Patient, patient=patient)
    return patient


def _update[M: Patient | AromataseInhibitorCourse](
    *,
    actor: User,
    instance: M,
    values: dict[str, Any],
    fields: list[str],
    expected_version: int,
    patient: Patient,
    request: HttpRequest | None,
) -> M:
    updated, changes = versioned_update(
        actor=actor,
        instance=instance,
        values=values,
        fields=fields,
        expected_version=expected_version,
        patient=patient,
        request=request,
    )
    if changes:
        patient_changed.send(sender=Patient, patient=patient)
    return updated


@transaction.atomic
def patient_update(
    *,
    actor: User,
    patient: Patient,
    values: dict[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> Patient:
    """Change a patient's record; refused if it changed since `expected_version`, or
    (MrnTakenError) if its MRN is another valid patient's at its site."""
    return _mrn_saved_once(
        lambda: _update(
            actor=actor,
            instance=patient,
            values=values,
            fields=PATIENT_FIELDS,
            expected_version=expected_version,
            patient=patient,
            request=request,
        ),
        site=values.get("site", patient.site),
        mrn=values.get("mrn", patient.mrn),
        exclude=patient.pk,
    )


@transaction.atomic
def patient_end_follow_up(
    *,
    actor: User,
    patient: Patient,
    ended_on: date,
    reason: str,
    request: HttpRequest | None = None,
) -> Patient:
    """End follow-up: the patient leaves worklists and dashboards but keeps the record.

    Refused (FollowUpAlreadyEndedError) when it has ended already: a colleague's end date and
    reason are never replaced by a form opened before they saved.
    """
    fresh = Patient.objects.select_for_update().get(pk=patient.pk)
    if fresh.follow_up_status == FollowUpStatus.ENDED:
        raise FollowUpAlreadyEndedError(
            f"Follow-up already ended on {fresh.follow_up_ended_on:%Y-%m-%d} "
            f"({fresh.follow_up_end_reason}). Resume it first to change that."
        )
    return _update(
        actor=actor,
        instance=fresh,
        values={
            "follow_up_status": FollowUpStatus.ENDED,
            "follow_up_ended_on": ended_on,
            "follow_up_end_reason": reason,
        },
        fields=PATIENT_FIELDS,
        expected_version=fresh.version,
        patient=patient,
        request=request,
    )


@transaction.atomic
def patient_resume_follow_up(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> Patient:
    """Put a patient whose follow-up ended back on active follow-up (a no-op if it is active)."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if patient.follow_up_status == FollowUpStatus.ACTIVE:
        return patient
    return _update(
        actor=actor,
        instance=patient,
        values={
            "follow_up_status": FollowUpStatus.ACTIVE,
            "follow_up_ended_on": None,
            "follow_up_end_reason": "",
        },
        fields=PATIENT_FIELDS,
        expected_version=patient.version,
        patient=patient,
        request=request,
    )


@transaction.atomic
def patient_mark_in_error(
    *, actor: User, patient: Patient, reason: str, request: HttpRequest | None = None
) -> None:
    """Hide a patient registered by mistake; the record and its history are kept."""
    if mark_in_error(
        actor=actor, instance=patient, patient=patient, reason=reason, request=request
    ):
        # Reassessed like any change to the record: the stored assessment stops counting them.
        patient_changed.send(sender=Patient, patient=patient)


@transaction.atomic
def ai_course_create(
    *,
    actor: User,
    patient: Patient,
    values: dict[str, Any],
    request: HttpRequest | None = None,
) -> AromataseInhibitorCourse:
    """Add an aromatase-inhibitor course to a patient."""
    course = AromataseInhibitorCourse.objects.create(patient=patient, created_by=actor, **values)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=course,
        patient=patient,
        changes=created_values(course, AI_COURSE_FIELDS),
    )
    patient_changed.send(sender=Patient, patient=patient)
    return course


@transaction.atomic
def ai_course_update(
    *,
    actor: User,
    course: AromataseInhibitorCourse,
    values: dict[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> AromataseInhibitorCourse:
    """Change an AI course (e.g. record its stop); refused if it changed since the form opened."""
    return _update(
        actor=actor,
        instance=course,
        values=values,
        fields=AI_COURSE_FIELDS,
        expected_version=expected_version,
        patient=course.patient,
        request=request,
    )


@transaction.atomic
def ai_course_mark_in_error(
    *,
    actor: User,
    course: AromataseInhibitorCourse,
    reason: str,
    request: HttpRequest | None = None,
) -> None:
    """Hide an AI course entered by mistake; it is kept with who marked it and why."""
    if mark_in_error(
        actor=actor, instance=course, patient=course.patient, reason=reason, request=request
    ):
        patient_changed.send(sender=Patient, patient=course.patient)


def patient_record_view(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> None:
    """Write the audit event for a view of a patient's record (one INSERT: atomic by itself)."""
    audit_record(
        action=AuditAction.VIEW, actor=actor, request=request, obj=patient, patient=patient
    )


def patient_list_view_record(
    *,
    actor: User,
    patient_ids: list[int],
    query: str,
    include_ended: bool,
    page_number: int,
    request: HttpRequest | None = None,
) -> None:
    """Write the one audit event of a page of the patient list: its search and patients shown."""
    audit_list_record(
        actor=actor,
        shown="patient list",
        patient_ids=patient_ids,
        details={"query": query, "include_ended": include_ended or None, "page": page_number},
        request=request,
    )
