"""The one statement of "due" and "overdue": a date past is *overdue* only where the rules say so.

The rules grade lateness themselves (docs/clinical-rules.md): a baseline DEXA is due
(`BASELINE_DEXA_DUE`, warning) through the 3-month grace after the aromatase inhibitor starts and
missing (`BASELINE_DEXA_MISSING`, high) after it; a denosumab dose is due (`DENOSUMAB_DUE`) up to
28 days late and overdue (`DENOSUMAB_OVERDUE`, `DENOSUMAB_REBOUND_RISK`) after that; a repeat scan
is overdue (`DEXA_OVERDUE`) once its date has passed. Calling every passed date "overdue" put
"Overdue since" in the header beside the rules' warning "Baseline DEXA due", so every page,
printout and export words a date through `due_state` with the rules' alerts: "due since <date>"
while the rules call it due, "overdue since <date>" only where an alert above says overdue. Items
the rules never call overdue (a zoledronic acid infusion, a marker check, a vitamin D recheck, the
work an alert asks for) stay "due since" their date.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from monitoring.domain.types import AlertCode, RecommendationCode, ScheduleItem

# schedule item -> the alerts with which the rules call it overdue
OVERDUE_ALERTS: Mapping[str, frozenset[str]] = {
    ScheduleItem.DEXA: frozenset({AlertCode.BASELINE_DEXA_MISSING, AlertCode.DEXA_OVERDUE}),
    ScheduleItem.DENOSUMAB_DOSE: frozenset(
        {AlertCode.DENOSUMAB_OVERDUE, AlertCode.DENOSUMAB_REBOUND_RISK}
    ),
}
OVERDUE_CODES: frozenset[str] = frozenset().union(*OVERDUE_ALERTS.values())

# recommendation with a due date -> the schedule item it asks for
ITEM_OF_RECOMMENDATION: Mapping[str, str] = {
    RecommendationCode.BASELINE_DEXA: ScheduleItem.DEXA,
    RecommendationCode.REPEAT_DEXA: ScheduleItem.DEXA,
    RecommendationCode.GIVE_DENOSUMAB: ScheduleItem.DENOSUMAB_DOSE,
}

DueState = Literal["due", "due_since", "overdue"]


def overdue_items(alert_codes: Iterable[str]) -> frozenset[str]:
    """The schedule items that these alert codes (one patient's) call overdue."""
    codes = set(alert_codes)
    return frozenset(item for item, overdue in OVERDUE_ALERTS.items() if codes & overdue)


def item_of(what: str) -> str:
    """The schedule item of a schedule item or of a recommendation code with a due date."""
    return ITEM_OF_RECOMMENDATION.get(what, what)


def due_state(due: dt.date, today: dt.date, *, overdue: bool) -> DueState:
    """ "due" (today or later), "overdue" (passed and the rules say overdue), else "due_since"."""
    if due >= today:
        return "due"
    return "overdue" if overdue else "due_since"


def due_words(due: dt.date, today: dt.date, *, overdue: bool) -> str:
    """ "due 2027-01-10", "due since 2026-11-01" or "overdue since 2026-11-01" (`due_state`)."""
    state = due_state(due, today, overdue=overdue)
    lead = {"due": "due", "due_since": "due since", "overdue": "overdue since"}[state]
    return f"{lead} {due:%Y-%m-%d}"


def assessment_overdue_items(data: Mapping[str, Any] | None) -> frozenset[str]:
    """The items a stored assessment's alerts (`data["alerts"]`) call overdue."""
    return overdue_items(alert["code"] for alert in (data or {}).get("alerts", ()))
