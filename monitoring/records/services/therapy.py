"""Bone-protective therapy: courses planned, started, changed or stopped by physicians, and the
doses given, recorded by nurses.

Each write that starts a drug (now or from a later date), or records a dose, passes the
pre-treatment gate (`safety_gate`) inside its transaction: a failed check without an override
reason is refused, and the reason is kept on the record (shown with it on the patient page) and in
its audit event. A stop of denosumab with no follow-on needs the physician's confirmation
(`stop_gate`). Two antiresorptives at once are refused here too (`therapy_overlap`).
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import lock_valid
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.dose_safety import dose_checklist
from monitoring.records.safety import course_checklist
from monitoring.records.services.guards import (
    EntryConflictError,
    entered_by_line,
    patient_lock,
    saved_once,
)
from monitoring.records.services.safety_gate import (
    course_starts_a_drug,
    override_audit,
    override_values,
)
from monitoring.records.services.single_row import (
    single_row_entry_create,
    single_row_entry_update,
)
from monitoring.records.services.stop_gate import stop_audit
from monitoring.records.services.therapy_overlap import refuse_overlap, switch_refusal
from patients.models import Patient
from patients.switching import (
    CourseSwitch,
    stop_replaced_course,
    switch_day_error,
)

THERAPY_FIELDS = ["drug", "dose", "start_date", "stop_date", "stop_reason", "dental_review_date"]


def _refuse_dates_beside_doses(course: BoneTherapyCourse, values: Mapping[str, Any]) -> None:
    """A course holds its own doses: it starts on or before the first and stops on or after the
    last valid one (doses entered in error do not count). Judged under the patient's lock, which
    a dose entry takes too, so a dose recorded meanwhile is seen."""
    doses = BoneTherapyDose.objects.filter(course=course, entered_in_error=False)
    start = values.get("start_date", course.start_date)
    first = (doses.filter(given_on__lt=start) if start else doses).order_by("given_on").first()
    if first is not None:
        raise EntryConflictError(
            "start_date",
            f"A dose was given on {first.given_on:%Y-%m-%d}, before this."
            if start
            else f"A dose was given on {first.given_on:%Y-%m-%d}: the course has started.",
        )
    _refuse_stop_before_last_dose(course, values.get("stop_date", course.stop_date), "stop_date")


def _refuse_stop_before_last_dose(course: BoneTherapyCourse, stop: date | None, field: str) -> None:
    """The stop half of `_refuse_dates_beside_doses`, blamed on `field`: the course's own stop
    date on its edit form, the switch's stop date on the form of the course replacing it."""
    doses = BoneTherapyDose.objects.filter(course=course, entered_in_error=False)
    last = doses.filter(given_on__gt=stop).order_by("-given_on").first() if stop else None
    if last is not None:
        raise EntryConflictError(
            field,
            f"A dose was given on {last.given_on:%Y-%m-%d} ({entered_by_line(last)}), after "
            "this stop date: a course stops on or after its last dose. Give a later stop date, "
            "or mark that dose entered in error if it was not given.",
        )


def dose_outside_course(course: BoneTherapyCourse, given_on: date) -> str | None:
    """Why a dose on `given_on` cannot belong to `course` (None when it can): the one statement,
    shown by the dose form and judged again by the service on the course as stored under the
    patient's lock (a stop saved since the form opened counts)."""
    if course.start_date is None:
        return "Set the course's start date first (a physician does this)."
    if given_on < course.start_date:
        return f"The course starts on {course.start_date:%Y-%m-%d}; a dose cannot precede it."
    if course.stop_date is not None and given_on > course.stop_date:
        return f"The course stopped on {course.stop_date:%Y-%m-%d}; a dose cannot follow it."
    return None


def _refuse_dose_beside_another_course(course: BoneTherapyCourse, given_on: date) -> None:
    """Two antiresorptives are never given together: not a dose of one on a day another course
    runs (started that day or before, not stopped by then), as a switch's old drug would be."""
    running = (
        BoneTherapyCourse.objects.filter(
            patient_id=course.patient_id,
            entered_in_error=False,
            start_date__isnull=False,
            start_date__lte=given_on,
        )
        .exclude(pk=course.pk)
        .filter(Q(stop_date__isnull=True) | Q(stop_date__gt=given_on))
    )
    other = running.select_related("entered_by").order_by("start_date", "pk").first()
    if other is not None:
        raise EntryConflictError(
            "given_on",
            f"{other} runs on {given_on:%Y-%m-%d} ({entered_by_line(other)}): two "
            "antiresorptives are never given together.",
        )


