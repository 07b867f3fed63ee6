"""The entry point: `assess(history, *, as_of) -> Assessment`."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from typing import Final

from . import construct
from .rules.always import always
from .rules.bisphosphonate_duration import bisphosphonate_duration
from .rules.btm import bone_turnover
from .rules.change import SiteChange, compare_sites
from .rules.classification import lowest_t_score, risk_factors, who_category
from .rules.context import build_context
from .rules.denosumab_ai_end import denosumab_after_ai
from .rules.denosumab_follow_on_check import follow_on_turnover_check
from .rules.denosumab_late_dose import late_dose_fracture_check
from .rules.denosumab_stop import denosumab_stop
from .rules.drugs import denosumab_schedule, dental, zoledronic_schedule
from .rules.fracture_on_therapy import fracture_on_therapy
from .rules.high_labs import calcium_high, hold_supplements, vitamin_d_high
from .rules.labs import calcium, renal, vitamin_d
from .rules.low_calcium import calcium_beyond_ca_low
from .rules.projection import project
from .rules.scheduling import schedule_dexa
from .rules.therapy import recommend_therapy, risk_category, therapy_triggers
from .types import Alert, Assessment, BmdChange, History, Severity

# Alerts sort by severity (critical first), then code, then site.
_SEVERITY_FIRST: Final = {
    Severity.CRITICAL: 0,
    Severity.HIGH: 1,
    Severity.WARNING: 2,
    Severity.INFO: 3,
}


def _alert_order(alert: Alert) -> tuple[int, str, str]:
    return (_SEVERITY_FIRST[alert.severity], alert.code, alert.site or "")


_by_code = attrgetter("code")


def assess(history: History, *, as_of: dt.date) -> Assessment:
    """Apply every rule of `docs/clinical-rules.md` to `history` as seen on `as_of`.

    Data dated after `as_of` is ignored; `history.as_of` is not read (the caller decides).
    Raise `HistoryError` for a site measured twice on one date.
    """
    ctx = build_context(history, as_of)

    lowest = lowest_t_score(ctx)
    category = who_category(ctx, lowest)
    factors = risk_factors(ctx, lowest)

    compared: list[SiteChange] = []
    changes: list[BmdChange] = []
    rapid = significant_loss = False
    for judged in compare_sites(ctx):
        if isinstance(judged, SiteChange):
            compared.append(judged)
            changes.append(judged.change)
            rapid = rapid or judged.rapid
            significant_loss = significant_loss or judged.significant_decrease
        else:
            changes.append(judged)

    triggers = therapy_triggers(ctx, lowest, factors, rapid)
    rapid_sites = [judged.change.site for judged in compared if judged.rapid]
    recommend_therapy(ctx, triggers, lowest=lowest, factors=factors, rapid_sites=rapid_sites)
    risk = risk_category(
        triggers=triggers,
        has_scan=bool(ctx.scans),
        factors=factors,
        significant_loss=significant_loss,
    )
    dexa = schedule_dexa(ctx, risk, compared)
    projections = project(ctx, {c.change.site: c for c in compared})

    vitamin_d(ctx)
    calcium(ctx)
    calcium_beyond_ca_low(ctx, therapy_indicated=bool(triggers))
    renal(ctx)
    denosumab_schedule(ctx)
    denosumab_stop(ctx, triggers if not ctx.antiresorptive_planned_or_active else ())
    late_dose_fracture_check(ctx)
    follow_on_turnover_check(ctx)
    denosumab_after_ai(ctx)
    dental(ctx)
    bisphosphonate_duration(ctx)
    fracture_on_therapy(ctx)
    zoledronic_schedule(ctx)
    btm = bone_turnover(ctx)
    always(ctx)
    # CA-HIGH, VITD-HIGH (design choice, nurse13 #1): a high result holds ALWAYS's supplements.
    calcium_high(ctx)
    vitamin_d_high(ctx)
    hold_supplements(ctx)

    alerts = ctx.alerts
    if len(alerts) > 1:
        alerts.sort(key=_alert_order)
    recommendations = ctx.recommendations
    recommendations.sort(key=_by_code)
    schedule = tuple(
        construct.schedule_entry(item=item, due=due) for due, item in sorted(set(ctx.schedule))
    )
    return construct.assessment(
        as_of=as_of,
        who_category=category,
        lowest_t_score=lowest,
        risk_category=risk,
        risk_factors=factors,
        therapy_indicated=bool(triggers),
        therapy_triggers=triggers,
        next_dexa_due=dexa.next_due,
        computed_next_dexa_due=dexa.computed_due,
        bmd_changes=tuple(changes),
        projections=projections,
        btm_response=btm,
        alerts=tuple(alerts),
        recommendations=tuple(recommendations),
        schedule=schedule,
    )
