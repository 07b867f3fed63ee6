"""What was noted on the alerts an open alert replaced.

A rise in severity closes the open alert (`superseded`) and opens a new one of the same patient,
code and site in the same instant (monitoring.assessment.refresh: the old alert's `cleared_at` is
the new one's `raised_at`); the new one needs a new acknowledgement. What someone noted on the
replaced alert (an acknowledgement, or a nurse's note that she has seen a therapy decision alert)
still concerns the patient: the new alert shows it (nurse12 F2: "Started colecalciferol via GP"
vanished when denosumab was planned). Read from the stored alerts alone, nothing copied.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from monitoring.models.alerts import Alert


@dataclass(frozen=True)
class AlertNote:
    """A note left on an alert: `what` is "Acknowledged" or "Seen" (a therapy decision alert a
    nurse noted, the decision left to a physician)."""

    alert: Alert
    what: str
    by: Any
    at: dt.datetime
    note: str


def notes_of(alert: Alert) -> list[AlertNote]:
    """The notes left on `alert`, oldest first (its `acknowledged_by` and `seen_by` read)."""
    notes = []
    if alert.seen_at is not None:
        notes.append(AlertNote(alert, "Seen", alert.seen_by, alert.seen_at, alert.seen_note))
    if alert.acknowledged_at is not None:
        notes.append(
            AlertNote(
                alert,
                "Acknowledged",
                alert.acknowledged_by,
                alert.acknowledged_at,
                alert.acknowledgement_note,
            )
        )
    return notes


def _end_key(alert: Alert, at: dt.datetime | None) -> tuple[int, str, str, Any]:
    return (alert.patient_id, alert.code, alert.site, at)


def attach_earlier_notes(alerts: Iterable[Alert], superseded: Iterable[Alert]) -> None:
    """Set `earlier_notes` on each of `alerts`: the notes left on the alerts it replaced (the
    whole chain, a warning replaced by a high alert replaced by a critical one), oldest first.
    `superseded` holds the replaced alerts of the same patients (more do no harm)."""
    replaced = {_end_key(alert, alert.cleared_at): alert for alert in superseded}
    for alert in alerts:
        notes: list[AlertNote] = []
        visited = {alert.pk}
        current = replaced.get(_end_key(alert, alert.raised_at))
        while current is not None and current.pk not in visited:
            visited.add(current.pk)
            notes[:0] = notes_of(current)
            current = replaced.get(_end_key(current, current.raised_at))
        alert.earlier_notes = notes  # type: ignore[attr-defined]
