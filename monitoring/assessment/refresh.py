"""Assess patients and keep their stored assessment, schedule and alerts up to date.

The one place where the domain module meets the database: load rows, build histories, call
`assess`, then write the results in bulk. Callers run it inside the transaction of their write.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from monitoring import domain
from monitoring.assessment.causes import AlertMoves, ReassessmentCause, audit_moves
from monitoring.assessment.history import LscOverrides, histories_for
from monitoring.assessment.versions import patient_records_changed
from monitoring.models import Alert, DexaScan, PatientAssessment, ScheduledItem
from monitoring.models.choices import SEVERITY_RANK, Severity
from monitoring.records.selectors import open_alerts_for
from patients.models import FollowUpStatus, Patient


@dataclass
class RefreshSummary:
    patients: int = 0
    alerts_opened: int = 0
    alerts_cleared: int = 0
    alerts_changed: int = 0
    failed: int = 0

    def add(self, other: "RefreshSummary") -> None:
        """Add another summary's counts to this one (the batches of one reassessment)."""
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


def _alert_key(patient_id: int, code: str, site: str) -> tuple[int, str, str]:
    return (patient_id, code, site)


def _new_alert(patient_id: int, alert: domain.Alert, now: datetime) -> Alert:
    severity = Severity(alert.severity.value)
    return Alert(
        patient_id=patient_id,
        code=alert.code.value,
        site=alert.site.value if alert.site else "",
        severity=severity,
        severity_rank=SEVERITY_RANK[severity],
        message=alert.message,
        rules=[rule.value for rule in alert.rules],
        sources=list(alert.sources),
        raised_at=now,
    )


WorstAlert = tuple[int, datetime] | None


def open_alerts_by_key(patient_ids: list[int]) -> dict[tuple[int, str, str], Alert]:
    """The patients' open alerts by (patient, code, site): at most one each."""
    return {_alert_key(a.patient_id, a.code, a.site): a for a in open_alerts_for(patient_ids)}


def _sync_alerts(
    raised: dict[int, tuple[domain.Alert, ...]],
    open_alerts: dict[tuple[int, str, str], Alert],
    now: datetime,
    summary: RefreshSummary,
    moves: defaultdict[int, AlertMoves] | None = None,
) -> dict[int, list[Alert]]:
    """Apply "How alerts live in the application" (docs/clinical-rules.md) to the open alerts.

    Return each patient's open alerts afterwards; `moves` gets what happened to each patient's.
    """
    to_create: list[Alert] = []
    to_close: list[Alert] = []
    to_update: list[Alert] = []
    seen: set[tuple[int, str, str]] = set()
    still_open: dict[int, list[Alert]] = {patient_id: [] for patient_id in raised}
    for patient_id, alerts in raised.items():
        for alert in alerts:
            fresh = _new_alert(patient_id, alert, now)
            key = _alert_key(patient_id, fresh.code, fresh.site)
            seen.add(key)
            current = open_alerts.get(key)
            still_open[patient_id].append(
                fresh if current is None or fresh.severity_rank > current.severity_rank else current
            )
            if current is None:
                to_create.append(fresh)
            elif fresh.severity_rank > current.severity_rank:
                # A rise in severity needs a new acknowledgement: close this one, open a new one.
                current.cleared_at = now
                current.superseded = True
                to_close.append(current)
                to_create.append(fresh)
            elif (current.severity, current.message, current.rules, current.sources) != (
                fresh.severity,
                fresh.message,
                fresh.rules,
                fresh.sources,
            ):
                # Same or lower severity: the same alert, keeping its acknowledgement.
                current.severity = fresh.severity
                current.severity_rank = fresh.severity_rank
                current.message = fresh.message
                current.rules = fresh.rules
                current.sources = fresh.sources
                to_update.append(current)
    for key, current in open_alerts.items():
        if key not in seen:
            current.cleared_at = now
            to_close.append(current)
    moves = defaultdict(AlertMoves) if moves is None else moves
    for stored in to_close:
        moves[stored.patient_id].closed.append(stored)
    for stored in to_update:
        moves[stored.patient_id].changed.append(stored)
    for stored in to_create:
        moves[stored.patient_id].raised.append(stored)
    # Close first: the open-alert uniqueness constraint must hold after every statement.
    Alert.objects.bulk_update(to_close, ["cleared_at", "superseded"])
    Alert.objects.bulk_update(
        to_update, ["severity", "severity_rank", "message", "rules", "sources"]
    )
    Alert.objects.bulk_create(to_create)
    summary.alerts_opened += len(to_create)
    summary.alerts_cleared += len(to_close)
    summary.alerts_changed += len(to_update)
    return still_open


