"""What the patient page says of a recently cleared alert beyond its dates: that nobody
acknowledged it, and which write's reassessment cleared it, where the audit trail tells.

nurse13 #8: an unacknowledged critical alert closed when a normal recheck was saved, and the page
said only "raised …, cleared …". The spec closes an alert no longer raised (kept); the page now
says it was not acknowledged, and what was saved when it cleared. An alert is cleared by the
reassessment in the transaction of a clinical write, after that write's audit row (the writer
holds the patient's lock, so no other write of hers comes between), or by a change elsewhere
whose audit row lists the alerts it closed (`assessment.causes`); the nightly reassessment writes
no row, and its clearings name nothing. Who saved it is not named: the page's cached parts are
keyed by the names they show (`patient.py`, `_people_in`), which this would add to for a few
words; the record's History page names them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import Alert

# How long before its clearing a write's audit row may be (the same transaction: milliseconds,
# a generous margin for a slow save), and after it a row listing the alerts closed.
SAME_WRITE = timedelta(seconds=60)
WRITES = (AuditAction.CREATE, AuditAction.CHANGE, AuditAction.MARK_ERROR, AuditAction.IMPORT)
DONE: dict[str, str] = {
    AuditAction.CREATE: "added",
    AuditAction.CHANGE: "changed",
    AuditAction.MARK_ERROR: "marked entered in error",
    AuditAction.IMPORT: "imported",
}


@dataclass(frozen=True)
class ClearedBy:
    """The write whose reassessment cleared an alert: "a lab result was added" at `at`."""

    words: str
    at: datetime


# Kinds whose model name does not read as the pages write it.
KINDS = {
    "monitoring.dexascan": "DEXA scan",
    "monitoring.dexameasurement": "DEXA scan",
    "patients.patient": "patient record",
}


def _kind(object_type: str) -> str:
    if object_type in KINDS:
        return KINDS[object_type]
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return "record"


def _words(event: AuditEvent) -> str:
    """ "a lab result was added", "the supplements were changed"."""
    kind, done = _kind(event.object_type), DONE.get(event.action, "changed")
    if kind.endswith("s"):  # one row per patient (supplements)
        return f"the {kind} were {done}"
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind} was {done}"


def _cleared_by(alert: Alert, events: list[AuditEvent]) -> ClearedBy | None:
    cleared = alert.cleared_at
    if cleared is None:
        return None
    listed = [e for e in events if alert.pk in _closed_ids(e)]
    before = [e for e in events if cleared - SAME_WRITE <= e.at <= cleared and not _closed_ids(e)]
    event = listed[0] if listed else (before[-1] if before else None)
    return ClearedBy(_words(event), event.at) if event is not None else None


def _closed_ids(event: AuditEvent) -> set[int]:
    closed = event.changes.get("alerts_closed") if isinstance(event.changes, dict) else None
    return {shown["id"] for shown in closed or () if isinstance(shown, dict) and "id" in shown}


def with_clearing(alerts: list[Alert]) -> list[Alert]:
    """`alerts` (one patient's recently cleared alerts), each with `not_acknowledged` (cleared,
    not replaced, with no acknowledgement nor a note of having seen it) and `cleared_by` (a
    `ClearedBy` or None); one query."""
    ended = [a for a in alerts if not a.superseded and a.cleared_at is not None]
    events: list[AuditEvent] = []
    if ended:
        first = min(a.cleared_at for a in ended if a.cleared_at is not None)
        last = max(a.cleared_at for a in ended if a.cleared_at is not None)
        events = list(
            AuditEvent.objects.filter(
                patient_id=alerts[0].patient_id,
                action__in=WRITES,
                at__gte=first - SAME_WRITE,
                at__lte=last + SAME_WRITE,
            )
            .exclude(object_type=Alert._meta.label_lower)
            .order_by("at", "id")
        )
    for alert in alerts:
        shown: Any = alert
        shown.not_acknowledged = (
            not alert.superseded and alert.acknowledged_at is None and alert.seen_at is None
        )
        shown.cleared_by = None if alert.superseded else _cleared_by(alert, events)
    return alerts
