"""The results on file dated after a dose's own day, up to today, that fail its checks.

nurse12 F3: stopped by a critical eGFR of 32 recorded today ("Override: a physician only"), a
nurse dated the zoledronic acid dose a day earlier and it saved silently. A dose is judged as of
its own day (`dose_safety.dose_checklist`: an entry made after the fact is judged by the results
known then), so a result dated after it was not looked at, and any block could be sidestepped by
backdating. Such a result means one of two things: the date is wrong, or the dose was given and
the result came after it, where a kidney function or a calcium may be the drug's own harm. Either
way someone should look.

So a dose dated before today is also judged on each later day a result of the checks' labs
(`safety.CHECK_SPECS`: vitamin D, calcium, kidney function) is dated, up to today, as if it were
given that day: the same what-if run of the rules (`safety.checklist`) on that day. A check that
fails there because of that day's result becomes a row of the dose's checklist ("Kidney function
after the dose date"), failed, overridden by whom the check on that day would need (a high or
critical alert: a physician only), so the gate (`services.safety_gate.override_audit`) asks for
it as it asks for the others, in the form and in the service under the patient's lock, and in the
history import. No window: any bound would let a date moved back past it through.

One row per check: the most severe of its later results (a physician-only one first), then the
earliest after the dose date.
"""

import dataclasses
from datetime import date

from monitoring import domain
from monitoring.domain.types import PARENTERAL_DRUGS
from monitoring.models.choices import SafetyCheck
from monitoring.records.safety import CHECK_SPECS, Check, Checklist, checklist

# Each lab check (`safety.CHECK_SPECS`) and its row for a result dated after the dose.
AFTER_THE_DOSE = {
    SafetyCheck.VITAMIN_D: SafetyCheck.VITAMIN_D_AFTER,
    SafetyCheck.CALCIUM: SafetyCheck.CALCIUM_AFTER,
    SafetyCheck.RENAL: SafetyCheck.RENAL_AFTER,
}
_LAB_SPECS = tuple(spec for spec in CHECK_SPECS if spec.analytes)
# And a creatinine: newer than the kidney function judged, its estimate below the drug's limit
# speaks last for the kidney check (domain.rules.kidney, phys14 #1), so one dated after the dose
# fails that day's check as an eGFR would.
_ANALYTES = frozenset(analyte for spec in _LAB_SPECS for analyte in spec.analytes) | {
    domain.Analyte.CREATININE
}


def _harm_words(key: SafetyCheck, drug: domain.BoneTherapyDrug) -> str:
    """Why a result after the dose may be the drug's own doing: zoledronic acid's kidney harm,
    the hypocalcaemia of zoledronic acid and denosumab (their labels); "" otherwise."""
    given = "an infusion" if drug is domain.BoneTherapyDrug.ZOLEDRONIC_ACID else "an injection"
    if key is SafetyCheck.RENAL and drug is domain.BoneTherapyDrug.ZOLEDRONIC_ACID:
        return f"; a kidney result after {given} may be its harm"
    if key is SafetyCheck.CALCIUM and drug in PARENTERAL_DRUGS:
        return f"; a low calcium after {given} may be its harm"
    return ""


def _as_if_given(course: domain.BoneTherapyCourse, day: date) -> domain.BoneTherapyCourse:
    """`course` with a dose on `day`, as the dose checklist of that day would judge it; a course
    stopped before `day` as it is (no dose after its stop: the rules judge what still acts)."""
    if course.stop_date is not None and course.stop_date < day:
        return course
    return dataclasses.replace(course, doses=tuple(sorted({*course.doses, day})))


def _row(check: Check, *, given_on: date, drug: domain.BoneTherapyDrug) -> Check:
    key = AFTER_THE_DOSE[SafetyCheck(check.key)]
    harm = _harm_words(SafetyCheck(check.key), drug)
    words = (
        f"Dated after this dose ({given_on.isoformat()}): check the dose date. If the dose was "
        f"given then, record it with the override and tell a physician{harm}."
    )
    return dataclasses.replace(
        check, key=str(key), label=key.label, messages=(*check.messages, words), after_dose=True
    )


def later_result_checks(
    history: domain.History, *, course: domain.BoneTherapyCourse, given_on: date, today: date
) -> tuple[Check, ...]:
    """The failed rows of the results dated after `given_on` up to `today` (module docstring);
    none for a dose dated today (or later)."""
    days = sorted(
        {
            lab.date
            for lab in history.labs
            if lab.analyte in _ANALYTES and given_on < lab.date <= today
        }
    )
    worst: dict[str, Check] = {}
    for day in days:
        on_day = checklist(history, course=_as_if_given(course, day), as_of=day)
        for check in on_day.failed:
            # Failed by that day's result, not by one older or by none on file (the check of
            # the dose's own day says those).
            if check.key not in AFTER_THE_DOSE or check.date != day:
                continue
            kept = worst.get(check.key)
            if kept is None or (check.physician_override and not kept.physician_override):
                worst[check.key] = check
    return tuple(
        _row(worst[str(spec.key)], given_on=given_on, drug=course.drug)
        for spec in _LAB_SPECS
        if str(spec.key) in worst
    )


def with_later_results(
    result: Checklist,
    history: domain.History,
    *,
    course: domain.BoneTherapyCourse,
    given_on: date,
    today: date,
) -> Checklist:
    """`result` (the checklist of a dose on `given_on`) with the rows of the later results."""
    later = later_result_checks(history, course=course, given_on=given_on, today=today)
    if not later:
        return result
    return dataclasses.replace(result, checks=(*result.checks, *later))
