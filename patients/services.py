"""Writes to patient records. Each runs in one transaction together with its audit event."""

from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import RecordConflictError, rows_to_update
from bonehealth.audit.models import AuditAction
from bonehealth.audit.records import created_values, versioned_update
from bonehealth.audit.services import audit_record
from patients.ai_overlap import refuse_ai_overlap
from patients.ai_switch import AI_COURSE_FIELDS, stop_for_switch
from patients.models import (
    PATIENT_RECORD_FIELDS,
    AromataseInhibitorCourse,
    FollowUpStatus,
    Patient,
)
from patients.registration import refuse_unconfirmed_duplicates, registration_lock
from patients.selectors import patient_follow_on_confirmations, patient_open_serious_alerts
from patients.signals import patient_changed
from patients.switching import CourseSwitch

PATIENT_FIELDS = [
    *PATIENT_RECORD_FIELDS,
    "follow_up_status",
    "follow_up_ended_on",
    "follow_up_end_reason",
]


class FollowUpAlreadyEndedError(RecordConflictError):
    """Someone else ended the follow-up first; nothing was saved."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class EndingNotConfirmedError(Exception):
    """What ending follow-up needs confirmed is not what the physician confirmed; nothing was
    saved. Not a field conflict: the form is shown again with what stands now."""


class OpenAlertsChangedError(EndingNotConfirmedError):
    """The patient's open high and critical alerts are not those the physician confirmed."""


class FollowOnNotConfirmedError(EndingNotConfirmedError):
    """An active denosumab course, or a follow-on to a stopped one, is pending and the physician
    did not confirm it in these words (phys12 F1)."""


class MrnTakenError(RecordConflictError):
    """Another valid patient of the site has this MRN; nothing was saved."""

    def __init__(self, message: str, *, holder: Patient | None = None) -> None:
        super().__init__("mrn", message, existing=holder)


class PatientInErrorError(RecordConflictError):
    """The patient was marked entered in error after the form was opened; nothing was saved.

    Raised under the patient's lock, which marking her takes too: a mark committed while the save
    waited for it is always seen, so no record is written into a patient hidden from everyone."""

    def __init__(self, patient: Patient) -> None:
        self.patient = patient
        by = f" by {patient.error_marked_by}" if patient.error_marked_by_id else ""
        when = (
            f" at {timezone.localtime(patient.error_marked_at):%Y-%m-%d %H:%M}"
            if patient.error_marked_at
            else ""
        )
        reason = f" Reason given: {patient.error_reason}." if patient.error_reason else ""
        super().__init__(
            None,
            f"Nothing was saved: the patient {patient} was marked entered in error{by}{when}, "
            f"while this form was open.{reason} If that mark was a mistake, a physician can "
            "restore the patient (Marked entered in error); then enter this again.",
        )


def patient_lock(patient_id: int, *, or_in_error: bool = False) -> None:
    """Lock the patient's row until the commit: their writers take turns, and each one's duplicate
    check sees what the one before it committed. Then refuse (PatientInErrorError) a patient
    marked entered in error, read under the lock: a mark committed while this writer waited for it
    (sec10 F1). Only her mark itself (`or_in_error`) goes on.

    Every writer of a patient's records takes this lock, and her mark takes it before reading the
    care it would hide (`in_error.patient_mark_in_error`): the two take turns, and the one that
    comes second sees what the first committed. Only her own row is locked: writers for two
    patients never wait for each other, whatever their site.

    Taken before the assessment lock, as a patient's own edit takes them. FOR NO KEY UPDATE
    (`rows_to_update`, as every lock of her row) leaves alone the key-share locks of rows inserted
    for the patient by writers that take the assessment first (an acknowledgement's audit event,
    a reassessment's alerts), so they cannot deadlock with it.
    """
    rows = rows_to_update(Patient).filter(pk=patient_id)
    locked = list(rows.values_list("entered_in_error", flat=True))
    if locked == [True] and not or_in_error:
        raise PatientInErrorError(
            Patient.objects.select_related("error_marked_by").get(pk=patient_id)
        )


def _check_mrn_free(*, site: Any, mrn: str, exclude: int | None = None) -> None:
    holders = Patient.objects.filter(site=site, mrn=mrn, entered_in_error=False)
    if exclude is not None:
        holders = holders.exclude(pk=exclude)
    holder = holders.select_related("created_by", "site").first()
    if holder is not None:
        when = f"{timezone.localtime(holder.created_at):%Y-%m-%d %H:%M}"
        by = f" by {holder.created_by}" if holder.created_by else ""
        raise MrnTakenError(
            f"MRN {mrn} is already registered at {holder.site} (registered{by} at {when}).",
            holder=holder,
        )


