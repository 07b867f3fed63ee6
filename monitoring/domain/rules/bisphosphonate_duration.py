"""Section 7, BP-DURATION: years of bisphosphonate call for a review of the treatment.

The spec says "one oral bisphosphonate course active >= 5 years, or one zoledronic acid course
>= 3 years". One course only: alendronate for 3 years, then risedronate (a switch for reflux),
raised nothing after 7 years of bisphosphonate (phys14 #3), as would a stop and restart for dental
work. ASBMR 2016 times the review by the years of treatment, and the atypical femoral fracture risk
it weighs grows with the total duration. The conservative reading, which keeps the spec's single
course: the review counts continuous exposure (`exposure_start`), the courses of a run following on
from each other unless a gap of `BP_EXPOSURE_BREAK_MONTHS` (12) months or more separates one stop
from the next start (a design choice, thresholds.py). Any bisphosphonate counts towards the oral 5
years (the longer limit, so a mix is never held to zoledronic acid's 3); zoledronic acid's 3 years
count its own courses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from ..dates import add_months
from ..thresholds import BP_EXPOSURE_BREAK_MONTHS, ORAL_BP_REVIEW_MONTHS, ZOLEDRONIC_REVIEW_MONTHS
from ..types import BISPHOSPHONATES, AlertCode, BoneTherapyDrug, RuleId, Severity
from .context import AiState, Context, CourseStatus, Therapy, started

ZOLEDRONIC_ACID = frozenset({BoneTherapyDrug.ZOLEDRONIC_ACID})


def exposure_run(ctx: Context, drugs: Collection[BoneTherapyDrug]) -> list[Therapy]:
    """The courses of `drugs` that make the run of continuous exposure still running on `as_of`
    (earliest first), or [] when no course of them is active.

    A run is a sequence of courses started by `as_of` (never a course never given), each started
    less than `BP_EXPOSURE_BREAK_MONTHS` after the run so far stopped; an active course keeps it
    open. A course stopped before it started (a date typed wrong) counts as stopped on its start.
    """
    courses = [t for t in started(ctx.therapies) if t.drug in drugs and not t.never_given]
    run: list[Therapy] = []
    end: dt.date | None = None  # the run's last stop; None while a course of it is active
    for therapy in courses:  # by start
        start = therapy.start
        if start is None:  # started() keeps dated courses only; kept for the type checker
            continue
        if run and end is not None and add_months(end, BP_EXPOSURE_BREAK_MONTHS) <= start:
            run = []  # a break: a new run begins
        if not run:
            end = start
        run.append(therapy)
        stop = therapy.course.stop_date
        if therapy.status is CourseStatus.ACTIVE or stop is None:
            end = None
        elif end is not None:
            end = max(end, stop, start)
    return run if run and end is None else []


def exposure_start(run: list[Therapy]) -> dt.date | None:
    """The first start of a run (`exposure_run`), from which its exposure counts."""
    return run[0].start if run else None


def bisphosphonate_duration(ctx: Context) -> None:
    """BP-DURATION: >= 5 years of bisphosphonate or >= 3 years of zoledronic acid, continuous.

    "No drug holiday while the AI continues" is said only while an aromatase inhibitor is active
    (physician9 F5: it was said to a patient whose AI had stopped 7 years before); with one
    planned, still no holiday (the conservative reading: the AI is about to start). Otherwise the
    alert says a drug holiday may be considered when the fracture risk is not high (ASBMR 2016).
    """
    for drugs, months in (
        (BISPHOSPHONATES, ORAL_BP_REVIEW_MONTHS),
        (ZOLEDRONIC_ACID, ZOLEDRONIC_REVIEW_MONTHS),
    ):
        run = exposure_run(ctx, drugs)
        start = exposure_start(run)
        if start is not None and add_months(start, months) <= ctx.as_of:
            ctx.alert(
                AlertCode.BISPHOSPHONATE_DURATION_REVIEW,
                Severity.INFO,
                f"{_run_words(run)}: review the duration; {_drug_holiday_words(ctx)}.",
                [RuleId.BP_DURATION],
            )
            return


def _run_words(run: list[Therapy]) -> str:
    """The courses of a run: "alendronate since 2019-11-01" for one; for several, each with its
    dates, and that the exposure is counted across them."""
    named = [
        f"{t.drug.replace('_', ' ')} "
        + (
            f"since {t.start.isoformat()}"
            if t.status is CourseStatus.ACTIVE or t.course.stop_date is None
            else f"{t.start.isoformat()} to {t.course.stop_date.isoformat()}"
        )
        for t in run
        if t.start is not None
    ]
    if len(named) == 1:
        return named[0]
    first = exposure_start(run)
    since = first.isoformat() if first else ""
    return (
        f"{', then '.join(named)} (bisphosphonate since {since}, no break of "
        f"{BP_EXPOSURE_BREAK_MONTHS} months or more)"
    )


def _drug_holiday_words(ctx: Context) -> str:
    """What BP-DURATION says of a drug holiday, by the state of the aromatase inhibitor."""
    holiday = "a drug holiday may be considered if the fracture risk is not high (ASBMR 2016)"
    return {
        AiState.ACTIVE: "no drug holiday while the aromatase inhibitor continues",
        AiState.PLANNED: "no drug holiday with an aromatase inhibitor planned",
        AiState.STOPPED: f"the aromatase inhibitor has stopped: {holiday}",
        AiState.NONE: f"no aromatase inhibitor is recorded: {holiday}",
    }[ctx.ai_state]
