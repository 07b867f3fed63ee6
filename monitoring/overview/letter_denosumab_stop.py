"""What the letters say of a denosumab course stopped with no bisphosphonate follow-on yet
(DMAB-STOP): the course, its last dose, the date the follow-on is due by, and the rebound warning.

A tester found the family doctor's letter of a patient whose denosumab had stopped reading
"Bone-protective therapy is indicated; none is recorded as given or planned", with no therapy
section (phys11 F1): the one fact the doctor most needs, that a bisphosphonate must follow by a
date or vertebral fractures may follow, was only in a copied alert. The last dose and the date are
the rules' (`domain.follow_on_due`), never counted here.
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from monitoring import domain
from monitoring.assessment.history_document import history_from_records
from monitoring.domain import RuleId
from monitoring.domain.thresholds import DENOSUMAB_INTERVAL_MONTHS
from monitoring.overview.letter_therapy import CALCIUM_FIRST, CALCIUM_RULES, PATIENT

RULES = (str(RuleId.DMAB_STOP),)


@dataclass(frozen=True)
class StoppedDenosumab:
    """The denosumab course DMAB-STOP stands on, as the letters name it."""

    dose: str
    start: dt.date | None
    stop: dt.date
    last_dose: dt.date
    due_by: dt.date
    # The start of a zoledronic acid course begun as the follow-on whose infusion is not recorded
    # yet (`domain.follow_on_infusion_awaited`): the follow-on counts once it is given.
    infusion_awaited: dt.date | None = None


def stopped_denosumab(history: domain.History, today: dt.date) -> StoppedDenosumab | None:
    """The stopped denosumab course while DMAB-STOP stands on `today`, else None: the latest
    course stopped by `today` that had started by its last dose (a restart stopped before any
    injection is not the course the last injection was given on)."""
    due = domain.follow_on_due(history, today)
    if due is None:
        return None
    stopped = [
        course
        for course in history.bone_therapy
        if course.drug is domain.BoneTherapyDrug.DENOSUMAB
        and course.stop_date is not None
        and course.stop_date <= today
    ]
    given = [c for c in stopped if c.start_date is not None and c.start_date <= due.last_dose]
    course = max(given or stopped, key=lambda c: c.start_date or dt.date.min, default=None)
    if course is None or course.stop_date is None:
        return None
    return StoppedDenosumab(
        dose=course.dose or "",
        start=course.start_date,
        stop=course.stop_date,
        last_dose=due.last_dose,
        due_by=due.due_by,
        infusion_awaited=domain.follow_on_infusion_awaited(history, today),
    )


def stopped_denosumab_of(patient: Any, today: dt.date) -> StoppedDenosumab | None:
    """`stopped_denosumab` of a patient loaded with its records (`selectors.with_records`), read
    without another query; None when the rules refuse the record (its stored alerts still say
    what they last found)."""
    try:
        return stopped_denosumab(history_from_records(patient), today)
    except domain.HistoryError:
        return None


def _doctor(stopped: StoppedDenosumab, today: dt.date) -> Iterator[str]:
    dose = f" ({stopped.dose})" if stopped.dose else ""
    since = f" from {stopped.start:%Y-%m-%d}" if stopped.start else ""
    yield (
        f"Denosumab{dose}{since}, stopped {stopped.stop:%Y-%m-%d}; last dose "
        f"{stopped.last_dose:%Y-%m-%d}."
    )
    months = f"{DENOSUMAB_INTERVAL_MONTHS} months after the last dose"
    passed = stopped.due_by < today
    if stopped.infusion_awaited is not None:
        # One sentence for both dates (recheck11 #4): the first infusion is due from the
        # course's start, the follow-on it makes by the last dose + 6 months.
        deadline = (
            f"the follow-on was due by {stopped.due_by:%Y-%m-%d}, {months}: please give it now"
            if passed
            else f"the follow-on must be in place by {stopped.due_by:%Y-%m-%d}, {months}"
        )
        # Planned until the infusion is recorded (phys14 #7): the rules count none before.
        yield (
            f"Zoledronic acid is planned from {stopped.infusion_awaited:%Y-%m-%d} to follow it, "
            "but no infusion is recorded yet: its first infusion is due now, from that start, "
            f"and {deadline}."
        )
    elif passed:
        yield (
            f"No bisphosphonate follow-on is in place: one was due by {stopped.due_by:%Y-%m-%d}, "
            f"{months}; please start it now."
        )
    else:
        yield (
            f"No bisphosphonate follow-on is in place yet: one is due by "
            f"{stopped.due_by:%Y-%m-%d}, {months}."
        )
    yield (
        "Without it, bone loss rebounds quickly once denosumab has stopped, and multiple "
        "vertebral fractures can follow."
    )


def _patient(stopped: StoppedDenosumab, today: dt.date) -> Iterator[str]:
    since = f" from {stopped.start:%Y-%m-%d}" if stopped.start else ""
    yield (
        f"You had denosumab injections to protect your bones{since} until they stopped on "
        f"{stopped.stop:%Y-%m-%d}; your last injection was on {stopped.last_dose:%Y-%m-%d}."
    )
    months = f"{DENOSUMAB_INTERVAL_MONTHS} months after that injection"
    passed = stopped.due_by < today
    if stopped.infusion_awaited is not None:
        deadline = (
            f"it was needed by {stopped.due_by:%Y-%m-%d}, {months}: please contact us if you "
            "have not had it"
            if passed
            else f"it must be given by {stopped.due_by:%Y-%m-%d} at the latest, {months}"
        )
        yield (
            f"Zoledronic acid is planned from {stopped.infusion_awaited:%Y-%m-%d} to follow it: "
            f"your first infusion is due now, from that day, and {deadline}."
        )
    elif passed:
        yield (
            f"Another bone medicine should have started by {stopped.due_by:%Y-%m-%d}, {months}: "
            "please contact us so that it can start as soon as possible."
        )
    else:
        yield f"Another bone medicine needs to start by {stopped.due_by:%Y-%m-%d}, {months}."
    yield (
        "Without it, your bones can quickly get weaker after denosumab stops, and the bones of "
        "your spine can break."
    )


def stopped_denosumab_texts(
    stopped: StoppedDenosumab | None, kind: str, today: dt.date
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(text, rule ids) of the stopped denosumab course, for the patient's or doctor's letter."""
    if stopped is None:
        return
    write = _patient if kind == PATIENT else _doctor
    for text in write(stopped, today):
        yield text, RULES