def mrn_saved_once[T](
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
    not_duplicates: Collection[int] | None = None,
    confirmed: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> Patient:
    """Register a patient, optionally with a first aromatase-inhibitor course.

    `confirmed`: what the form's ticks confirmed (`PatientForm.confirmations`), kept in the audit
    row as it is.

    Raises MrnTakenError when the site has a valid patient with this MRN (the MRN's unique index
    decides between two registrations at the same time). Takes turns with every registration
    that could be the same person (`registration_lock`); then, with `not_duplicates` (the ids of
    the possible duplicates the user ticked were someone else: the form always passes them), raises
    PossibleDuplicateError when another is found (sec9 F5). None: a caller that checks nothing.
    """
    registration_lock(site_id=values["site"].pk, birth_date=values["birth_date"], mrn=values["mrn"])
    # The same MRN is said as such (who registered it), before the wider duplicate warning.
    _check_mrn_free(site=values["site"], mrn=values["mrn"])
    if not_duplicates is not None:
        refuse_unconfirmed_duplicates(
            site=values["site"],
            mrn=values["mrn"],
            name=values.get("name") or "",
            birth_date=values["birth_date"],
            confirmed=not_duplicates,
        )
    patient = mrn_saved_once(
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
        changes={**created_values(patient, PATIENT_FIELDS), **(confirmed or {})},
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
    extra_changes: Mapping[str, Any] | None = None,
) -> M:
    updated, changes = versioned_update(
        actor=actor,
        instance=instance,
        values=values,
        fields=fields,
        expected_version=expected_version,
        patient=patient,
        request=request,
        extra_changes=extra_changes,
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
    confirmed: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> Patient:
    """Change a patient's record; refused if it changed since `expected_version`, or
    (MrnTakenError) if its MRN is another valid patient's at its site. `confirmed` as for
    `patient_create`: the form asks its ticks of changed values only, so it comes with a change."""
    return mrn_saved_once(
        lambda: _update(
            actor=actor,
            instance=patient,
            values=values,
            fields=PATIENT_FIELDS,
            expected_version=expected_version,
            patient=patient,
            request=request,
            extra_changes=confirmed,
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
    alerts_confirmed: Collection[str] = frozenset(),
    treatments_confirmed: Collection[str] = (),
    request: HttpRequest | None = None,
) -> Patient:
    """End follow-up: the patient leaves worklists and dashboards but keeps the record.

    Refused (FollowUpAlreadyEndedError) when it has ended already: a colleague's end date and
    reason are never replaced by a form opened before they saved. Refused (OpenAlertsChangedError)
    unless `alerts_confirmed` are the keys of the patient's open high and critical alerts, read
    under the patient's lock: an alert raised since the physician confirmed the list, even by a
    writer still saving when they clicked, is never taken off the dashboard unseen. Refused
    (FollowOnNotConfirmedError) unless `treatments_confirmed` holds, word for word, each
    confirmation ending needs now (`patient_follow_on_confirmations`: an active denosumab course,
    a follow-on to a stopped one with its date), read under the lock too: a stop of denosumab
    committed meanwhile asks again (phys12 F1). The audit row keeps the words confirmed.
    """
    patient_lock(patient.pk)  # refused for a patient marked entered in error meanwhile
    fresh = Patient.objects.get(pk=patient.pk)  # read under her lock
    if fresh.follow_up_status == FollowUpStatus.ENDED:
        raise FollowUpAlreadyEndedError(
            f"Follow-up already ended on {fresh.follow_up_ended_on:%Y-%m-%d} "
            f"({fresh.follow_up_end_reason}). Resume it first to change that."
        )
    open_now = {alert.key for alert in patient_open_serious_alerts(patient=fresh)}
    if open_now != set(alerts_confirmed):
        raise OpenAlertsChangedError(
            "The patient's open alerts changed since they were confirmed; nothing was saved."
        )
    needed = patient_follow_on_confirmations(patient=fresh)
    if any(words not in treatments_confirmed for words in needed):
        raise FollowOnNotConfirmedError(
            "The treatment or follow-on to arrange is not the one confirmed: "
            + "; ".join(needed)
            + ". Nothing was saved."
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
        extra_changes={"follow_on_confirmed": needed} if needed else None,
    )


@transaction.atomic
def patient_resume_follow_up(
    *, actor: User, patient: Patient, request: HttpRequest | None = None
) -> Patient:
    """Put a patient whose follow-up ended back on active follow-up (a no-op if it is active)."""
    patient_lock(patient.pk)  # refused for a patient marked entered in error meanwhile
    patient = Patient.objects.get(pk=patient.pk)  # read under her lock
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
def ai_course_create(
    *,
    actor: User,
    patient: Patient,
    values: dict[str, Any],
    request: HttpRequest | None = None,
    switch_from: CourseSwitch | None = None,
) -> AromataseInhibitorCourse:
    """Add an aromatase-inhibitor course to a patient.

    Refused (AiCourseOverlapError, shown by the start date) when it would run at the same time
    as another of their courses, a double submit included; checked under the patient's lock, so
    two saves at once take turns and the second sees the first. `switch_from` first stops the
    course it names on the day this one starts (a switch of drug), in the same transaction, and
    the patient is reassessed once, at the end.
    """
    patient_lock(patient.pk)
    if switch_from is not None:
        stop_for_switch(
            actor=actor, patient=patient, switch=switch_from, values=values, request=request
        )
    refuse_ai_overlap(patient_id=patient.pk, values=values)
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
    """Change an AI course (e.g. record its stop); refused if it changed since the form opened,
    or if it would then overlap another course it did not overlap before (under the patient's
    lock, as `ai_course_create`)."""
    patient_lock(course.patient_id)
    # The course as saved: a model form has already put the new values on `course`.
    stored = AromataseInhibitorCourse.objects.get(pk=course.pk)
    refuse_ai_overlap(patient_id=course.patient_id, values=values, course=stored)
    return _update(
        actor=actor,
        instance=course,
        values=values,
        fields=AI_COURSE_FIELDS,
        expected_version=expected_version,
        patient=course.patient,
        request=request,
    )
