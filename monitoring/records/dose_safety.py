"""The dose checklist: the pre-treatment checks of `records/safety.py` on the day a dose is
given, and for denosumab and zoledronic acid the time since the patient's previous dose of the
drug (`domain.dose_interval`), on this course or any other.

That check's rule is DMAB-SCHEDULE for both drugs: the Rules page states zoledronic acid's
schedule and the check before each infusion there (nurse11 F10: the row named the schedule item
`zoledronic_acid_dose`, which has no entry on that page). Failed, only a physician overrides it
(`services.safety_gate`): two doses too close are a double dose or a double entry.

A double entry: two tabs, or two nurses, recording one injection on different days (nurse11 F3:
B records it today, A yesterday). The interval check fails, and said only "181 days early". When
the dose it fails against was recorded in the last `JUST_RECORDED` hours, the checklist asks
what the same-day duplicate refusal says (who entered it and when) and whether this is the same
injection, and the gate refuses the save there, beside the date, unless overridden. 24 hours
rather than "today": a dose entered at 23:50 by a colleague is still the same evening's work at
00:10, which a calendar day would miss; a dose entered longer ago has been on the patient page
and the worklist since, and the early-dose words alone say what it is. Only a dose dated within
`SAME_INJECTION_MAX_DAYS_APART` days of the one just recorded is asked about: further apart, it is
an early dose, not the same injection (nurse13 #14). The question is asked beside the date, not
in the checklist's row as well.
"""

import dataclasses
from datetime import date, timedelta

from django.utils import timezone

from monitoring import domain
from monitoring.domain import RuleId
from monitoring.domain.dose_interval import (
    DOSE_INTERVAL_MONTHS,
    doses_too_close,
    earliest_next_dose,
    early_dose_messages,
    first_dose_started,
    previous_of,
)
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.models.choices import SafetyCheck
from monitoring.records.later_results import with_later_results
from monitoring.records.safety import (
    Check,
    Checklist,
    CheckStatus,
    checklist,
    patient_history,
    recorded_course,
)
from monitoring.records.services.guards import entered_by_line
from patients.models import Patient


def _course_words(course: domain.BoneTherapyCourse) -> str:
    """A course as a checklist row names it: "the denosumab course from 2026-05-20"."""
    start = course.start_date.isoformat() if course.start_date else "(planned)"
    stop = f", stopped {course.stop_date.isoformat()}" if course.stop_date else ""
    return f"the {course.drug.replace('_', ' ')} course from {start}{stop}"


def _dose_interval(
    history: domain.History, course: domain.BoneTherapyCourse, given_on: date
) -> Check:
    """The interval check of a dose of `course` on `given_on` beside the patient's other doses
    of the same drug, on this course or any other (a switch to a biosimilar or a restart opens a
    new course: physician8 D12). The history holds only doses and courses not entered in error.
    A dose recorded that day on this course is not one of them: it is a duplicate, refused by the
    service."""
    others = {day for day in course.doses if day != given_on}
    elsewhere: dict[date, str] = {}
    for other in history.bone_therapy:
        if other.drug is not course.drug or other == course:
            continue
        for day in other.doses:
            if day not in others:
                elsewhere.setdefault(day, _course_words(other))
    everything = others | set(elsewhere)
    start = course.start_date
    if (
        course.drug is domain.BoneTherapyDrug.ZOLEDRONIC_ACID
        and not others
        and start == domain.follow_on_infusion_awaited(history, given_on)
    ):
        # Zoledronic acid started as denosumab's follow-on, its infusion not recorded: the
        # schedule has that infusion due on the start (phys10 F2), so the start is no dose.
        start = None
    messages = early_dose_messages(
        course.drug, given_on=given_on, other_doses=everything, start=start, courses=elsewhere
    )
    previous = previous_of(course.drug, given_on, other_doses=everything, start=start)
    first = first_dose_started(course.drug, given_on, other_doses=everything, start=start)
    too_early_after, too_close_before = doses_too_close(
        course.drug, given_on, other_doses=everything, start=start
    )
    value = (
        "no earlier dose"
        if previous is None
        else f"previous dose, on {elsewhere[previous]}"
        if previous in elsewhere
        else "previous dose"
        if previous in others
        else "course start"
    )
    shown = first if first is not None and previous is None else previous
    if first is not None and previous is None:
        value = "course start: this is its first dose"
    if too_close_before is not None and too_early_after is None:
        # Only the later dose fails it (a dose entered late): the row's date is the dose its
        # words name (nurse13 #14: it showed the previous one's).
        shown = too_close_before
        value = (
            f"later dose, on {elsewhere[too_close_before]}"
            if too_close_before in elsewhere
            else "later dose"
        )
    return Check(
        key=str(SafetyCheck.DOSE_INTERVAL),
        label=SafetyCheck.DOSE_INTERVAL.label,
        rule=RuleId.DMAB_SCHEDULE,
        status=CheckStatus.FAILED if messages else CheckStatus.PASSED,
        value=value,
        date=shown,
        messages=messages,
        note="" if first is None or messages else _first_dose_note(course.drug, first, given_on),
        physician_override=bool(messages),
    )