def _stop_current(
    *, actor: User, patient: Patient, stop: CourseSwitch, drug: str, request: HttpRequest | None
) -> None:
    # Under the patient's lock: a switch saved meanwhile from another tab is seen here.
    refusal = switch_refusal(
        patient_id=patient.pk, course_pk=stop.course_pk, version=stop.expected_version
    )
    if refusal is not None:
        raise EntryConflictError("stop_current", refusal)
    course = BoneTherapyCourse.objects.get(pk=stop.course_pk)
    # Before the stop is written: a stop before the old course's last dose would leave a record
    # the history refuses to read (the checklist below would fail on it).
    stop_date = stop.stop_date
    if stop_date is None:  # the form always asks for it
        raise EntryConflictError("stop_current_on", "Give the day the current course stops.")
    refusal = switch_day_error(
        start=course.start_date, stop_day=stop_date, course_words=str(course)
    )
    if refusal is not None:
        raise EntryConflictError("stop_current_on", refusal)
    _refuse_stop_before_last_dose(course, stop_date, "stop_current_on")
    stop_replaced_course(
        actor=actor,
        patient=patient,
        course=course,
        stop_date=stop_date,
        new_drug=drug,
        fields=THERAPY_FIELDS,
        expected_version=stop.expected_version,
        request=request,
    )


@transaction.atomic
def bone_therapy_start(
    *,
    actor: User,
    patient: Patient,
    values: Mapping[str, Any],
    request: HttpRequest | None = None,
    stop_current: CourseSwitch | None = None,
    override_reason: str | None = None,
    stop_confirmed: bool = False,
) -> BoneTherapyCourse:
    """A physician plans or starts a course of bone-protective therapy (or records one).

    The same drug from the same start (or planned twice, not stopped) is the course already saved:
    a double submit, refused. A course at the same time as another one (two antiresorptives) is
    refused, unless `stop_current` stops the other one first, in the same transaction. Then the
    pre-treatment gate: a failed check needs `override_reason` (SafetyCheckError otherwise), which
    the course keeps with the checks it overrode, and so does the creation's audit event. A
    denosumab course recorded as stopped with no follow-on, or stopped by `stop_current` for a
    new course that is no follow-on yet, needs `stop_confirmed` (`stop_gate`).
    """
    patient_lock(patient.pk)
    if stop_current is not None:
        _stop_current(
            actor=actor, patient=patient, stop=stop_current, drug=values["drug"], request=request
        )
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
        also_check=lambda: refuse_overlap(patient_id=patient.pk, values=values),
        # After the switch's stop above, so the checklist sees the other course stopped.
        gate=lambda: {
            **(_course_gate(actor, patient, values, None, override_reason) or {}),
            **stop_audit(
                patient=patient,
                values=values,
                stored=None,
                confirmed=stop_confirmed,
                switch=stop_current,
            ),
        },
        gated_values=lambda audit: override_values(audit, actor=actor),
    )


def _course_gate(
    actor: User,
    patient: Patient,
    values: Mapping[str, Any],
    stored: BoneTherapyCourse | None,
    override_reason: str | None,
) -> dict[str, Any] | None:
    """The gate of a course saved with `values` (over `stored`, as saved before this change):
    what the audit event keeps, or None when the save starts no drug (the gate does not apply)."""
    if not course_starts_a_drug(values, stored):
        return None
    merged = {
        name: values.get(name) if name in values or stored is None else getattr(stored, name)
        for name in THERAPY_FIELDS
    }
    checklist = course_checklist(patient=patient, values=merged, editing=stored)
    return override_audit(checklist, override_reason, actor=actor)