# After denosumab has stopped (START_FOLLOW_ON_THERAPY) the patient needs another bone medicine;
# only which one is to discuss. Her letter said both "Your doctor will discuss with you whether you
# need a medicine that protects your bones" and "you need another bone medicine" (phys11 F5): in
# her letter the follow-on's words stand for START_BONE_THERAPY's too (`patient_follow_on`).
FOLLOW_ON = "START_FOLLOW_ON_THERAPY"
SAID_BY_FOLLOW_ON = "START_BONE_THERAPY"
PATIENT_FOLLOW_ON = (
    "As denosumab has stopped, you need another bone medicine to keep the bone it built; your "
    "doctor will discuss with you which one."
)
PATIENT_FOLLOW_ON_AWAITING_INFUSION = (
    "As denosumab has stopped, you need the zoledronic acid infusion we have planned, to keep "
    "the bone denosumab built."
)


def patient_follow_on(
    recs: Sequence[dict[str, Any]], stopped: StoppedDenosumab | None
) -> tuple[str, tuple[str, ...]] | None:
    """(text, rule ids) of START_FOLLOW_ON_THERAPY in the patient's letter, said once for it and
    for START_BONE_THERAPY (whose rules it takes in, if an older assessment holds it), opened
    with correcting the calcium first when either says so; None without it."""
    follow_on = next((rec for rec in recs if rec["code"] == FOLLOW_ON), None)
    if follow_on is None:
        return None
    start = next((rec for rec in recs if rec["code"] == SAID_BY_FOLLOW_ON), {})
    awaiting = stopped is not None and stopped.infusion_awaited is not None
    text = PATIENT_FOLLOW_ON_AWAITING_INFUSION if awaiting else PATIENT_FOLLOW_ON
    if CALCIUM_RULES.intersection((*follow_on.get("rules", ()), *start.get("rules", ()))):
        text = CALCIUM_FIRST[PATIENT] + text
    rules = (*follow_on.get("rules", ()), *start.get("rules", ()))
    return text, tuple(dict.fromkeys(rules))