def _worst(alerts: list[Alert]) -> WorstAlert:
    """(severity rank, when the oldest open alert of that rank was raised), or None: the
    dashboard's stored order."""
    if not alerts:
        return None
    rank = max(alert.severity_rank for alert in alerts)
    return rank, min(alert.raised_at for alert in alerts if alert.severity_rank == rank)


def _worst_unacknowledged(alerts: list[Alert]) -> int | None:
    """The worst severity rank of the open alerts nobody has acknowledged (the dashboard's
    first key)."""
    return max((a.severity_rank for a in alerts if a.acknowledged_at is None), default=None)


def _sync_schedule(assessments: dict[int, domain.Assessment]) -> None:
    """Make the stored schedule rows equal each assessment's schedule, touching only what changed.

    Night after night most schedules are unchanged, so this is one read instead of deleting and
    re-inserting every row.
    """
    wanted = {
        (pk, entry.item.value, entry.due)
        for pk, assessment in assessments.items()
        for entry in assessment.schedule
    }
    stored = {
        (patient_id, item, due): row_id
        for row_id, patient_id, item, due in ScheduledItem.objects.filter(
            patient_id__in=list(assessments)
        ).values_list("pk", "patient_id", "item", "due")
    }
    stale = [row_id for key, row_id in stored.items() if key not in wanted]
    if stale:
        ScheduledItem.objects.filter(pk__in=stale).delete()
    ScheduledItem.objects.bulk_create(
        ScheduledItem(patient_id=pk, item=item, due=due)
        for pk, item, due in sorted(wanted - stored.keys())
    )


def _stored(
    patient_id: int,
    assessment: domain.Assessment,
    now: datetime,
    worst: WorstAlert,
    followed_at: tuple[int, bool],
    unreviewed_scans: int,
    worst_unacknowledged: int | None,
) -> PatientAssessment:
    lowest = assessment.lowest_t_score
    return PatientAssessment(
        worst_unacknowledged_rank=worst_unacknowledged,
        site_id=followed_at[0],
        followed=followed_at[1],
        unreviewed_scans=unreviewed_scans,
        worst_alert_rank=worst[0] if worst else None,
        worst_alert_raised_at=worst[1] if worst else None,
        patient_id=patient_id,
        as_of=assessment.as_of,
        computed_at=now,
        risk_category=assessment.risk_category.value,
        who_category=assessment.who_category.value,
        lowest_t_score=lowest.value if lowest else None,
        lowest_t_site=lowest.site.value if lowest else "",
        therapy_indicated=assessment.therapy_indicated,
        next_dexa_due=assessment.next_dexa_due,
        computed_next_dexa_due=assessment.computed_next_dexa_due,
        data=domain.assessment_to_dict(assessment),
    )


def _followed_at(patient_ids: list[int]) -> dict[int, tuple[int, bool]]:
    """Each patient's site and whether they are followed (active follow-up, not in error)."""
    return {
        pk: (site_id, status == FollowUpStatus.ACTIVE and not in_error)
        for pk, site_id, status, in_error in Patient.objects.filter(pk__in=patient_ids).values_list(
            "pk", "site_id", "follow_up_status", "entered_in_error"
        )
    }