def _first_dose_note(drug: domain.BoneTherapyDrug, start: date, given_on: date) -> str:
    """What happens to a first dose given `given_on`, a few days after the course's `start`
    (`first_dose_started`): it is the dose the start stood for, and the next counts from it.
    Said beside the passed check, so that a nurse who gave a dose on the start day, not recorded,
    does not record a second one as the first (phys13 #2)."""
    name = drug.replace("_", " ")
    days = (given_on - start).days
    due = earliest_next_dose(drug, given_on)[0]
    return (
        f"No {name} dose is recorded since the course started on {start.isoformat()}: this one "
        f"is taken as its first dose, given {days} day{'s' * (days > 1)} after the start, and "
        f"the next is due on {due.isoformat()}, counted from it. If a dose was already given "
        f"on {start.isoformat()}, record that one first: this one would then be a second dose, "
        "too early."
    )


JUST_RECORDED = timedelta(hours=24)
# One injection recorded twice lands on two dates at most this many days apart (yesterday and
# today, a day's digit slipped): a dose further from the one just recorded is an early dose, said
# by the early-dose words alone (nurse13 #14: "is this the same injection?" for doses 54 days
# apart). Design choice: a week.
SAME_INJECTION_MAX_DAYS_APART = 7


def _too_close(drug: domain.BoneTherapyDrug, one: date, other: date) -> bool:
    """Whether doses on `one` and `other` fail the interval check against each other."""
    first, second = sorted((one, other))
    return second < earliest_next_dose(drug, first)[1]


def same_injection_question(*, course: BoneTherapyCourse, given_on: date) -> str:
    """The question a dose on `given_on` asks when a dose of the drug it is too close to (the
    interval check) was recorded in the last `JUST_RECORDED` hours, on any course of the patient;
    "" otherwise. A dose that day on this course is the duplicate the service refuses outright."""
    drug = domain.BoneTherapyDrug(course.drug)
    recent = (
        BoneTherapyDose.objects.filter(
            course__patient_id=course.patient_id,
            course__drug=course.drug,
            course__entered_in_error=False,
            entered_in_error=False,
            entered_at__gte=timezone.now() - JUST_RECORDED,
        )
        .exclude(course=course, given_on=given_on)
        .select_related("entered_by", "course")
    )
    close = [
        dose
        for dose in recent
        if abs((dose.given_on - given_on).days) <= SAME_INJECTION_MAX_DAYS_APART
        and _too_close(drug, dose.given_on, given_on)
    ]
    if not close:
        return ""
    dose = min(close, key=lambda dose: (abs((dose.given_on - given_on).days), -dose.pk))
    apart = abs((dose.given_on - given_on).days)
    side = "after" if dose.given_on > given_on else "before"
    when = "on the same day as" if apart == 0 else f"{apart} day{'s' * (apart > 1)} {side}"
    other = dose.course
    where = (
        "this course"
        if other.pk == course.pk
        else f"the {drug.replace('_', ' ')} course from {other.start_date}"
    )
    return (
        f"A {drug.replace('_', ' ')} dose on {dose.given_on:%Y-%m-%d} is already recorded for "
        f"{where} ({entered_by_line(dose)}), {when} this one: is this the same injection? If it "
        "is, it is recorded already and nothing needs saving (if its date is wrong, mark that "
        "dose entered in error and record it again). If a second dose was given, a physician "
        "records it with the override and its reason."
    )


def dose_checklist(*, patient: Patient, course: BoneTherapyCourse, given_on: date) -> Checklist:
    """The checklist of a dose of `course` given on `given_on`; for denosumab and zoledronic acid
    with the time since the patient's previous dose of the drug, on any course (and until the
    next, for a dose entered late); for a dose dated before today, with the results dated after
    it that fail its checks (`later_results`)."""
    history = patient_history(patient)
    current = recorded_course(history, course)
    given = dataclasses.replace(current, doses=tuple(sorted({*current.doses, given_on})))
    # On the dose's day, as a course on its start (`course_checklist`), and a dose dated before
    # today on each later day with a result of its labs (`later_results`, nurse12 F3).
    result = checklist(history, course=given, as_of=given_on)
    if current.drug in DOSE_INTERVAL_MONTHS:  # oral intakes are not spaced this way
        interval = _dose_interval(history, current, given_on)
        # Asked once, beside the date (and in the form's summary), not again in the row
        # (nurse13 #14: three times on one page).
        question = (
            same_injection_question(course=course, given_on=given_on) if interval.failed else ""
        )
        result = dataclasses.replace(
            result, checks=(*result.checks, interval), same_injection=question
        )
    return with_later_results(
        result, history, course=given, given_on=given_on, today=timezone.localdate()
    )
