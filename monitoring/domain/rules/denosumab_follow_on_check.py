"""DMAB-FOLLOW-ON-CTX: after 2.5 years or more of denosumab and a zoledronic acid follow-on with
nothing given or planned after it, check that the infusion holds the rebound.

phys14 #5: one zoledronic acid infusion after denosumab satisfied DMAB-STOP, and nothing further
was asked. ECTS 2021, the source of DMAB-STOP, advises measuring bone turnover (CTX) 3 and 6 months
after the follow-on infusion and repeating the infusion if it rises, as one infusion may not hold
the rebound after more than 2.5 years of denosumab. The spec is silent (BTM-DUE needs a baseline
sample taken before a start, which a patient coming off denosumab rarely has). The conservative
reading, for 2.5 years or more of denosumab (`DENOSUMAB_LONG_COURSE_MONTHS`):

- Only while no antiresorptive is active or planned: a zoledronic acid course still running (the
  adjuvant 4 mg every 6 months) has its next infusion on the schedule 6 months after the last,
  the repeat ECTS 2021 would consider, given whatever the CTX; so the worked vignette 37 (denosumab
  for 4.5 years, then zoledronic acid continued) rightly asks for no marker check, and this rule
  never contradicts it. A course stopped after its infusion (a single follow-on infusion, as the
  tester's T14-04) leaves nothing scheduled: that is the gap this rule fills.
- A fasting CTX (the BTM rules' eligibility) from 60 days after the last infusion is the first
  check; one from 6 months after it, the second. The recommendation stands, due on the check
  still to do (and the schedule's `btm_check` with it, the worklist's "Record labs"), until the
  second is on file or a bisphosphonate or denosumab is given or planned again. The result is
  the physician's to judge: ECTS 2021 gives no threshold the rules could apply.
"""

from __future__ import annotations

import datetime as dt

from ..dates import add_months
from ..dose_interval import counted_doses
from ..thresholds import (
    DENOSUMAB_INTERVAL_MONTHS,
    DENOSUMAB_LONG_COURSE_MONTHS,
    FOLLOW_ON_CTX_FIRST_FROM_DAYS,
    FOLLOW_ON_CTX_MONTHS,
)
from ..types import (
    BISPHOSPHONATES,
    Analyte,
    BoneTherapyDrug,
    RecommendationCode,
    RuleId,
    ScheduleItem,
)
from .context import Context, CourseStatus, started
from .denosumab_stop import follow_on_in_place

DENOSUMAB = BoneTherapyDrug.DENOSUMAB
ZOLEDRONIC_ACID = BoneTherapyDrug.ZOLEDRONIC_ACID
_YEARS = f"{DENOSUMAB_LONG_COURSE_MONTHS / 12:g}"  # "2.5"


def follow_on_turnover_check(ctx: Context) -> None:
    """DMAB-FOLLOW-ON-CTX: CTX 3 and 6 months after the last follow-on infusion; consider a
    repeat infusion if turnover rises."""
    placed = follow_on_in_place(ctx)
    if placed is None or ctx.antiresorptive_planned_or_active:
        return
    last_injection, follow_on = placed
    if follow_on.drug is not ZOLEDRONIC_ACID:
        return  # an oral follow-on is taken for 1-2 years (ECTS 2021), not one dose
    infusions = sorted(day for t in ctx.therapies if t.drug is ZOLEDRONIC_ACID for day in t.doses)
    infusion = max((day for day in infusions if day >= last_injection), default=None)
    if infusion is None:  # the follow-on counts once infused; kept for the type checker
        return
    first_injection = _denosumab_since(ctx, last_injection)
    covered = add_months(last_injection, DENOSUMAB_INTERVAL_MONTHS)
    if add_months(first_injection, DENOSUMAB_LONG_COURSE_MONTHS) > covered:
        return
    samples = sorted(
        lab.date for lab in ctx.labs.get(Analyte.CTX, ()) if lab.fasting and lab.date >= infusion
    )
    first_due, second_due = (add_months(infusion, months) for months in FOLLOW_ON_CTX_MONTHS)
    first_from = infusion + dt.timedelta(days=FOLLOW_ON_CTX_FIRST_FROM_DAYS)
    first_done = next((day for day in samples if day >= first_from), None)
    if any(day >= second_due for day in samples):
        return
    due = second_due if first_done is not None else first_due
    done = (
        f" The first check is on file ({first_done.isoformat()}); the second is due "
        f"{second_due.isoformat()}."
        if first_done is not None
        else ""
    )
    when = (
        f"3 and 6 months after the infusion ({first_due.isoformat()} and {second_due.isoformat()})"
    )
    check = (
        f"a fasting CTX was due {when} and none is on file: check it now"
        if first_done is None and second_due < ctx.as_of
        else f"check a fasting CTX {when}"
    )
    ctx.recommend(
        RecommendationCode.CHECK_TURNOVER_AFTER_FOLLOW_ON,
        f"Denosumab for {_YEARS} years or more (from {first_injection.isoformat()}, last injection "
        f"{last_injection.isoformat()}), then zoledronic acid (infusion {infusion.isoformat()}) "
        f"with no further infusion planned: {check}, and consider a repeat infusion if it "
        "rises, as one infusion may not hold the rebound (ECTS 2021)." + done,
        [RuleId.DMAB_FOLLOW_ON_CTX],
        due=due,
    )
    ctx.plan(ScheduleItem.BTM_CHECK, due)


def _denosumab_since(ctx: Context, last_injection: dt.date) -> dt.date:
    """The first injection of the denosumab run ending with `last_injection`: back through the
    injections (DMAB-SCHEDULE's, `counted_doses`) as long as no bisphosphonate was given between
    two of them (an earlier stop with its follow-on ends the run). Conservative: a late injection
    does not end it, so the run is never counted shorter than it was."""
    courses = [t for t in started(ctx.therapies) if t.drug is DENOSUMAB and not t.never_given]
    given = [
        day
        for day in counted_doses(
            DENOSUMAB,
            doses=[day for t in courses for day in t.doses],
            starts=[t.start for t in courses],
        )
        if day <= last_injection
    ]
    first = last_injection
    for before in reversed(given[:-1]):
        if _bisphosphonate_between(ctx, before, first):
            break
        first = before
    return first


def _bisphosphonate_between(ctx: Context, after: dt.date, before: dt.date) -> bool:
    """Tell whether a bisphosphonate was given strictly between two injections: a zoledronic
    acid infusion recorded, or an oral course started (not one never taken)."""
    for therapy in ctx.therapies:
        if therapy.drug not in BISPHOSPHONATES or therapy.never_given:
            continue
        if therapy.drug is ZOLEDRONIC_ACID:
            if any(after < day < before for day in therapy.doses):
                return True
        elif (
            therapy.status is not CourseStatus.PLANNED
            and therapy.start is not None
            and after < therapy.start < before
        ):
            return True
    return False
