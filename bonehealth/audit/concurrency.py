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

from django.db import models

from bonehealth.audit.models import AuditAction, AuditEvent


@dataclass(frozen=True)
class FieldChange:
    field: str
    value: Any
    by: str
    at: datetime


class RecordConflictError(Exception):
    """The save clashes with a record already saved (a duplicate, or a state someone else set
    first); nothing was saved. `field` names the form field to blame (None: the whole form)."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
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


def lock_for_update[M: models.Model](instance: M, *, expected_version: int) -> M:
    """Re-read and lock the row; raise ConcurrentEditError when its version moved on."""
    fresh = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    current = fresh.version  # type: ignore[attr-defined]
    if current != expected_version:
        raise ConcurrentEditError(
            current_version=current,
            changes=_changes_since(fresh, expected_version),
            current=fresh,
        )
    return fresh


def _changes_since(instance: models.Model, version: int) -> list[FieldChange]:
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
            changes.append(FieldChange(field, new_value, by, event.at))
    return changes
