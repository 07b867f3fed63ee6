"""The dose checklist: the pre-treatment checks of `records/safety.py` on the day a dose is
given, and for denosumab and zoledronic acid the time since the patient's previous dose of the
drug (`domain.dose_interval`), on this course or any other.

That check's rule is DMAB-SCHEDULE for both drugs: the Rules page states zoledronic acid's
schedule and the check before each infusion there (nurse11 F10: the row named the schedule item
`zoledronic_acid_dose`, which has no entry on that page). Failed, only a physician overrides it
(`services.safety_gate`): two doses too close are a double dose or a double entry.
"""

import dataclasses
from datetime import date

from monitoring import domain
from monitoring.domain import RuleId
from monitoring.domain.dose_interval import (
    DOSE_INTERVAL_MONTHS,
    early_dose_messages,
    previous_of,
)
from monitoring.models import BoneTherapyCourse
from monitoring.models.choices import SafetyCheck
from monitoring.records.safety import (
    Check,
    Checklist,
    CheckStatus,
    checklist,
    domain_course,
    history_course,
    patient_history,
)
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
    return Check(
        key=str(SafetyCheck.DOSE_INTERVAL),
        label=SafetyCheck.DOSE_INTERVAL.label,
        rule=RuleId.DMAB_SCHEDULE,
        status=CheckStatus.FAILED if messages else CheckStatus.PASSED,
        value=(
            "no earlier dose"
            if previous is None
            else f"previous dose, on {elsewhere[previous]}"
            if previous in elsewhere
            else "previous dose"
            if previous in others
            else "course start"
        ),
        date=previous,
        messages=messages,
        physician_override=bool(messages),
    )


def dose_checklist(*, patient: Patient, course: BoneTherapyCourse, given_on: date) -> Checklist:
    """The checklist of a dose of `course` given on `given_on`; for denosumab and zoledronic acid
    with the time since the patient's previous dose of the drug, on any course (and until the
    next, for a dose entered late)."""
    history = patient_history(patient)
    current = history_course(history, course) or domain_course(course)
    given = dataclasses.replace(current, doses=tuple(sorted({*current.doses, given_on})))
    # On the dose's day, as a course on its start (`course_checklist`).
    result = checklist(history, course=given, as_of=given_on)
    if current.drug not in DOSE_INTERVAL_MONTHS:  # oral intakes are not spaced this way
        return result
    interval = _dose_interval(history, current, given_on)
    return dataclasses.replace(result, checks=(*result.checks, interval))
