"""Section 7, drugs: denosumab schedule (DMAB-SCHEDULE), DENTAL, infusion dates (BP-DURATION is
`bisphosphonate_duration`).

Both parenteral drugs time their next dose from one last dose (`last_dose_on`, on every course
of the drug): the denosumab injection (DMAB-SCHEDULE, and DMAB-STOP in `denosumab_stop`) and the
zoledronic acid infusion (the schedule's `zoledronic_acid_dose`).
"""

from __future__ import annotations

import datetime as dt

from ..dates import add_months
from ..dental_review import ReviewStanding, review_standing, to_come_words, too_old_words
from ..thresholds import (
    DENOSUMAB_DUE_MAX_DAYS_LATE,
    DENOSUMAB_INTERVAL_MONTHS,
    DENOSUMAB_OVERDUE_MAX_DAYS_LATE,
    ZOLEDRONIC_INTERVAL_MONTHS,
)
from ..types import (
    AlertCode,
    BoneTherapyDrug,
    RecommendationCode,
    RuleId,
    ScheduleItem,
    Severity,
)
from .context import Context, CourseStatus, Therapy, started
from .denosumab_stop import follow_on_awaiting_infusion
from .last_doses import last_dose_on

DENOSUMAB = BoneTherapyDrug.DENOSUMAB
ZOLEDRONIC_ACID = BoneTherapyDrug.ZOLEDRONIC_ACID


def denosumab_schedule(ctx: Context) -> None:
    """DMAB-SCHEDULE: next injection 6 months after the last; alert from the due day.

    The last injection is the latest on any denosumab course started by `as_of`, a course's
    start counting as one only after a lapse of the dosing interval (`dose_interval.last_dose`;
    physician9 F11: a switch to a biosimilar moved the next injection, its overdue and its
    rebound alerts 6 months later). A course stopped with no injection recorded still counts
    here, its start as the injection the schedule assumed: the conservative reading, as it can
    only make the next injection due earlier.
    """
    courses = started(t for t in ctx.therapies if t.drug is DENOSUMAB)
    if not any(t.status is CourseStatus.ACTIVE for t in courses):
        return
    last = last_dose_on(DENOSUMAB, courses)
    if last is None:  # an active course always has a start; kept for the type checker
        return
    due = add_months(last, DENOSUMAB_INTERVAL_MONTHS)
    ctx.plan(ScheduleItem.DENOSUMAB_DOSE, due)
    late = (ctx.as_of - due).days
    if late < 0:
        return
    rules = [RuleId.DMAB_SCHEDULE]
    when = due.isoformat()
    if late <= DENOSUMAB_DUE_MAX_DAYS_LATE:
        ctx.alert(
            AlertCode.DENOSUMAB_DUE,
            Severity.WARNING,
            f"Denosumab due {when} ({late} days ago; last {last.isoformat()}): "
            + _when_to_give(
                ctx, f"give it within {DENOSUMAB_DUE_MAX_DAYS_LATE} days of the due date"
            )
            + ".",
            rules,
        )
    elif late <= DENOSUMAB_OVERDUE_MAX_DAYS_LATE:
        ctx.alert(
            AlertCode.DENOSUMAB_OVERDUE,
            Severity.HIGH,
            f"Denosumab {late} days late (due {when}): {_when_to_give(ctx, 'give it now')}.",
            rules,
        )
    else:
        ctx.alert(
            AlertCode.DENOSUMAB_REBOUND_RISK,
            Severity.CRITICAL,
            f"Denosumab {late} days late (due {when}, > {DENOSUMAB_OVERDUE_MAX_DAYS_LATE}): "
            f"rebound vertebral fracture risk; {_when_to_give(ctx, 'give it now')} and consider "
            "a bisphosphonate.",
            rules,
        )
    give_denosumab(ctx, due, rules)


def dental(ctx: Context) -> None:
    """DENTAL: zoledronic acid or denosumab planned or recently started needs a dental review.

    The spec asks only for a review date. Where it is silent, the conservative readings
    (`dental_review`): a review dated after `as_of` is an appointment, not a review done, and
    counts as missing, said with its date (late, after a start on or before `as_of`: physician10
    F8 read "no dental review documented" beside a recorded date as a contradiction); a review
    dated more than `DENTAL_REVIEW_VALID_MONTHS` (12) months before the course's start (or its
    planned start; a planned course with no start date: before `as_of`) is not the review before
    this course (nurse9 F11: a 2019 review for a 2026 start),
    so the alert stays, saying the review on record is too old and a new one is needed. A review
    after the start of a course begun without one counts (the review asked for, late). The window
    is a design choice: the drug labels and ONJ task-force advice ask for a dental examination
    before starting and fix no age.
    """
    missing: list[Therapy] = []
    dated: list[str] = []  # a review on record that does not count, said with its date
    for t in ctx.parenteral_planned_or_recent():
        review = t.course.dental_review_date
        standing = review_standing(review, start=t.start, as_of=ctx.as_of)
        drug = t.drug.replace("_", " ")
        if standing is ReviewStanding.TOO_OLD and review is not None:
            dated.append(too_old_words(review, drug=drug, start=t.start))
        elif standing is ReviewStanding.TO_COME and review is not None:
            dated.append(to_come_words(review, drug=drug, start=t.start, as_of=ctx.as_of))
        elif standing is not ReviewStanding.COUNTS:
            missing.append(t)
    if not missing and not dated:
        return
    sentences = []
    if missing:
        drugs = " and ".join(sorted({t.drug.replace("_", " ") for t in missing}))
        sentences.append(
            f"No dental review documented for {drugs} (osteonecrosis of the jaw): arrange one."
        )
    sentences.extend(
        f"{words[0].upper()}{words[1:]} (osteonecrosis of the jaw)." for words in dated
    )
    ctx.alert(
        AlertCode.DENTAL_REVIEW_MISSING, Severity.WARNING, " ".join(sentences), [RuleId.DENTAL]
    )


