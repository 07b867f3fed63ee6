"""Audited changes of clinical records: versioned updates and marking entered in error.

Every app's services use these, inside their own transaction, so that each change of a record is
checked against the version its form was opened on and written to the audit trail with old and new
values.
"""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.audit.concurrency import (
    ConcurrentEditError,
    changes_since,
    lock_for_update,
    rows_to_update,
)
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record, field_values, model_changes


def created_values(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The non-empty values of a new record, for its creation audit event."""
    return {
        name: value
        for name, value in field_values(instance, fields).items()
        if value not in (None, "")
    }


def versioned_update[M: models.Model](
    *,
    actor: Any,
    instance: M,
    values: Mapping[str, Any],
    fields: list[str],
    expected_version: int,
    patient: Any,
    request: HttpRequest | None = None,
    extra_changes: Mapping[str, Any] | None = None,
) -> tuple[M, dict[str, Any]]:
    """Apply `values` if the record is still at `expected_version`; audit and return the changes.

    Raises ConcurrentEditError (nothing written) when someone saved the record in between.
    """
    fresh = lock_for_update(instance, expected_version=expected_version)
    before = field_values(fresh, fields)
    for name, value in values.items():
        setattr(fresh, name, value)
    changes: dict[str, Any] = model_changes(before, field_values(fresh, fields))
    changes.update(extra_changes or {})
    if not changes:
        return fresh, changes
    fresh.version = F("version") + 1  # type: ignore[attr-defined]
    fresh.save()
    fresh.refresh_from_db(fields=["version"])
    changes["version"] = [expected_version, fresh.version]  # type: ignore[attr-defined]
    audit_record(
        action=AuditAction.CHANGE,
        actor=actor,
        request=request,
        obj=fresh,
        patient=patient,
        changes=changes,
    )
    return fresh, changes


def mark_in_error(
    *,
    actor: Any,
    instance: models.Model,
    patient: Any,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """Mark a record entered in error (kept, hidden); return False if it already was.

    `expected_version`: the record as the page asking for the mark showed it. Raises
    ConcurrentEditError (nothing written) when it changed since: the user confirmed hiding values
    she read, never a colleague's correction she has not seen (sec11 #1). Read under the record's
    row lock, which every writer of the record takes.
    """
    fresh = rows_to_update(type(instance)).get(pk=instance.pk)
    if fresh.entered_in_error:  # type: ignore[attr-defined]
        return False
    old_version = fresh.version  # type: ignore[attr-defined]
    if expected_version is not None and old_version != expected_version:
        raise ConcurrentEditError(
            current_version=old_version,
            changes=changes_since(fresh, expected_version),
            current=fresh,
        )
    fresh.entered_in_error = True  # type: ignore[attr-defined]
    fresh.error_marked_at = timezone.now()  # type: ignore[attr-defined]
    fresh.error_marked_by = actor  # type: ignore[attr-defined]
    fresh.error_reason = reason  # type: ignore[attr-defined]
    fresh.version = old_version + 1  # type: ignore[attr-defined]
    fresh.save()
    audit_record(
        action=AuditAction.MARK_ERROR,
        actor=actor,
        request=request,
        obj=fresh,
        patient=patient,
        changes={
            "entered_in_error": [False, True],
            "reason": reason,
            "version": [old_version, old_version + 1],
        },
    )
    return True
