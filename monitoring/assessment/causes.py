"""Why patients are reassessed when it is not their own record that changed, and the audit row
that tells each of them what the reassessment did to their alerts."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.http import HttpRequest

from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import audit_event
from monitoring.models import Alert
from patients.models import Patient


@dataclass
class AlertMoves:
    """What one reassessment did to one patient's open alerts."""

    closed: list[Alert] = field(default_factory=list)
    raised: list[Alert] = field(default_factory=list)
    changed: list[Alert] = field(default_factory=list)


@dataclass(frozen=True)
class ReassessmentCause:
    """Why patients are reassessed when it is not their own record that changed (a scanner's
    LSC): each patient whose alerts it closes, raises or changes gets an audit row saying which
    and why. `obj` is the changed record, `changes` names the change (its own audit row)."""

    actor: Any
    obj: models.Model
    reason: str
    changes: Mapping[str, Any]
    request: HttpRequest | None = None


def _alert_shown(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "code": alert.code,
        "site": alert.site,
        "severity": alert.severity,
        "message": alert.message,
    }


def audit_moves(cause: ReassessmentCause, moves: Mapping[int, AlertMoves]) -> None:
    """One audit row on the trail of each patient whose alerts the reassessment moved."""
    AuditEvent.objects.bulk_create(
        audit_event(
            action=AuditAction.CHANGE,
            actor=cause.actor,
            request=cause.request,
            obj=cause.obj,
            patient=Patient(pk=patient_id),
            changes={
                "reassessed": cause.reason,
                **cause.changes,
                "alerts_closed": [_alert_shown(a) for a in moved.closed],
                "alerts_raised": [_alert_shown(a) for a in moved.raised],
                "alerts_changed": [_alert_shown(a) for a in moved.changed],
            },
        )
        for patient_id, moved in sorted(moves.items())
        if moved.closed or moved.raised or moved.changed
    )
