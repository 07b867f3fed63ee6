"""Section 8: response of bone turnover markers to the latest antiresorptive (BTM-*)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from operator import attrgetter

from ..dates import add_months
from ..rounding import round_1
from ..thresholds import (
    BTM_BASELINE_DAYS_BEFORE,
    BTM_CHECK_MONTHS,
    BTM_FOLLOW_UP_MAX_DAYS,
    BTM_FOLLOW_UP_MIN_DAYS,
    BTM_WINDOW_MONTHS,
    CTX_ADEQUATE_FALL_PCT,
    CTX_NOT_CONFIRMED_FALL_PCT,
    P1NP_ADEQUATE_FALL_PCT,
)
from ..types import (
    AlertCode,
    Analyte,
    BtmResponse,
    BtmResult,
    LabResult,
    RecommendationCode,
    RuleId,
    ScheduleItem,
    Severity,
)
from .context import Context, started

_by_date = attrgetter("date")

_RESULT_ALERTS = {
    BtmResult.ADEQUATE: (AlertCode.BTM_RESPONSE_ADEQUATE, Severity.INFO),
    BtmResult.NOT_CONFIRMED: (AlertCode.BTM_RESPONSE_NOT_CONFIRMED, Severity.WARNING),
    BtmResult.INADEQUATE: (AlertCode.BTM_RESPONSE_INADEQUATE, Severity.WARNING),
}


def _eligible(ctx: Context, analyte: Analyte) -> list[LabResult]:
    """Samples of `analyte` fit to judge, by date: CTX only when fasting (it varies with food)."""
    samples = sorted(ctx.labs.get(analyte, ()), key=_by_date)
    if analyte is Analyte.CTX:
        return [s for s in samples if s.fasting]
    return samples


def _pair(
    ctx: Context, analyte: Analyte, start: dt.date
) -> tuple[LabResult | None, LabResult | None]:
    """Return (baseline, follow-up) for `analyte` around a course starting on `start`."""
    first_baseline = start - dt.timedelta(days=BTM_BASELINE_DAYS_BEFORE)
    first_follow_up = start + dt.timedelta(days=BTM_FOLLOW_UP_MIN_DAYS)
    last_follow_up = start + dt.timedelta(days=BTM_FOLLOW_UP_MAX_DAYS)
    baseline: LabResult | None = None
    follow_up: LabResult | None = None
    for sample in _eligible(ctx, analyte):
        if first_baseline <= sample.date <= start:
            baseline = sample  # the latest wins
        elif first_follow_up <= sample.date <= last_follow_up and follow_up is None:
            follow_up = sample  # the earliest wins
    return baseline, follow_up


def _change_pct(baseline: LabResult | None, follow_up: LabResult | None) -> Decimal | None:
    if baseline is None or follow_up is None or baseline.value <= 0:
        return None
    return round_1((follow_up.value - baseline.value) / baseline.value * 100)


def bone_turnover(ctx: Context) -> BtmResponse | None:
    """BTM-RESPONSE and BTM-DUE for the antiresorptive course started most recently."""
    courses = started(ctx.therapies)
    if not courses:
        return None
    course = courses[-1]
    start = course.start
    if start is None or ctx.as_of > add_months(start, BTM_WINDOW_MONTHS):
        return None
    ctx_base, ctx_follow = _pair(ctx, Analyte.CTX, start)
    p1np_base, p1np_follow = _pair(ctx, Analyte.P1NP, start)
    ctx_change = _change_pct(ctx_base, ctx_follow)
    p1np_change = _change_pct(p1np_base, p1np_follow)
    drug = course.drug.replace("_", " ")

    if ctx_change is None and p1np_change is None:
        days = (ctx.as_of - start).days
        has_baseline = ctx_base is not None or p1np_base is not None
        if has_baseline and BTM_FOLLOW_UP_MIN_DAYS <= days <= BTM_FOLLOW_UP_MAX_DAYS:
            check = add_months(start, BTM_CHECK_MONTHS)
            ctx.recommend(
                RecommendationCode.CHECK_BTM_RESPONSE,
                f"Measure fasting CTX and P1NP (due {check.isoformat()}) to judge the response to "
                f"{drug} started {start.isoformat()}.",
                [RuleId.BTM_DUE],
            )
            ctx.plan(ScheduleItem.BTM_CHECK, check)
        return None

    if (ctx_change is not None and -ctx_change >= CTX_ADEQUATE_FALL_PCT) or (
        p1np_change is not None and -p1np_change >= P1NP_ADEQUATE_FALL_PCT
    ):
        result = BtmResult.ADEQUATE
    elif (
        p1np_change is None
        and ctx_change is not None
        and CTX_NOT_CONFIRMED_FALL_PCT <= -ctx_change < CTX_ADEQUATE_FALL_PCT
    ):
        result = BtmResult.NOT_CONFIRMED
    else:
        result = BtmResult.INADEQUATE
    parts = []
    if ctx_change is not None:
        parts.append(f"CTX {ctx_change:+} %")
    if p1np_change is not None:
        parts.append(f"P1NP {p1np_change:+} %")
    advice = {
        BtmResult.ADEQUATE: "the drug is working",
        BtmResult.NOT_CONFIRMED: "measure P1NP to confirm the response",
        BtmResult.INADEQUATE: "check adherence and intake, or switch drug",
    }[result]
    code, severity = _RESULT_ALERTS[result]
    ctx.alert(
        code,
        severity,
        f"Bone turnover marker response to {drug}: {result.replace('_', ' ')} "
        f"({', '.join(parts)}; adequate is CTX -{CTX_ADEQUATE_FALL_PCT} % or P1NP "
        f"-{P1NP_ADEQUATE_FALL_PCT} %): {advice}.",
        [RuleId.BTM_RESPONSE],
    )
    return BtmResponse(
        drug=course.drug, ctx_change_pct=ctx_change, p1np_change_pct=p1np_change, result=result
    )
