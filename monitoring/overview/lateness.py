"""The one statement of "due", "due since" and "overdue", for every kind of item on every page.

A date still to come (or today) is *due*. A date passed is *overdue* from the day after, unless
the rules give that item a grace period and it is in it (docs/clinical-rules.md): a baseline DEXA
is due (`BASELINE_DEXA_DUE`, warning) through the 3-month grace after the aromatase inhibitor
starts, and a denosumab dose is due (`DENOSUMAB_DUE`) up to 28 days late; while the rules' alert
says so, the passed date reads *due since* it. Everything else has no grace: a repeat scan or a
physician's planned scan date (DEXA_OVERDUE from the day after), a zoledronic acid infusion, a
marker check, a vitamin D recheck and the work an open alert asks for (due on the day the alert
was raised) are overdue the day after their date. Clinicians: a vitamin D recheck or a therapy
decision months past read "due" where a scan one day past read "overdue"; physician7 F11 kept
the rules' grace ("due since" beside the rules' warning "Baseline DEXA due"). The worklist, its
printout and CSV, the patient page, the summary and the letters all word a date through
`due_state`.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from monitoring.domain import thresholds
from monitoring.domain.dates import add_months
from monitoring.domain.types import AlertCode, RecommendationCode, ScheduleItem

# schedule item -> the alerts with which the rules say it is in its grace period (due, not yet
# overdue, though its date has passed)
GRACE_ALERTS: Mapping[str, frozenset[str]] = {
    ScheduleItem.DEXA: frozenset({AlertCode.BASELINE_DEXA_DUE}),
    ScheduleItem.DENOSUMAB_DOSE: frozenset({AlertCode.DENOSUMAB_DUE}),
}
GRACE_CODES: frozenset[str] = frozenset().union(*GRACE_ALERTS.values())


def _grace_end(item: str, due: dt.date) -> dt.date:
    """The last day of the rules' grace after `due`: the baseline DEXA's 3 months after the AI
    start (its due date), the denosumab dose's 28 days."""
    if item == ScheduleItem.DENOSUMAB_DOSE:
        return due + dt.timedelta(days=thresholds.DENOSUMAB_DUE_MAX_DAYS_LATE)
    return add_months(due, thresholds.BASELINE_GRACE_MONTHS)


# recommendation with a due date -> the schedule item it asks for
ITEM_OF_RECOMMENDATION: Mapping[str, str] = {
    RecommendationCode.BASELINE_DEXA: ScheduleItem.DEXA,
    RecommendationCode.REPEAT_DEXA: ScheduleItem.DEXA,
    RecommendationCode.GIVE_DENOSUMAB: ScheduleItem.DENOSUMAB_DOSE,
}

DueState = Literal["due", "due_since", "overdue"]


def in_grace(what: str, due: dt.date, today: dt.date, alert_codes: Iterable[str]) -> bool:
    """Whether `what` (a schedule item, or a recommendation with a due date), due on `due`, is
    in the rules' grace on `today`: one of its grace alerts is among the patient's open
    `alert_codes`, and `today` is within the grace counted from `due` (an assessment no longer
    renewed, after follow-up ended, keeps its alert, but not the grace beyond its end)."""
    item = item_of(what)
    grace = GRACE_ALERTS.get(item)
    if grace is None or not grace.intersection(alert_codes):
        return False
    return today <= _grace_end(item, due)


def item_of(what: str) -> str:
    """The schedule item of a schedule item or of a recommendation code with a due date."""
    return ITEM_OF_RECOMMENDATION.get(what, what)


def due_state(due: dt.date, today: dt.date, *, in_grace: bool) -> DueState:
    """ "due" (today or later), "due_since" (passed, in the rules' grace), else "overdue"."""
    if due >= today:
        return "due"
    return "due_since" if in_grace else "overdue"


def due_words(due: dt.date, today: dt.date, *, in_grace: bool) -> str:
    """ "due 2027-01-10", "due since 2026-11-01" or "overdue since 2026-11-01" (`due_state`)."""
    state = due_state(due, today, in_grace=in_grace)
    lead = {"due": "due", "due_since": "due since", "overdue": "overdue since"}[state]
    return f"{lead} {due:%Y-%m-%d}"


def assessment_codes(data: Mapping[str, Any] | None) -> frozenset[str]:
    """The codes of a stored assessment's alerts (`data["alerts"]`)."""
    return frozenset(alert["code"] for alert in (data or {}).get("alerts", ()))
