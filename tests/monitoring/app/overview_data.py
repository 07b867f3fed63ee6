"""Test data for the overview pages: patients with open alerts, scans and scheduled items."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.models import Alert, DexaScan, PatientAssessment, ScheduledItem
from monitoring.models.choices import SEVERITY_RANK, Severity
from monitoring.records.services.labs import LabEntry, lab_results_record
from patients.models import FollowUpStatus, Patient
from tests.factories import DexaScanFactory, PatientFactory

TODAY = timezone.localdate()


def record_vitamin_d(
    nurse: User, patient: Patient, value: str, *, sample_date: dt.date = TODAY
) -> None:
    """A 25-OH vitamin D result (nmol/L) recorded through the service: reassessed, as in the app."""
    lab_results_record(
        actor=nurse,
        patient=patient,
        sample_date=sample_date,
        fasting=False,
        entries=[LabEntry(analyte="vitamin_d_25oh", value=Decimal(value), unit="nmol/L")],
    )


def alert(patient: Patient, code: str, severity: str, *, days_ago: int, site: str = "") -> Alert:
    created = Alert.objects.create(
        patient=patient,
        code=code,
        site=site,
        severity=severity,
        severity_rank=SEVERITY_RANK[Severity(severity)],
        message=f"{code} message",
        raised_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    summarise(patient)
    return created


def summarise(patient: Patient) -> None:
    """Store the patient's worst open alert on their assessment, as the alert sync does."""
    open_alerts = list(Alert.objects.filter(patient=patient, cleared_at__isnull=True))
    assessment = stored(patient)
    if open_alerts:
        rank = max(a.severity_rank for a in open_alerts)
        assessment.worst_alert_rank = rank
        assessment.worst_alert_raised_at = min(
            a.raised_at for a in open_alerts if a.severity_rank == rank
        )
        assessment.worst_unacknowledged_rank = max(
            (a.severity_rank for a in open_alerts if a.acknowledged_at is None), default=None
        )
    else:
        assessment.worst_alert_rank = assessment.worst_alert_raised_at = None
        assessment.worst_unacknowledged_rank = None
    assessment.save()


def stored(patient: Patient) -> PatientAssessment:
    """The patient's stored assessment (created if missing) with the patient's site, follow-up
    and scans awaiting review copied onto it, as reassessments keep them."""
    assessment = PatientAssessment.objects.filter(patient=patient).first()
    if assessment is None:
        assessment = PatientAssessment(
            patient=patient,
            as_of=TODAY,
            computed_at=timezone.now(),
            risk_category="unknown",
            who_category="osteopenia",
            therapy_indicated=False,
            data={},
        )
    assessment.site_id = patient.site_id
    assessment.followed = (
        patient.follow_up_status == FollowUpStatus.ACTIVE and not patient.entered_in_error
    )
    assessment.unreviewed_scans = DexaScan.objects.filter(
        patient=patient, entered_in_error=False, reviewed_at__isnull=True
    ).count()
    assessment.save()
    return assessment


def assessed(patient: Patient, risk: str) -> PatientAssessment:
    assessment = stored(patient)
    assessment.risk_category = risk
    assessment.save()
    return assessment


def due(patient: Patient, item: str, *, in_days: int) -> ScheduledItem:
    stored(patient)
    return ScheduledItem.objects.create(
        patient=patient, item=item, due=TODAY + dt.timedelta(days=in_days)
    )


def populate(site: Site, count: int, *, prefix: str = "P") -> list[Patient]:
    """`count` patients, each with two open alerts, an assessment, two scans and two due items."""
    patients = []
    for n in range(count):
        patient = PatientFactory(site=site, mrn=f"{prefix}{n:04d}")
        alert(patient, "DEXA_OVERDUE", "warning", days_ago=n + 1)
        alert(patient, "BONE_THERAPY_INDICATED", "high", days_ago=n + 2)
        assessed(patient, ["low", "moderate", "high"][n % 3])
        DexaScanFactory(patient=patient, scan_date=dt.date(2023, 1, 1))
        DexaScanFactory(patient=patient, scan_date=dt.date(2024, 1, 1))
        due(patient, "dexa", in_days=n - 3)
        due(patient, "denosumab_dose", in_days=n + 10)
        patients.append(patient)
    return patients
