"""The rows of the worklist's page, each a `{% cache %}` fragment (monitoring/_worklist_table.html).

The page's lists are one cached part (`overview_cache`), drawn afresh after any change at the
user's sites; drawing their 100 rows took 27 ms of a nurse's first view (77 ms) at 10,000
patients, 3.5 ms (of 47 ms) with the rows cached (bench/README.md, "Worklist rows cached"). A
row's key is everything the row shows, as read for this view: the item, its due date and what it
asks for, the patient (id, name, MRN, birth date, site name), the course its "Record dose" or
"Record the dental review" opens, whether it is due, due since or overdue, the severity and label of
the critical or high alert it is about (urgency.py), today's date (days left) and
the viewer's permissions (the links). So it is correct in every process whatever changed, and
after a change only the rows that show it are drawn; the rows are read as before, in a fixed
number of queries, only their drawing is saved. The printout draws its rows uncached (thousands
of rows a day would push the patient pages' fragments out).
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from monitoring.overview import lateness, urgency
from monitoring.overview import selectors as overview
from monitoring.overview.alert_work import DENTAL, UNTIL_ACKNOWLEDGED, WORK_ALERTS
from monitoring.overview.cache_keys import shown_key
from monitoring.overview.urgency import TIED_ALERTS, Tied, TiedAlerts

DOSE_DRUG = {"denosumab_dose": "denosumab", "zoledronic_acid_dose": "zoledronic_acid"}


def worst_alert(tied: TiedAlerts, item: Any) -> Tied | None:
    """The worst open alert about a row's item (a scheduled item or the work alerts ask for)."""
    return tied.worst(
        item.patient_id, TIED_ALERTS.get(item.item) or WORK_ALERTS.get(item.item, frozenset())
    )


def decision_alerts(tied: TiedAlerts, item: Any) -> list[Tied]:
    """For a row asking for a physician's decision, every open alert still asking for it (not
    acknowledged by a physician), the worst first; for any other row none. Clinicians: the row
    named only the worst, so a second decision (a denosumab stop beside a therapy indicated)
    was not seen from the worklist."""
    if item.item not in UNTIL_ACKNOWLEDGED:
        return []
    return tied.every(item.patient_id, WORK_ALERTS[item.item], unacknowledged=True)


def alert_words(tied: TiedAlerts, item: Any) -> tuple[Tied | None, str]:
    """The worst open alert about a row's item and the words naming the alerts beside it: every
    alert asking for a decision (`decision_alerts`), else the worst's label."""
    worst = worst_alert(tied, item)
    asking = decision_alerts(tied, item)
    if asking:
        return asking[0], "; ".join(a.label for a in asking)
    return worst, worst.label if worst else ""


def marked(lists: Iterable[list[Any]], today: dt.date) -> None:
    """Give the items of `lists` (read with their patients and sites) `days_late` (negative: days
    left), `days_left`, `due_state` (due, due since while the rules' open alerts give the item
    a grace, else overdue once passed: monitoring/overview/lateness.py), `overdue`, `severity`
    and `alert_label` (the critical or high open alert the item is about, else empty:
    urgency.py; a therapy decision: every alert asking for it), for a dose the course whose dose
    form "Record dose" opens (`dose_course`), for a dental review the course whose review form
    opens (`dental_course`), for the templates; the courses of all of them in one query, their
    alerts in another."""
    lists = list(lists)
    patient_ids = {i.patient_id for items in lists for i in items}
    courses = overview.worklist_courses(patient_ids, today)
    tied = urgency.tied_alerts(patient_ids)
    for items in lists:
        for item in items:
            item.days_late = (today - item.due).days
            item.days_left = -item.days_late
            item.due_state = lateness.due_state(
                item.due, today, in_grace=tied.in_grace(item.patient_id, item.item, item.due, today)
            )
            worst, words = alert_words(tied, item)
            shown = worst is not None and (worst.first or item.item in UNTIL_ACKNOWLEDGED)
            # The badge only for a critical or high alert; a decision's alerts are named always.
            item.severity = worst.severity if worst is not None and worst.first else ""
            item.alert_label = words if shown else ""
            item.overdue = item.due_state == "overdue"
            item.dose_course = courses.dose.get((item.patient_id, DOSE_DRUG.get(item.item, "")))
            item.dental_course = (
                courses.dental.get(item.patient_id) if item.item == DENTAL else None
            )


def row_key(item: Any, viewer: list[str]) -> str:
    """The key of a marked item's row: what it shows, then `viewer` (today, permissions)."""
    patient = item.patient
    shown = [
        str(item.patient_id),
        patient.name,
        patient.mrn,
        patient.birth_date.isoformat(),
        patient.site.name,
        item.item,
        item.due.isoformat(),
        str(item.get_item_display()),
        str(item.dose_course),
        item.due_state,
        str(item.dental_course),
        item.severity,
        item.alert_label,
    ]
    return shown_key(shown + viewer)


def keyed(lists: Iterable[list[Any]], *, today: dt.date, permissions: str) -> None:
    """Mark the items of `lists` (`marked`) and give each its `row_key` for `{% cache %}`."""
    lists = list(lists)
    marked(lists, today)
    viewer = [today.isoformat(), permissions]
    for items in lists:
        for item in items:
            item.row_key = row_key(item, viewer)