def zoledronic_schedule(ctx: Context) -> None:
    """Schedule the next zoledronic acid infusion: the last infusion + 6 months (the adjuvant
    4 mg every 6 months; the schedule's `zoledronic_acid_dose`), while a course is active.

    The spec says "last dose (or start) + 6 months, for an active zoledronic acid course" and
    is silent about several courses. Conservative reading, as for denosumab (`last_dose_on`,
    `dose_interval.last_dose`): the last infusion is the latest on any zoledronic acid course
    started by `as_of`, a course's start counting as one only after a lapse of the dosing
    interval. A new course opened within 6 months of the last infusion (the same drug recorded
    again by another physician, a course split in two, a backdated start) is a continuation: the
    next infusion stays 6 months after the infusion given, not after the new course's start,
    which scheduled it up to 6 months late. A course stopped with no infusion recorded still
    counts, its start the infusion the schedule assumed, as DMAB-SCHEDULE reads it: it may be a
    course whose first infusion was never entered, then switched, and leaving it out would move
    the next infusion up to 6 months later (the same courses and the same rule for both drugs).
    The pre-dose check (`dose_interval.previous_of`) reads the infusions on every course too.

    One exception, where the spec's "or start" and DMAB-STOP's stricter reading would disagree
    (phys10 F2): a course started as denosumab's follow-on with no infusion recorded, while
    DMAB-STOP stands (`follow_on_awaiting_infusion`), has its first infusion due on its start,
    not 6 months after it. DMAB-STOP counts zoledronic acid as the follow-on only once an
    infusion is recorded, so the schedule cannot assume the start was one: the infusion that
    clears the alert is then on the worklist. Conservative: it can only make the infusion due
    earlier; once it is recorded, the next is 6 months after it, as the spec says.
    """
    courses = started(t for t in ctx.therapies if t.drug is ZOLEDRONIC_ACID)
    if not any(t.status is CourseStatus.ACTIVE for t in courses):
        return
    last = last_dose_on(ZOLEDRONIC_ACID, courses)
    if last is None:  # an active course always has a start; kept for the type checker
        return
    due = add_months(last, ZOLEDRONIC_INTERVAL_MONTHS)
    awaiting = follow_on_awaiting_infusion(ctx)
    ctx.plan(ScheduleItem.ZOLEDRONIC_ACID_DOSE, min(due, awaiting) if awaiting else due)


# --- GIVE_DENOSUMAB beside the safety alerts (VITD and CA-LOW run before DMAB-SCHEDULE) ---------

# How a dose held for a low calcium is to be given (physician9 F17).
CALCIUM_FIRST = (
    "correct the low calcium first (HYPOCALCEMIA), then give it as soon as the calcium is normal"
)


def _raised(ctx: Context, code: AlertCode) -> bool:
    return ctx.raised(code)


def _when_to_give(ctx: Context, words: str) -> str:
    """`words` ("give it now"), or, with HYPOCALCEMIA raised, correct the calcium first."""
    return CALCIUM_FIRST if _raised(ctx, AlertCode.HYPOCALCEMIA) else words


def give_denosumab(ctx: Context, due: dt.date, rules: list[RuleId]) -> None:
    """GIVE_DENOSUMAB, worded with the safety alerts raised for the same patient.

    physician9 F17: the critical HYPOCALCEMIA ("do not give denosumab until it is corrected") stood
    above "Give denosumab 60 mg", and the letters said "arrange it now": two contradicting
    instructions. The spec is silent on the two together. With HYPOCALCEMIA raised the advice is
    to correct the calcium first (the label: hypocalcaemia must be corrected before the dose),
    then to give the dose as soon as the calcium is normal, as a late dose risks rebound vertebral
    fractures (Lyu 2020): the delay as short as possible.

    physician9 F9: vitamin D deficient (VITAMIN_D_DEFICIENT) with the dose due. The conservative
    reading, as the spec is silent: give the dose on time with vitamin D repletion started now,
    not held until vitamin D is replete. Holding it has a harm of its own (rebound), while the
    hypocalcaemia that the deficiency risks is what the calcium check before the dose finds
    (CA-LOW, which holds the dose when the calcium is low); so the advice also asks for a normal
    calcium before the injection.

    The rule ids of those alerts join the recommendation's (CA-LOW, VITD): the letters and pages
    word the held or repleted dose from them, and the clinician sees why.
    """
    when = due.isoformat()
    held = _raised(ctx, AlertCode.HYPOCALCEMIA)
    vitamin_d = _raised(ctx, AlertCode.VITAMIN_D_DEFICIENT)
    late_risk = "a late dose risks rebound vertebral fractures"
    if held:
        text = (
            "Correct the low calcium first (HYPOCALCEMIA: no injection until it is normal), "
            f"then give denosumab 60 mg (due {when}) as soon as it is: keep the delay as short "
            f"as possible, as {late_risk}."
        )
        if vitamin_d:
            text += " Replete vitamin D as well (VITAMIN_D_DEFICIENT)."
    elif vitamin_d:
        text = (
            f"Give denosumab 60 mg on time (due {when}) and start vitamin D repletion now "
            "(VITAMIN_D_DEFICIENT): check that the calcium is normal before the injection, but "
            f"do not delay the dose for vitamin D alone, as {late_risk}."
        )
    else:
        text = f"Give denosumab 60 mg (due {when})."
    with_rules = [*rules, *([RuleId.CA_LOW] if held else []), *([RuleId.VITD] if vitamin_d else [])]
    ctx.recommend(RecommendationCode.GIVE_DENOSUMAB, text, with_rules, due=due)
