"""Fast builders for the frozen output dataclasses the engine creates many times per assessment.

A frozen dataclass's `__init__` sets each field with `object.__setattr__`, looked up anew per
field; for the ~25 output objects of one assessment that was a fifth of `assess`. These builders
make the same objects (`__init__` has no other effect here: no `__post_init__`, no `init=False`
field, every field passed) by writing each slot through its member descriptor, about three
times faster. Equality, hashing, `repr` and pickling see the same fields.

Each builder takes the same keyword-only arguments, with the same defaults, as its class, so a
call reads like the constructor: `construct.alert(code=..., severity=..., ...)` for
`Alert(code=..., severity=..., ...)`. Each builder names its class's fields in order;
`_slot_setters` checks them against `dataclasses.fields` at import, so a field added to a type
without updating its builder fails loudly on import instead of leaving the slot unset, and
`test_construct.py` checks each builder's signature against its class's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import fields
from decimal import Decimal
from typing import Any

from .types import (
    Alert,
    AlertCode,
    Assessment,
    BmdChange,
    BtmResponse,
    LowestTScore,
    Projection,
    ProjectionBasis,
    Recommendation,
    RecommendationCode,
    RiskCategory,
    RiskFactor,
    RuleId,
    ScheduleEntry,
    ScheduleItem,
    Severity,
    Site,
    WhoCategory,
)

_Setter = Callable[[object, Any], None]
_new = object.__new__


def _slot_setters(cls: type, *names: str) -> tuple[_Setter, ...]:
    """Return the slot setters of `cls` for `names`, which must be all its fields, in order."""
    declared = tuple(f.name for f in fields(cls))
    if names != declared:
        raise TypeError(f"construct.py lists {names} for {cls.__name__}, which has {declared}")
    if any(f.init is False for f in fields(cls)) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}.__init__ does more than set its fields")
    return tuple(cls.__dict__[name].__set__ for name in names)


_ALERT = _slot_setters(Alert, "code", "severity", "message", "rules", "sources", "site")
_RECOMMENDATION = _slot_setters(Recommendation, "code", "message", "rules", "sources", "due")
_BMD_CHANGE = _slot_setters(
    BmdChange,
    "site",
    "from_date",
    "to_date",
    "same_scanner",
    "change_g_cm2",
    "change_pct",
    "annualized_pct",
    "lsc_g_cm2",
    "significant",
)
_PROJECTION = _slot_setters(
    Projection, "site", "basis", "crosses_minus_2_0_on", "crosses_minus_2_5_on"
)
_SCHEDULE_ENTRY = _slot_setters(ScheduleEntry, "item", "due")
_LOWEST = _slot_setters(LowestTScore, "site", "value", "date")
_ASSESSMENT = _slot_setters(
    Assessment,
    "as_of",
    "who_category",
    "lowest_t_score",
    "risk_category",
    "risk_factors",
    "therapy_indicated",
    "therapy_triggers",
    "next_dexa_due",
    "computed_next_dexa_due",
    "bmd_changes",
    "projections",
    "btm_response",
    "alerts",
    "recommendations",
    "schedule",
)


def alert(
    *,
    code: AlertCode,
    severity: Severity,
    message: str,
    rules: tuple[RuleId, ...],
    sources: tuple[str, ...],
    site: Site | None = None,
) -> Alert:
    obj = _new(Alert)
    set_code, set_severity, set_message, set_rules, set_sources, set_site = _ALERT
    set_code(obj, code)
    set_severity(obj, severity)
    set_message(obj, message)
    set_rules(obj, rules)
    set_sources(obj, sources)
    set_site(obj, site)
    return obj


def recommendation(
    *,
    code: RecommendationCode,
    message: str,
    rules: tuple[RuleId, ...],
    sources: tuple[str, ...],
    due: dt.date | None = None,
) -> Recommendation:
    obj = _new(Recommendation)
    set_code, set_message, set_rules, set_sources, set_due = _RECOMMENDATION
    set_code(obj, code)
    set_message(obj, message)
    set_rules(obj, rules)
    set_sources(obj, sources)
    set_due(obj, due)
    return obj


def bmd_change(
    *,
    site: Site,
    from_date: dt.date,
    to_date: dt.date,
    same_scanner: bool,
    change_g_cm2: Decimal | None = None,
    change_pct: Decimal | None = None,
    annualized_pct: Decimal | None = None,
    lsc_g_cm2: Decimal | None = None,
    significant: bool | None = None,
) -> BmdChange:
    obj = _new(BmdChange)
    (
        set_site,
        set_from_date,
        set_to_date,
        set_same_scanner,
        set_change_g_cm2,
        set_change_pct,
        set_annualized_pct,
        set_lsc_g_cm2,
        set_significant,
    ) = _BMD_CHANGE
    set_site(obj, site)
    set_from_date(obj, from_date)
    set_to_date(obj, to_date)
    set_same_scanner(obj, same_scanner)
    set_change_g_cm2(obj, change_g_cm2)
    set_change_pct(obj, change_pct)
    set_annualized_pct(obj, annualized_pct)
    set_lsc_g_cm2(obj, lsc_g_cm2)
    set_significant(obj, significant)
    return obj


def projection(
    *,
    site: Site,
    basis: ProjectionBasis,
    crosses_minus_2_0_on: dt.date | None,
    crosses_minus_2_5_on: dt.date | None,
) -> Projection:
    obj = _new(Projection)
    set_site, set_basis, set_2_0, set_2_5 = _PROJECTION
    set_site(obj, site)
    set_basis(obj, basis)
    set_2_0(obj, crosses_minus_2_0_on)
    set_2_5(obj, crosses_minus_2_5_on)
    return obj


def schedule_entry(*, item: ScheduleItem, due: dt.date) -> ScheduleEntry:
    obj = _new(ScheduleEntry)
    set_item, set_due = _SCHEDULE_ENTRY
    set_item(obj, item)
    set_due(obj, due)
    return obj


def lowest_t_score(*, site: Site, value: Decimal, date: dt.date) -> LowestTScore:
    obj = _new(LowestTScore)
    set_site, set_value, set_date = _LOWEST
    set_site(obj, site)
    set_value(obj, value)
    set_date(obj, date)
    return obj


def assessment(
    *,
    as_of: dt.date,
    who_category: WhoCategory,
    lowest_t_score: LowestTScore | None,
    risk_category: RiskCategory,
    risk_factors: tuple[RiskFactor, ...],
    therapy_indicated: bool,
    therapy_triggers: tuple[RuleId, ...],
    next_dexa_due: dt.date,
    computed_next_dexa_due: dt.date,
    bmd_changes: tuple[BmdChange, ...],
    projections: tuple[Projection, ...],
    btm_response: BtmResponse | None,
    alerts: tuple[Alert, ...],
    recommendations: tuple[Recommendation, ...],
    schedule: tuple[ScheduleEntry, ...],
) -> Assessment:
    obj = _new(Assessment)
    (
        set_as_of,
        set_who_category,
        set_lowest_t_score,
        set_risk_category,
        set_risk_factors,
        set_therapy_indicated,
        set_therapy_triggers,
        set_next_dexa_due,
        set_computed_next_dexa_due,
        set_bmd_changes,
        set_projections,
        set_btm_response,
        set_alerts,
        set_recommendations,
        set_schedule,
    ) = _ASSESSMENT
    set_as_of(obj, as_of)
    set_who_category(obj, who_category)
    set_lowest_t_score(obj, lowest_t_score)
    set_risk_category(obj, risk_category)
    set_risk_factors(obj, risk_factors)
    set_therapy_indicated(obj, therapy_indicated)
    set_therapy_triggers(obj, therapy_triggers)
    set_next_dexa_due(obj, next_dexa_due)
    set_computed_next_dexa_due(obj, computed_next_dexa_due)
    set_bmd_changes(obj, bmd_changes)
    set_projections(obj, projections)
    set_btm_response(obj, btm_response)
    set_alerts(obj, alerts)
    set_recommendations(obj, recommendations)
    set_schedule(obj, schedule)
    return obj
