"""The entry point: `assess(history, *, as_of) -> Assessment`."""

from __future__ import annotations

import datetime as dt

from .rules.always import always
from .rules.btm import bone_turnover
from .rules.change import SiteChange, compare_sites
from .rules.classification import lowest_t_score, risk_factors, who_category
from .rules.context import build_context
from .rules.drugs import (
    bisphosphonate_duration,
    denosumab_schedule,
    denosumab_stop,
    dental,
    zoledronic_schedule,
)
from .rules.labs import calcium, renal, vitamin_d
from .rules.projection import project
from .rules.scheduling import schedule_dexa
from .rules.therapy import recommend_therapy, risk_category, therapy_triggers
from .types import Assessment, History


def assess(history: History, *, as_of: dt.date) -> Assessment:
    """Apply every rule of `design/clinical-rules.md` to `history` as seen on `as_of`.

    Data dated after `as_of` is ignored; `history.as_of` is not read (the caller decides).
    Raise `HistoryError` for a site measured twice on one date.
    """
    ctx = build_context(history, as_of)

    lowest = lowest_t_score(ctx)
    category = who_category(ctx, lowest)
    factors = risk_factors(ctx, lowest)

    judged = compare_sites(ctx)
    compared = [c for c in judged if isinstance(c, SiteChange)]
    changes = tuple(c.change if isinstance(c, SiteChange) else c for c in judged)
    rapid = any(c.rapid for c in compared)
    significant_loss = any(c.significant_decrease for c in compared)

    triggers = therapy_triggers(ctx, lowest, factors, rapid)
    recommend_therapy(ctx, triggers)
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
    renal(ctx)
    denosumab_schedule(ctx)
    denosumab_stop(ctx)
    dental(ctx)
    bisphosphonate_duration(ctx)
    zoledronic_schedule(ctx)
    btm = bone_turnover(ctx)
    always(ctx)

    alerts = sorted(ctx.alerts, key=lambda a: (-a.severity.rank, a.code, a.site or ""))
    recommendations = sorted(ctx.recommendations, key=lambda r: r.code)
    schedule = sorted(set(ctx.schedule), key=lambda s: (s.due, s.item))
    return Assessment(
        as_of=as_of,
        who_category=category,
        lowest_t_score=lowest,
        risk_category=risk,
        risk_factors=factors,
        therapy_indicated=bool(triggers),
        therapy_triggers=triggers,
        next_dexa_due=dexa.next_due,
        computed_next_dexa_due=dexa.computed_due,
        bmd_changes=changes,
        projections=projections,
        btm_response=btm,
        alerts=tuple(alerts),
        recommendations=tuple(recommendations),
        schedule=tuple(schedule),
    )