def assessments_lock(patient_ids: list[int], *fields: str) -> list[tuple[Any, ...]]:
    """Lock the patients' stored assessments until the commit, in id order; return each locked
    row's patient_id and `fields`, read under the lock.

    A reassessment takes this lock first, so that two writers never reassess one patient at once:
    the second reads the records and alerts the first committed. Every other writer of a
    patient's monitoring rows takes it before them too (an acknowledgement locks it before the
    alert), so no two transactions wait for each other in a cycle. Only the patient's own rows
    are locked: writes for two patients never wait for each other, whatever their site.

    A patient's first assessment has no row to lock; it is created with the patient, before anyone
    else can write for them. SQLite has one writer at a time anyway.
    """
    rows = PatientAssessment.objects.filter(patient_id__in=patient_ids).order_by("patient_id")
    if connection.features.has_select_for_no_key_update:
        rows = rows.select_for_update(no_key=True)
    return list(rows.values_list("patient_id", *fields))


def _unreviewed_scans(patient_ids: list[int]) -> dict[int, int]:
    """How many valid scans of each patient await a physician's sign-off."""
    return dict(
        DexaScan.objects.filter(
            patient_id__in=patient_ids, entered_in_error=False, reviewed_at__isnull=True
        )
        .values_list("patient_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def assess_patients(
    patient_ids: Iterable[int], *, as_of: date, lsc_overrides: LscOverrides | None = None
) -> dict[int, domain.Assessment]:
    """Assess patients from the database (with `lsc_overrides`: as if scanners had those LSC
    values); no writes."""
    return {
        pk: domain.assess(history, as_of=as_of)
        for pk, history in histories_for(patient_ids, lsc_overrides=lsc_overrides).items()
    }


@transaction.atomic
def assessments_refresh(
    patient_ids: Iterable[int],
    *,
    as_of: date | None = None,
    now: datetime | None = None,
    cause: ReassessmentCause | None = None,
) -> RefreshSummary:
    """Reassess the patients and store their assessments, schedules and alerts; raise their
    records_version (the key of their cached patient-page fragments). With a `cause`, audit on
    each patient's trail the alerts it closed, raised or changed, and why."""
    as_of = as_of or timezone.localdate()
    now = now or timezone.now()
    ids = sorted(set(patient_ids))
    assessments_lock(ids)
    assessments = assess_patients(ids, as_of=as_of)
    summary = RefreshSummary(patients=len(assessments))
    if not assessments:
        return summary
    assessed = list(assessments)
    open_alerts = open_alerts_by_key(assessed)
    # Alerts first: the stored assessment keeps each patient's worst open alert for the dashboard.
    moves: defaultdict[int, AlertMoves] = defaultdict(AlertMoves)
    still_open = _sync_alerts(
        {pk: a.alerts for pk, a in assessments.items()}, open_alerts, now, summary, moves
    )
    if cause is not None:
        audit_moves(cause, moves)
    followed_at = _followed_at(assessed)
    unreviewed = _unreviewed_scans(assessed)
    stored = [
        _stored(
            pk,
            assessment,
            now,
            _worst(still_open[pk]),
            followed_at[pk],
            unreviewed.get(pk, 0),
            _worst_unacknowledged(still_open[pk]),
        )
        for pk, assessment in assessments.items()
    ]
    PatientAssessment.objects.bulk_create(
        stored,
        update_conflicts=True,
        unique_fields=["patient"],
        update_fields=[
            "site",
            "followed",
            "unreviewed_scans",
            "as_of",
            "computed_at",
            "risk_category",
            "who_category",
            "lowest_t_score",
            "lowest_t_site",
            "therapy_indicated",
            "next_dexa_due",
            "computed_next_dexa_due",
            "worst_alert_rank",
            "worst_alert_raised_at",
            "worst_unacknowledged_rank",
            "data",
        ],
    )
    _sync_schedule(assessments)
    patient_records_changed(assessed)
    return summary


def patient_assessment_refresh(*, patient: Patient) -> RefreshSummary:
    """Reassess one patient (call inside the transaction of a clinical write)."""
    return assessments_refresh([patient.pk])
