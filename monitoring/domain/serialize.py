"""Assessment -> JSON-ready dict, in the format of `docs/history-format.md` (Assessment)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .types import Alert, Assessment, BmdChange, Projection, Recommendation

JsonDict = dict[str, Any]


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> float | None:
    """Return a JSON number; the values are already rounded, so float shows them exactly enough."""
    return float(value) if value is not None else None


def _change(change: BmdChange) -> JsonDict:
    return {
        "site": str(change.site),
        "from_date": change.from_date.isoformat(),
        "to_date": change.to_date.isoformat(),
        "same_scanner": change.same_scanner,
        "change_g_cm2": _number(change.change_g_cm2),
        "change_pct": _number(change.change_pct),
        "annualized_pct": _number(change.annualized_pct),
        "lsc_g_cm2": _number(change.lsc_g_cm2),
        "significant": change.significant,
    }


def _projection(projection: Projection) -> JsonDict:
    return {
        "site": str(projection.site),
        "basis": str(projection.basis),
        "crosses_minus_2_0_on": _date(projection.crosses_minus_2_0_on),
        "crosses_minus_2_5_on": _date(projection.crosses_minus_2_5_on),
    }


def _alert(alert: Alert) -> JsonDict:
    return {
        "code": str(alert.code),
        "severity": str(alert.severity),
        "site": str(alert.site) if alert.site is not None else None,
        "message": alert.message,
        "rules": [str(rule) for rule in alert.rules],
        "sources": list(alert.sources),
    }


def _recommendation(recommendation: Recommendation) -> JsonDict:
    return {
        "code": str(recommendation.code),
        "due": _date(recommendation.due),
        "message": recommendation.message,
        "rules": [str(rule) for rule in recommendation.rules],
        "sources": list(recommendation.sources),
    }


def assessment_to_dict(assessment: Assessment) -> JsonDict:
    """Return the assessment as plain JSON types (str, float, bool, None, list, dict).

    Lists keep the documented order: alerts by severity (critical first), code, site;
    recommendations by code; schedule by date then item; changes and projections by site.
    """
    lowest = assessment.lowest_t_score
    btm = assessment.btm_response
    return {
        "as_of": assessment.as_of.isoformat(),
        "who_category": str(assessment.who_category),
        "lowest_t_score": (
            {
                "site": str(lowest.site),
                "value": float(lowest.value),
                "date": lowest.date.isoformat(),
            }
            if lowest is not None
            else None
        ),
        "risk_category": str(assessment.risk_category),
        "risk_factors": [str(code) for code in assessment.risk_factors],
        "therapy_indicated": assessment.therapy_indicated,
        "therapy_triggers": [str(rule) for rule in assessment.therapy_triggers],
        "next_dexa_due": assessment.next_dexa_due.isoformat(),
        "computed_next_dexa_due": assessment.computed_next_dexa_due.isoformat(),
        "bmd_changes": [_change(change) for change in assessment.bmd_changes],
        "projections": [_projection(projection) for projection in assessment.projections],
        "btm_response": (
            {
                "drug": str(btm.drug),
                "ctx_change_pct": _number(btm.ctx_change_pct),
                "p1np_change_pct": _number(btm.p1np_change_pct),
                "result": str(btm.result),
            }
            if btm is not None
            else None
        ),
        "alerts": [_alert(alert) for alert in assessment.alerts],
        "recommendations": [_recommendation(r) for r in assessment.recommendations],
        "schedule": [
            {"item": str(entry.item), "due": entry.due.isoformat()} for entry in assessment.schedule
        ],
    }
