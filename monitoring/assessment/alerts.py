"""Acknowledging alerts: nurses info and warning, physicians any; always with a note.

A therapy decision alert is acknowledged only by one who may decide therapy: a nurse's note on it
records that she has seen it, and the decision stays open for a physician (phys9 F15).
The write; who may (`user_may_acknowledge`, `acknowledgement_closes`) is a read in
monitoring.assessment.permissions.
"""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record
from monitoring.assessment.permissions import acknowledgement_closes, user_may_acknowledge
from monitoring.assessment.refresh import assessments_lock
from monitoring.assessment.versions import patient_records_changed
from monitoring.models import Alert, PatientAssessment
from patients.services import patient_lock


class AlertNotOpenError(Exception):
    """The alert cleared (or was superseded) before it could be acknowledged."""


class AlertAlreadyAcknowledgedError(Exception):
    """Someone acknowledged the alert first; `alert` carries their acknowledgement, which stands."""

    def __init__(self, alert: Alert) -> None:
        self.alert = alert
        super().__init__(
            f"{alert.acknowledged_by} acknowledged this alert first; your note was not saved."
        )


class AlertAlreadySeenError(AlertAlreadyAcknowledgedError):
    """Someone recorded first that they had seen the therapy decision alert; theirs stands."""

    def __init__(self, alert: Alert) -> None:
        self.alert = alert
        Exception.__init__(
            self,
            f"{alert.seen_by} recorded seeing this alert first; your note was not saved. "
            "The therapy decision awaits a physician.",
        )


@transaction.atomic
def alert_acknowledge(
    *, actor: User, alert: Alert, note: str, request: HttpRequest | None = None
) -> Alert:
    """Acknowledge an open alert with a note, once; a later rise in severity opens a new alert.

    A second acknowledgement (from a page opened before the first) is refused, not written over
    the first: the row lock makes two concurrent requests take turns, and the second sees the first.
    """
    return alerts_acknowledge(
        actor=actor, patient_id=alert.patient_id, alert_ids=[alert.pk], note=note, request=request
    )[0]


@transaction.atomic
def alerts_acknowledge(
    *,
    actor: User,
    patient_id: int,
    alert_ids: Sequence[int],
    note: str,
    request: HttpRequest | None = None,
) -> list[Alert]:
    """Acknowledge some open alerts of one patient (a group of one code) with one note: all of
    them or none, each stored and audited as if acknowledged alone. A therapy decision alert
    acknowledged by one who may not decide therapy is marked seen by them (`seen_*`), not
    acknowledged: it stays on the worklist and unacknowledged on the dashboard.

    The whole group is refused when the actor may not acknowledge one of its alerts (a high or
    critical one needs a physician), when one has cleared, or when someone acknowledged one first
    (or, for one who only marks it seen, marked it seen first), and (PatientInErrorError) when
    the patient was marked entered in error meanwhile.
    """
    # The patient's row first, as every writer of her records takes it (before her assessment):
    # an acknowledgement never lands on a patient marked entered in error meanwhile.
    patient_lock(patient_id)
    # Then her assessment, as every writer of her monitoring rows locks it (a reassessment
    # running now updates these alerts after locking them).
    assessments_lock([patient_id])
    fresh = list(
        Alert.objects.select_for_update(of=("self",))  # the alerts only, not their patient
        .select_related("patient")
        .filter(pk__in=alert_ids, patient_id=patient_id)
        .order_by("pk")
    )
    if not fresh or len(fresh) != len(set(alert_ids)):
        raise AlertNotOpenError(
            "These alerts have cleared or been replaced; nothing to acknowledge."
        )
    if not all(user_may_acknowledge(actor, alert) for alert in fresh):
        raise PermissionDenied("Only a physician may acknowledge a high or critical alert.")
    if any(alert.cleared_at is not None for alert in fresh):
        raise AlertNotOpenError("This alert has cleared or been replaced; nothing to acknowledge.")
    for alert in fresh:
        if alert.acknowledged_at is not None:
            raise AlertAlreadyAcknowledgedError(alert)
        if alert.seen_at is not None and not acknowledgement_closes(actor, alert):
            raise AlertAlreadySeenError(alert)
    now = timezone.now()
    for alert in fresh:
        fields = (
            ("acknowledged_at", "acknowledged_by", "acknowledgement_note")
            if acknowledgement_closes(actor, alert)
            else ("seen_at", "seen_by", "seen_note")
        )
        for name, value in zip(fields, (now, actor, note), strict=True):
            setattr(alert, name, value)
        alert.save(update_fields=list(fields))
        audit_record(
            action=AuditAction.CHANGE,
            actor=actor,
            request=request,
            obj=alert,
            patient=alert.patient,
            changes={
                fields[0]: [None, now],
                fields[1]: [None, actor.pk],
                fields[2]: ["", note],
                **({"group": sorted(alert_ids)} if len(fresh) > 1 else {}),
            },
        )
    # The dashboard lists the patients with an unacknowledged alert first.
    waiting = Alert.objects.filter(
        patient_id=patient_id, cleared_at__isnull=True, acknowledged_at__isnull=True
    ).aggregate(worst=Max("severity_rank"))["worst"]
    PatientAssessment.objects.filter(patient_id=patient_id).update(
        worst_unacknowledged_rank=waiting
    )
    # The patient page shows who acknowledged them: its cached fragments are out of date.
    patient_records_changed([patient_id])
    return fresh
