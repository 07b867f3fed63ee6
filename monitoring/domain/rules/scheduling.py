"""Section 5: when the next DEXA is due (SCHED-*)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from ..dates import add_months
from ..thresholds import (
    BASELINE_GRACE_MONTHS,
    INTERVAL_HIGH_MONTHS,
    INTERVAL_LOW_MONTHS,
    INTERVAL_MODERATE_MONTHS,
    INTERVAL_STABLE_ON_THERAPY_MONTHS,
    STABLE_ON_THERAPY_MIN_MONTHS,
)
from ..types import AlertCode, RecommendationCode, RiskCategory, RuleId, ScheduleItem, Severity
from .change import SiteChange
from .context import Context, CourseStatus
from .fracture_on_therapy import fracture_since_start
from .labs import kidney_rules_out


class DexaSchedule(NamedTuple):
    next_due: dt.date
    computed_due: dt.date


_INTERVALS = {
    RiskCategory.LOW: (INTERVAL_LOW_MONTHS, RuleId.SCHED_LOW),
    RiskCategory.MODERATE: (INTERVAL_MODERATE_MONTHS, RuleId.SCHED_MODERATE),
    RiskCategory.HIGH: (INTERVAL_HIGH_MONTHS, RuleId.SCHED_HIGH),
    # Cannot happen with a scan on file; the shortest interval is the conservative fallback.
    RiskCategory.UNKNOWN: (INTERVAL_HIGH_MONTHS, RuleId.SCHED_HIGH),
}

# The months each rule that dates the next DEXA from the latest scan adds to it.
_INTERVAL_OF_RULE = {rule: months for months, rule in _INTERVALS.values()} | {
    RuleId.SCHED_STABLE_ON_THERAPY: INTERVAL_STABLE_ON_THERAPY_MONTHS
}


def interval_rule(rules: Sequence[RuleId]) -> tuple[RuleId, int] | None:
    """The rule among `rules` that dated the next DEXA from the latest scan (SCHED-LOW, -MODERATE,
    -HIGH or -STABLE-ON-THERAPY) and its interval in months; None when none of them did (SCHED-
    BASELINE: the date is the AI start, or `as_of`)."""
    return next(
        ((rule, _INTERVAL_OF_RULE[rule]) for rule in rules if rule in _INTERVAL_OF_RULE), None
    )


def stable_on_therapy(ctx: Context, latest_scan: dt.date, compared: Sequence[SiteChange]) -> bool:
    """SCHED-STABLE-ON-THERAPY: >= 24 months on one active course at the latest scan, no loss.

    A course with a fragility fracture dated after its start is not stable, whatever the BMD
    (`fracture_since_start`; the spec is silent, the conservative reading): a VFA fracture seen
    on the latest scan no longer sets the next DEXA 24 months after that very scan.

    Nor is a course whose drug the latest kidney function rules out (RENAL_CONTRAINDICATION:
    `labs.kidney_rules_out`): it is to stop, so the patient will not stay on it for the 24 months
    the interval assumes (phys14 #11: alendronate at eGFR 32 had its next DEXA set 24 months
    out). The spec is silent; the conservative reading: the risk category's interval applies.
    """
    if not compared or any(change.significant_decrease for change in compared):
        return False
    return any(
        therapy.start is not None
        and add_months(therapy.start, STABLE_ON_THERAPY_MIN_MONTHS) <= latest_scan
        and not fracture_since_start(ctx, therapy)
        and not kidney_rules_out(ctx, therapy.drug)
        for therapy in ctx.therapies_with(CourseStatus.ACTIVE)
    )


def plan_met_by(ctx: Context) -> dt.date | None:
    """Return the date of the first scan that fulfilled the physician's plan, or None.

    SCHED-PLAN is silent on a scan done after the plan was set. The reading: the plan asked for
    a scan, so the first scan dated after the day the plan was set (and on or before `as_of`)
    fulfils it, and the computed date applies again; a plan left standing would ask for another
    scan days later and raise DEXA_OVERDUE after its date. A scan of the day the plan was set
    does not: a physician usually sets a plan after reading that day's scan, and the plan must
    not be dropped as soon as it is made (the conservative side: at worst it asks for a scan the
    physician can clear by changing the plan). A plan without its set date (an older history) is
    never judged fulfilled.
    """
    plan = ctx.history.plan
    if plan is None or plan.next_dexa_due is None or plan.set_on is None:
        return None
    return next((scan.date for scan in ctx.scans if scan.date > plan.set_on), None)


def schedule_dexa(ctx: Context, risk: RiskCategory, compared: Sequence[SiteChange]) -> DexaSchedule:
    """Compute the next DEXA, apply the physician's plan, raise the baseline and overdue alerts."""
    met_by = plan_met_by(ctx)
    plan = ctx.history.plan
    planned = plan.next_dexa_due if plan is not None and met_by is None else None
    if not ctx.scans:
        ai_start = ctx.ai_start
        computed = ai_start if ai_start is not None else ctx.as_of
        rules = [RuleId.SCHED_BASELINE]
        next_due = planned or computed
        if ai_start is None or ctx.as_of <= add_months(ai_start, BASELINE_GRACE_MONTHS):
            # Without an AI the due date is `as_of` (SCHED-BASELINE): said so, never "at the
            # start of the aromatase inhibitor" to a patient who has none (physician10 F10).
            why = (
                "at the start of the aromatase inhibitor"
                if ai_start is not None
                else "no aromatase inhibitor on record: due now"
            )
            ctx.alert(
                AlertCode.BASELINE_DEXA_DUE,
                Severity.WARNING,
                f"Baseline DEXA due {computed.isoformat()} ({why}).",
                rules,
            )
        else:
            ctx.alert(
                AlertCode.BASELINE_DEXA_MISSING,
                Severity.HIGH,
                f"No baseline DEXA more than {BASELINE_GRACE_MONTHS} months after the aromatase "
                f"inhibitor started ({ai_start.isoformat()}): book one now.",
                rules,
            )
        if planned is not None:
            rules.append(RuleId.SCHED_PLAN)
        ctx.recommend(
            RecommendationCode.BASELINE_DEXA,
            f"Baseline DEXA (lumbar spine and hip) by {next_due.isoformat()}.",
            rules,
            due=next_due,
        )
        ctx.plan(ScheduleItem.DEXA, next_due)
        return DexaSchedule(next_due=next_due, computed_due=computed)

    latest_scan = ctx.scans[-1].date
    if stable_on_therapy(ctx, latest_scan, compared):
        months, rule = INTERVAL_STABLE_ON_THERAPY_MONTHS, RuleId.SCHED_STABLE_ON_THERAPY
    else:
        months, rule = _INTERVALS[risk]
    computed = add_months(latest_scan, months)
    next_due = planned or computed
    rules = [rule] if planned is None else [rule, RuleId.SCHED_PLAN]
    if ctx.as_of > next_due:
        ctx.alert(
            AlertCode.DEXA_OVERDUE,
            Severity.WARNING,
            f"DEXA was due {next_due.isoformat()} (last scan {latest_scan.isoformat()}): book it.",
            [RuleId.SCHED_OVERDUE],
        )
    if planned:
        why = f"(physician's plan; the rules give {computed.isoformat()})."
    else:
        why = f"({months} months after {latest_scan.isoformat()})."
        if met_by is not None and plan is not None and plan.next_dexa_due is not None:
            why += (
                f" The physician's plan (DEXA by {plan.next_dexa_due.isoformat()}) was met by "
                f"the scan of {met_by.isoformat()}."
            )
            rules.append(RuleId.SCHED_PLAN)
    # nurse13 #17: a date passed read as an instruction for the future ("by 2025-05-01" in
    # 2026); past it (DEXA_OVERDUE) the words say it was due and to book it.
    when = (
        f": it was due by {next_due.isoformat()} {why} Book it."
        if ctx.as_of > next_due
        else f" by {next_due.isoformat()} {why}"
    )
    ctx.recommend(
        RecommendationCode.REPEAT_DEXA,
        f"Repeat DEXA on the same scanner{when}",
        rules,
        due=next_due,
    )
    ctx.plan(ScheduleItem.DEXA, next_due)
    return DexaSchedule(next_due=next_due, computed_due=computed)
