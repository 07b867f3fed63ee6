"""DMAB-LATE-VFA: after a denosumab injection given more than 16 weeks late, look for vertebral
fractures.

DMAB-SCHEDULE raises DENOSUMAB_REBOUND_RISK (critical) while an injection is more than 112 days
late, and the alert clears the day the injection is recorded: nothing then said that the patient
had gone through the rebound window, in which vertebral fractures, often silent, may already have
happened (phys14 #8). The spec is silent. The conservative reading (Lyu 2020: the fracture risk
rises beyond 16 weeks late; ECTS 2021: multiple vertebral fractures as the effect wears off):
recommend a vertebral fracture assessment, a VFA on the DEXA scanner or a spine X-ray, after such
an injection, until a scan dated on or after it records a VFA reading (an indeterminate one asks
for the X-ray), or a fragility fracture dated on or after it is on file (the therapy rules then
act on it). A gap covered by a bisphosphonate given within it (a follow-on, then denosumab again)
is no rebound window.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import NamedTuple

from ..dates import add_months
from ..dose_interval import counted_doses
from ..thresholds import DENOSUMAB_INTERVAL_MONTHS, DENOSUMAB_OVERDUE_MAX_DAYS_LATE
from ..types import (
    BISPHOSPHONATES,
    BoneTherapyDrug,
    RecommendationCode,
    RuleId,
    VertebralFractureAssessment,
)
from .context import Context, CourseStatus, Therapy, started
from .fracture_on_therapy import dated_fractures

DENOSUMAB = BoneTherapyDrug.DENOSUMAB
# The VFA readings that answer the question (indeterminate does not).
_READ = (VertebralFractureAssessment.FRACTURE, VertebralFractureAssessment.NO_FRACTURE)


class LateDose(NamedTuple):
    """A denosumab injection given more than DENOSUMAB_OVERDUE_MAX_DAYS_LATE days after it was
    due."""

    given: dt.date
    due: dt.date
    days_late: int


def latest_late_dose(ctx: Context) -> LateDose | None:
    """The latest denosumab injection (on any course, by `as_of`) given more than 112 days after
    the one before it fell due (that injection + 6 months), with no bisphosphonate given between
    the two up to the end of those 112 days; None without one.

    The injections are DMAB-SCHEDULE's (`dose_interval.counted_doses`: the recorded doses, and a
    course's start where it counts as one, a restart after a lapse), on courses given (not a
    course stopped with no injection recorded).
    """
    courses = [t for t in started(ctx.therapies) if t.drug is DENOSUMAB and not t.never_given]
    doses = [day for t in courses for day in t.doses]
    given = counted_doses(DENOSUMAB, doses=doses, starts=[t.start for t in courses])
    latest: LateDose | None = None
    for before, dose in pairwise(given):
        due = add_months(before, DENOSUMAB_INTERVAL_MONTHS)
        late = (dose - due).days
        window_end = due + dt.timedelta(days=DENOSUMAB_OVERDUE_MAX_DAYS_LATE)
        if late > DENOSUMAB_OVERDUE_MAX_DAYS_LATE and not _covered(ctx, before, window_end):
            latest = LateDose(given=dose, due=due, days_late=late)
    return latest


def _covered(ctx: Context, first: dt.date, last: dt.date) -> bool:
    """Tell whether a bisphosphonate was given from `first` to `last`: a zoledronic acid infusion
    recorded, or an oral course started, in that span."""
    return any(_given_within(t, first, last) for t in ctx.therapies if t.drug in BISPHOSPHONATES)


def _given_within(therapy: Therapy, first: dt.date, last: dt.date) -> bool:
    if therapy.never_given or therapy.status is CourseStatus.PLANNED:
        return False
    if therapy.drug is BoneTherapyDrug.ZOLEDRONIC_ACID:
        return any(first <= day <= last for day in therapy.doses)
    return therapy.start is not None and first <= therapy.start <= last


def late_dose_fracture_check(ctx: Context) -> None:
    """DMAB-LATE-VFA: recommend a vertebral fracture assessment after a late injection."""
    late = latest_late_dose(ctx)
    if late is None:
        return
    if any(fracture.date >= late.given for fracture in dated_fractures(ctx)):
        return  # a fracture since is known: the therapy rules act on it
    read = [s for s in ctx.scans if s.date >= late.given and s.vertebral_fracture_assessment]
    if any(scan.vertebral_fracture_assessment in _READ for scan in read):
        return
    unclear = [
        scan.date.isoformat()
        for scan in read
        if scan.vertebral_fracture_assessment is VertebralFractureAssessment.INDETERMINATE
    ]
    how = (
        f"the VFA of {unclear[-1]} was indeterminate: arrange a spine X-ray"
        if unclear
        else "arrange a vertebral fracture assessment (VFA with the DEXA, or a spine X-ray)"
    )
    ctx.recommend(
        RecommendationCode.VERTEBRAL_FRACTURE_ASSESSMENT,
        f"Denosumab was given {late.days_late} days late on {late.given.isoformat()} (due "
        f"{late.due.isoformat()}; more than {DENOSUMAB_OVERDUE_MAX_DAYS_LATE} days): vertebral "
        f"fractures from the rebound are often silent; {how}.",
        [RuleId.DMAB_LATE_VFA],
    )