@transaction.atomic
def bone_therapy_update(
    *,
    actor: User,
    course: BoneTherapyCourse,
    values: Mapping[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
    override_reason: str | None = None,
    stop_confirmed: bool = False,
) -> BoneTherapyCourse:
    """A physician changes or stops a course; refused if it would then start after its first
    dose or stop before its last (`_refuse_dates_beside_doses`), or run at the same time as
    another course (checked under the patient's lock, before the version). A change that starts
    a planned course or changes its drug passes the pre-treatment gate (see `bone_therapy_start`),
    whose judgment replaces the override the course kept (a start whose checks now pass has none);
    any other change keeps it. Stopping denosumab with no follow-on needs `stop_confirmed`.
    """
    patient_lock(course.patient_id)
    # Before the overlap and the gate: a course marked in error since the form opened is refused.
    lock_valid(course)
    # The course as saved: a model form has already put the new values on `course`.
    stored = BoneTherapyCourse.objects.select_related("patient").get(pk=course.pk)
    _refuse_dates_beside_doses(stored, values)
    refuse_overlap(patient_id=course.patient_id, values=values, course=stored)
    audit_extra = _course_gate(actor, stored.patient, values, stored, override_reason)
    if audit_extra is not None:
        # Outside `fields`: the audit event keeps the override as the gate wrote it, not twice.
        values = {**values, **override_values(audit_extra, actor=actor)}
    confirmed = stop_audit(
        patient=stored.patient, values=values, stored=stored, confirmed=stop_confirmed
    )
    audit_extra = {**(audit_extra or {}), **confirmed} or None
    return single_row_entry_update(
        actor=actor,
        entry=course,
        values=values,
        fields=THERAPY_FIELDS,
        expected_version=expected_version,
        request=request,
        audit_extra=audit_extra,
    )


@transaction.atomic
def bone_therapy_dose_record(
    *,
    actor: User,
    course: BoneTherapyCourse,
    given_on: date,
    request: HttpRequest | None = None,
    override_reason: str | None = None,
) -> BoneTherapyDose:
    """Record an injection or infusion given; refused if it falls outside its course as stored
    (a stop saved since the form opened), if a dose that day is recorded already or another
    course runs that day (a dose of the old drug on the day of a switch), then by the
    pre-treatment gate of that dose (see `bone_therapy_start`), which also asks whether a dose
    too close to it, recorded in the last hours, is the same injection (`dose_safety`), and lets
    only a physician override a dose too early or a high or critical alert (`safety_gate`)."""
    patient_lock(course.patient_id)
    # A course marked in error since the form opened takes no dose (its lock: marking takes it too).
    fresh = lock_valid(course, outcome="The dose was not recorded.")
    outside = dose_outside_course(fresh, given_on)
    if outside is not None:
        raise EntryConflictError("given_on", outside)
    _refuse_dose_beside_another_course(course, given_on)

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
    stored = BoneTherapyCourse.objects.select_related("patient").get(pk=course.pk)
    audit_extra = override_audit(
        dose_checklist(patient=stored.patient, course=stored, given_on=given_on),
        override_reason,
        actor=actor,
    )
    dose = saved_once(
        lambda: BoneTherapyDose.objects.create(
            course=course,
            given_on=given_on,
            entered_by=actor,
            **override_values(audit_extra, actor=actor),
        ),
        check=check,
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=dose,
        patient=course.patient,
        changes={"given_on": given_on, "course": course.pk, **audit_extra},
    )
    patient_assessment_refresh(patient=course.patient)
    return dose


@transaction.atomic
def bone_therapy_dental_review_record(
    *,
    actor: User,
    course: BoneTherapyCourse,
    dental_review_date: date,
    expected_version: int,
    request: HttpRequest | None = None,
) -> BoneTherapyCourse:
    """Record the date of the dental review before a course, and nothing else of it: the nurse
    who collects it records it (permission `record_dental_review`), while planning, starting,
    changing and stopping the course stay the physician's (`bone_therapy_update`, with its
    pre-treatment gate, which a review date does not pass through: it starts no drug). Versioned
    and audited as any change of the course; a course marked in error since is refused."""
    patient_lock(course.patient_id)
    lock_valid(course)
    return single_row_entry_update(
        actor=actor,
        entry=course,
        values={"dental_review_date": dental_review_date},
        fields=["dental_review_date"],
        expected_version=expected_version,
        request=request,
    )
