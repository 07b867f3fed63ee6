"""Optimistic concurrency for edit forms: a save based on an outdated version is refused.

Every editable record carries a `version` that each save increments. The edit form sends back the
version it was opened on; if the record has moved on, the save raises `ConcurrentEditError` naming
who
changed which fields since then (read from the audit trail), and the view shows that next to the
fields.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone

from bonehealth.audit.models import AuditAction, AuditEvent, EnteredInErrorRecord


@dataclass(frozen=True)
class FieldChange:
    field: str
    value: Any
    by: str
    at: datetime
    by_id: int | None = None  # the user who changed it, to tell the viewer's own other tab


class RecordConflictError(Exception):
    """The save clashes with a record already saved (a duplicate, or a state someone else set
    first); nothing was saved. `field` names the form field to blame (None: the whole form);
    `existing`, the record already saved that the user should correct instead, for the page to
    link to (nurse14 #8)."""

    def __init__(
        self, field: str | None, message: str, *, existing: models.Model | None = None
    ) -> None:
        self.field = field
        self.existing = existing
        super().__init__(message)


class ConcurrentEditError(Exception):
    """The record changed after the form was opened; nothing was saved."""

    def __init__(
        self,
        *,
        current_version: int,
        changes: list[FieldChange],
        current: models.Model | None = None,
    ) -> None:
        self.current_version = current_version
        self.changes = changes
        # The record as committed by the other writer, for the form to show its values.
        self.current = current
        names = ", ".join(sorted({change.field for change in changes})) or "unknown fields"
        super().__init__(f"Changed by someone else since you opened the form ({names}).")


def marked_in_error_line(record: EnteredInErrorRecord) -> str:
    """Which record was marked entered in error, by whom, when and why, for a refusal's message."""
    by = f" by {record.error_marked_by}" if record.error_marked_by_id else ""
    when = (
        f" at {timezone.localtime(record.error_marked_at):%Y-%m-%d %H:%M}"
        if record.error_marked_at
        else ""
    )
    reason = f" Reason given: {record.error_reason}." if record.error_reason else ""
    return f"The record “{record}” was marked entered in error{by}{when}.{reason}"


class RecordInErrorError(RecordConflictError):
    """The record was marked entered in error after the form was opened; nothing was saved.

    Raised under the row's lock, which marking a record in error takes too, so a mark committed
    just before the save is always seen.
    """

    def __init__(self, record: EnteredInErrorRecord, *, outcome: str | None = None) -> None:
        self.record = record
        super().__init__(
            None,
            f"{marked_in_error_line(record)} "
            + (
                outcome
                or "Your change was not saved. If what you entered is still right, enter it again"
                " as a new record."
            ),
        )


def rows_to_update[M: models.Model](model: type[M]) -> QuerySet[M]:
    """The model's rows, read under a row lock held until the commit, as every writer of a record
    locks it: FOR NO KEY UPDATE on PostgreSQL, since no write here changes a key.

    Not FOR UPDATE: that one also stops the key-share lock a foreign key takes, at the commit, for
    a row inserted that refers to the locked one. A reassessment holding a patient's assessment
    inserts her alerts; a change to her own row locked FOR UPDATE, then waiting for that
    assessment, deadlocked with it (tests/monitoring/app/test_reassessment_races.py).
    """
    no_key = connection.features.has_select_for_no_key_update
    return model._default_manager.select_for_update(no_key=no_key)


def lock_valid[M: models.Model](instance: M, *, outcome: str | None = None) -> M:
    """Re-read and lock the row; raise RecordInErrorError (ending with `outcome`, what was not
    done) when it was marked entered in error."""
    fresh = rows_to_update(type(instance)).get(pk=instance.pk)
    if isinstance(fresh, EnteredInErrorRecord) and fresh.entered_in_error:
        raise RecordInErrorError(fresh, outcome=outcome)
    return fresh


def lock_for_update[M: models.Model](instance: M, *, expected_version: int) -> M:
    """Re-read and lock the row; raise RecordInErrorError when it was marked entered in error
    since, else ConcurrentEditError when its version moved on."""
    fresh = lock_valid(instance)
    current = fresh.version  # type: ignore[attr-defined]
    if current != expected_version:
        raise ConcurrentEditError(
            current_version=current,
            changes=changes_since(fresh, expected_version),
            current=fresh,
        )
    return fresh


def changed_by_line(changes: list[FieldChange], *, viewer_id: int | None = None) -> str:
    """Who made `changes` (`changes_since`) and when the last was made, for a refusal's message:
    "by Nell Bright at 2026-12-07 14:03"; changes by `viewer_id` alone, the user refused, were
    made in another tab or window of theirs: "by you (in another tab or window) at ..."."""
    if changes and viewer_id is not None and all(c.by_id == viewer_id for c in changes):
        who = "you (in another tab or window)"
    else:
        who = ", ".join(dict.fromkeys(change.by for change in changes)) or "someone else"
    if not changes:
        return f"by {who}"
    return f"by {who} at {timezone.localtime(max(change.at for change in changes)):%Y-%m-%d %H:%M}"


def changes_since(instance: models.Model, version: int) -> list[FieldChange]:
    """Who changed which field of the record after `version`, read from the audit trail."""
    events = (
        AuditEvent.objects.filter(
            object_type=instance._meta.label_lower,
            object_id=str(instance.pk),
            action__in=[AuditAction.CHANGE, AuditAction.MARK_ERROR],
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    changes: list[FieldChange] = []
    for event in events:
        version_change = event.changes.get("version")
        if not version_change or version_change[1] <= version:
            continue
        for field, values in event.changes.items():
            if field in {"version"}:
                continue
            new_value = values[1] if isinstance(values, list) and len(values) == 2 else values
            # Named as everywhere else in the app: the full name, else the username.
            by = (event.actor.get_full_name() if event.actor else "") or event.username
            changes.append(FieldChange(field, new_value, by, event.at, event.actor_id))
    return changes
