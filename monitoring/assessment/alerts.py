"""Acknowledging alerts: nurses info and warning, physicians any; always with a note.

The write; who may (`user_may_acknowledge`) is a read in monitoring.assessment.permissions.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record
from monitoring.assessment.permissions import user_may_acknowledge
from monitoring.assessment.refresh import assessments_lock
from monitoring.assessment.versions import patient_records_changed
from monitoring.models import Alert


class AlertNotOpenError(Exception):
    """The alert cleared (or was superseded) before it could be acknowledged."""


class AlertAlreadyAcknowledgedError(Exception):
    """Someone acknowledged the alert first; `alert` carries their acknowledgement, which stands."""

    def __init__(self, alert: Alert) -> None:
        self.alert = alert
        super().__init__(
            f"{alert.acknowledged_by} acknowledged this alert first; your note was not saved."
        )


@transaction.atomic
def alert_acknowledge(
    *, actor: User, alert: Alert, note: str, request: HttpRequest | None = None
) -> Alert:
    """Acknowledge an open alert with a note, once; a later rise in severity opens a new alert.

    A second acknowledgement (from a page opened before the first) is refused, not written over
    the first: the row lock makes two concurrent requests take turns, and the second sees the first.
    """
    # The patient's assessment first, as every writer of their monitoring rows locks it (a
    # reassessment running now updates this alert after locking it).
    assessments_lock([alert.patient_id])
    fresh = Alert.objects.select_for_update().get(pk=alert.pk)
    if not user_may_acknowledge(actor, fresh):
        raise PermissionDenied("Only a physician may acknowledge a high or critical alert.")
    if fresh.cleared_at is not None:
        raise AlertNotOpenError("This alert has cleared or been replaced; nothing to acknowledge.")
    if fresh.acknowledged_at is not None:
        raise AlertAlreadyAcknowledgedError(fresh)
    fresh.acknowledged_at = timezone.now()
    fresh.acknowledged_by = actor
    fresh.acknowledgement_note = note
    fresh.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    audit_record(
        action=AuditAction.CHANGE,
        actor=actor,
        request=request,
        obj=fresh,
        patient=fresh.patient,
        changes={
            "acknowledged_at": [None, fresh.acknowledged_at],
            "acknowledged_by": [None, actor.pk],
            "acknowledgement_note": ["", note],
        },
    )
    # The patient page shows who acknowledged it: its cached fragments are out of date.
    patient_records_changed([fresh.patient_id])
    return fresh
