"""Section 7, DMAB-STOP: a stopped denosumab course needs a bisphosphonate follow-on.

What counts as the follow-on (`_follow_on`), and the zoledronic acid course started as the
follow-on whose infusion is not recorded yet (`follow_on_awaiting_infusion`): its own alert
(DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED, the decision made, the infusion to give), and the infusion
the zoledronic acid schedule (`drugs.zoledronic_schedule`) lists as due on its start.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from ..dates import add_months
from ..thresholds import DENOSUMAB_FOLLOW_ON_ORAL_MIN_MONTHS, DENOSUMAB_INTERVAL_MONTHS
from ..types import (
    BISPHOSPHONATES,
    AlertCode,
    BoneTherapyDrug,
    History,
    RecommendationCode,
    RuleId,
    Severity,
)
from .context import Context, CourseStatus, Therapy, build_context, started
from .labs import bisphosphonate_kidney_words
from .last_doses import last_dose_on
from .low_calcium import calcium_first
from .vitamin_d_first import vitamin_d_first

DENOSUMAB = BoneTherapyDrug.DENOSUMAB
ZOLEDRONIC_ACID = BoneTherapyDrug.ZOLEDRONIC_ACID


def denosumab_stop(ctx: Context, triggers: tuple[RuleId, ...] = ()) -> None:
    """DMAB-STOP: a stopped denosumab course needs a bisphosphonate by last dose + 6 months.

    Its START_FOLLOW_ON_THERAPY is then the one advice to start an antiresorptive: TX triggers
    that fire (`triggers`) raise no START_BONE_THERAPY beside it (`therapy.recommend_therapy`,
    clinicians: "start a bisphosphonate or denosumab" beside "start a bisphosphonate"
    contradicted it), so the advice names them and carries their rules. With a low calcium it
    opens with correcting it first (`low_calcium.calcium_first`), as START_BONE_THERAPY does;
    with a deficient vitamin D, with repleting it now (`vitamin_d_first`).

    The last dose is DMAB-SCHEDULE's (`last_dose_on`, on any course). What counts as the
    follow-on, where the spec says only "a bisphosphonate course started on or after the last
    dose" (conservative readings, `_follow_on`): an oral bisphosphonate while it runs, or, once
    stopped, only if it ran at least 12 months (ECTS 2021: an oral bisphosphonate for 1-2 years
    after denosumab; physician9 F1: one stopped after a week cleared the critical alert for
    good); zoledronic acid once an infusion is recorded.

    A zoledronic acid course started as the follow-on with no infusion recorded yet
    (`follow_on_awaiting_infusion`) is no follow-on yet, so the rule still stands, at the same
    severity; but the decision is made and the work left is the infusion. It raises
    DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED in place of DENOSUMAB_STOPPED_NO_FOLLOW_ON (never both:
    the one asks a physician for a therapy decision, the other for an infusion), and its words
    and advice are to record the infusion, not to start a follow-on by a date that may have
    passed (phys10 F2: "start one by 2026-06-01" beside the course just started); the schedule
    lists that infusion as due on the course's start (`zoledronic_schedule`), so it is on the
    worklist, where this alert's code asks for no decision row. The advice is due by the
    alert's date (last dose + 6 months, on which its severity turns), not by the course's start
    (phys13 #11); its words say the infusion has been due since that start. The pages label it
    as the infusion to give, not a therapy to start (`labels.recommendation_label`).
    """
    standing = _stop_standing(ctx)
    if standing is None:
        return
    last, candidates = standing
    awaiting = _awaiting_infusion(candidates)
    by = _due_by(last)
    severity = Severity.WARNING if ctx.as_of <= by else Severity.CRITICAL
    rules = [RuleId.DMAB_STOP]
    named = [t for t in candidates if t not in awaiting]
    passed = by < ctx.as_of
    if awaiting:
        started_on = min(t.start for t in awaiting if t.start is not None)
        code = AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED
        # One sentence for both dates (recheck11 #4): the infusion is due from the course's
        # start, the follow-on it makes is due by the last dose + 6 months.
        deadline = (
            f"the follow-on was due by {by.isoformat()}: give it now"
            if passed
            else f"the follow-on must be in place by {by.isoformat()}"
        )
        message = (
            f"Denosumab stopped (last dose {last.isoformat()}) with no bisphosphonate follow-on "
            f"given since{_not_follow_on(named)}: zoledronic acid started on "
            f"{started_on.isoformat()} as the follow-on, its first infusion due from that start "
            f"and not recorded yet; {deadline} to prevent rebound vertebral fractures (it counts "
            "once the infusion is recorded)."
        )
    else:
        code = AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON
        # A date already passed is said as passed (recheck11 #8: "start one by" a past date).
        when = (
            f"one was due by {by.isoformat()} and is overdue: start one now"
            if passed
            else f"start one by {by.isoformat()}"
        )
        message = (
            f"Denosumab stopped (last dose {last.isoformat()}) with no bisphosphonate follow-on "
            f"since{_not_follow_on(named)}: {when} to prevent rebound vertebral fractures."
        )
    ctx.alert(code, severity, message, rules)
    # Kidney function that rules out the bisphosphonates is said with the advice (physician8
    # D8), not left for the checklist to refuse the drug named.
    kidney = bisphosphonate_kidney_words(ctx)
    if awaiting:
        # One date and one urgency with the alert (phys13 #11: "overdue since" the course's
        # start beside the alert's warning "in place by" the last dose + 6 months): the advice is
        # due by DMAB-STOP's date, the alert's, and says the infusion has been due since the
        # course started; the schedule's infusion row keeps the start (`zoledronic_schedule`).
        deadline = (
            f"it was due by {by.isoformat()}: give it now"
            if passed
            else f"it must be given by {by.isoformat()}"
        )
        advice = (
            f"Give the first zoledronic acid infusion, due since the course started on "
            f"{started_on.isoformat()}, and record it: it is the follow-on after denosumab once "
            f"given, and {deadline} to prevent rebound vertebral fractures."
        )
        due = by
        if kidney:
            advice = f"{advice} {kidney}"
    elif kidney:
        was = "was" if passed else "is"
        advice = (
            f"A bisphosphonate follow-on {was} due by {by.isoformat()} after denosumab. {kidney}"
        )
        due = by
    elif passed:
        advice = (
            f"Start a bisphosphonate (e.g. zoledronic acid) now: it was due by {by.isoformat()} "
            "after denosumab."
        )
        due = by
    else:
        advice = (
            f"Start a bisphosphonate (e.g. zoledronic acid) by {by.isoformat()} after denosumab."
        )
        due = by
    first, calcium_rule = calcium_first(ctx)
    replete, vitamin_d_rule = vitamin_d_first(ctx, follow_on=True)  # phys13 #5
    if triggers:
        advice = (
            # The triggers are in its rules, which the pages link; the words name no rule id,
            # as the letter to the family doctor must not (nurse12 F8).
            f"{advice} Bone-protective therapy is also indicated: this follow-on is the "
            "antiresorptive to start."
        )
    ctx.recommend(
        RecommendationCode.START_FOLLOW_ON_THERAPY,
        f"{first}{replete}{advice}",
        [*rules, *triggers, *(rule for rule in (calcium_rule, vitamin_d_rule) if rule)],
        due=due,
    )


def follow_on_stands(ctx: Context) -> bool:
    """Tell whether DMAB-STOP stands (a stopped denosumab course awaits its follow-on)."""
    return _stop_standing(ctx) is not None


def _stop_standing(ctx: Context) -> tuple[dt.date, list[Therapy]] | None:
    """(the last denosumab dose, the bisphosphonate courses started since that are no
    follow-on) when DMAB-STOP stands, else None."""
    stopped = _after_stop(ctx)
    if stopped is None:
        return None
    last, candidates = stopped
    if any(_follow_on(t) for t in candidates):
        return None
    return last, candidates


def follow_on_in_place(ctx: Context) -> tuple[dt.date, Therapy] | None:
    """(the last denosumab dose, the follow-on) once the most recently started denosumab course
    is stopped and a bisphosphonate course counts as its follow-on (`_follow_on`: DMAB-STOP no
    longer stands), the earliest started if several; else None."""
    stopped = _after_stop(ctx)
    if stopped is None:
        return None
    last, candidates = stopped
    following = [t for t in candidates if _follow_on(t)]
    first = min(following, key=lambda t: (t.start or dt.date.min, t.position), default=None)
    return None if first is None else (last, first)


def _after_stop(ctx: Context) -> tuple[dt.date, list[Therapy]] | None:
    """(the last denosumab dose, the bisphosphonate courses started from it up to `as_of`) when
    the most recently started denosumab course is stopped, else None."""
    courses = started(t for t in ctx.therapies if t.drug is DENOSUMAB)
    if not courses or courses[-1].status is not CourseStatus.STOPPED:
        return None
    # A restart stopped with no injection recorded was never given (Therapy.never_given): the
    # last injection is the one before it, on an earlier course (conservative: the alert is
    # timed from that earlier dose, not from the restart's start). With no earlier course, the
    # course's start counts as the schedule counts it.
    given = [t for t in courses if not t.never_given] or courses
    if given[-1].status is not CourseStatus.STOPPED:
        return None
    last = last_dose_on(DENOSUMAB, given)
    if last is None:
        return None
    candidates = [
        t
        for t in ctx.therapies
        if t.drug in BISPHOSPHONATES and t.start is not None and last <= t.start <= ctx.as_of
    ]
    return last, candidates


def _awaiting_infusion(candidates: list[Therapy]) -> list[Therapy]:
    """The active zoledronic acid courses among DMAB-STOP's `candidates`: started as the
    follow-on, no infusion recorded yet (else they would be the follow-on)."""
    return [
        t
        for t in candidates
        if t.drug is ZOLEDRONIC_ACID and t.status is CourseStatus.ACTIVE and not t.doses
    ]


def follow_on_awaiting_infusion(ctx: Context) -> dt.date | None:
    """The start of the zoledronic acid course started as denosumab's follow-on whose infusion
    is not recorded yet, while DMAB-STOP stands (the earliest, if several); else None."""
    standing = _stop_standing(ctx)
    if standing is None:
        return None
    starts = [t.start for t in _awaiting_infusion(standing[1]) if t.start is not None]
    return min(starts, default=None)


def follow_on_infusion_awaited(history: History, as_of: dt.date) -> dt.date | None:
    """`follow_on_awaiting_infusion` of `history` on `as_of`, for the pre-dose check: the first
    infusion of that course is due on its start, so its start is no previous dose (an infusion
    given days after the start is not "too early")."""
    return follow_on_awaiting_infusion(build_context(history, as_of))


class FollowOnDue(NamedTuple):
    """DMAB-STOP as it stands: the last denosumab dose and the date the bisphosphonate follow-on
    is due by (last dose + 6 months)."""

    last_dose: dt.date
    due_by: dt.date


def follow_on_due(history: History, as_of: dt.date) -> FollowOnDue | None:
    """DMAB-STOP's last dose and follow-on date on `as_of`, while it stands (else None), for the
    pages that name the stopped course: the letters and the summary (phys11 F1, F9)."""
    standing = _stop_standing(build_context(history, as_of))
    if standing is None:
        return None
    last = standing[0]
    return FollowOnDue(last_dose=last, due_by=_due_by(last))


def _due_by(last_dose: dt.date) -> dt.date:
    """The day DMAB-STOP's follow-on is due by: the last denosumab dose + 6 months."""
    return add_months(last_dose, DENOSUMAB_INTERVAL_MONTHS)


def _follow_on(therapy: Therapy) -> bool:
    """Tell whether a bisphosphonate course started after the last denosumab dose is its
    follow-on (DMAB-STOP): never one never given (Therapy.never_given: an oral course stopped
    on its start date); zoledronic acid once an infusion is recorded (a course with none yet is
    an infusion still to give, physician8 D1); an oral one while it runs, or stopped after at
    least DENOSUMAB_FOLLOW_ON_ORAL_MIN_MONTHS."""
    if therapy.never_given:
        return False
    if therapy.drug is BoneTherapyDrug.ZOLEDRONIC_ACID:
        return bool(therapy.doses)
    if therapy.status is not CourseStatus.STOPPED:
        return True
    stop, start = therapy.course.stop_date, therapy.start
    return (
        start is not None
        and stop is not None
        and add_months(start, DENOSUMAB_FOLLOW_ON_ORAL_MIN_MONTHS) <= stop
    )


def _not_follow_on(courses: list[Therapy]) -> str:
    """Name the bisphosphonate courses after the last dose that are no follow-on, and why."""
    words = []
    for therapy in courses:
        if therapy.start is None or therapy.never_taken:
            continue
        name = f"{therapy.drug.replace('_', ' ')} from {therapy.start.isoformat()}"
        if therapy.drug is BoneTherapyDrug.ZOLEDRONIC_ACID:
            words.append(f"{name}, no infusion recorded")
        elif therapy.course.stop_date is not None:
            words.append(
                f"{name}, stopped {therapy.course.stop_date.isoformat()} before "
                f"{DENOSUMAB_FOLLOW_ON_ORAL_MIN_MONTHS} months"
            )
    return f" ({'; '.join(words)})" if words else ""
