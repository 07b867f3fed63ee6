"""The dashboard's stored tallies: always equal to a fresh count, whatever the services do, and
equal to what the dashboard lists."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.assessment.reassessment import reassess_all
from monitoring.assessment.refresh import assessments_refresh
from monitoring.assessment.tallies import (
    Standing,
    changes,
    counted,
    stored_tallies,
    tallies_rebuild,
)
from monitoring.models import DexaScan, LabResult, SiteDataVersion, SiteTally
from monitoring.overview import selectors as overview
from monitoring.records.services.in_error import entry_mark_in_error
from monitoring.records.services.scans import Measurement, dexa_scan_record, dexa_scan_sign_off
from patients.models import FollowUpStatus, Patient
from patients.services import (
    patient_end_follow_up,
    patient_mark_in_error,
    patient_resume_follow_up,
    patient_update,
)
from tests.factories import (
    AromataseInhibitorCourseFactory,
    PatientFactory,
    ScannerFactory,
    UserFactory,
)
from tests.monitoring.app.overview_data import record_vitamin_d

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_patient_counts_only_while_followed() -> None:
    followed = Standing(1, True, "high", 3, (("HYPOCALCEMIA", 3), ("DEXA_OVERDUE", 1)), 2)
    assert changes([], [followed]) == {
        (1, "risk", "high"): 1,
        (1, "worst", "3"): 1,
        (1, "alert", "HYPOCALCEMIA:3"): 1,
        (1, "alert", "DEXA_OVERDUE:1"): 1,
        (1, "unreviewed", ""): 2,
    }
    ended = Standing(1, False, "high", 3, (("HYPOCALCEMIA", 3),), 2)
    assert changes([followed], [ended]) == {
        (1, "risk", "high"): -1,
        (1, "worst", "3"): -1,
        (1, "alert", "HYPOCALCEMIA:3"): -1,
        (1, "alert", "DEXA_OVERDUE:1"): -1,
        (1, "unreviewed", ""): -2,
    }
    moved = Standing(2, True, "high", 3, (("HYPOCALCEMIA", 3), ("DEXA_OVERDUE", 1)), 2)
    assert changes([followed], [moved])[(2, "risk", "high")] == 1
    assert changes([followed], [moved])[(1, "risk", "high")] == -1
    assert changes([followed], [followed]) == {}


def _nurse_and_physician(sites: list[Site]) -> tuple[User, User]:
    return (
        UserFactory(role="nurse", sites=sites),
        UserFactory(role="physician", sites=sites),
    )


def _scan(nurse: User, patient: Patient, day: date, t: str) -> DexaScan:
    value = Decimal(t)
    return dexa_scan_record(
        actor=nurse,
        patient=patient,
        values={"scan_date": day, "scanner": ScannerFactory(site=patient.site)},
        measurements={
            "lumbar_spine": Measurement(
                bmd=Decimal("1.047") + Decimal("0.11") * value, t_score=value
            ),
            "total_hip": Measurement(bmd=Decimal("0.942") + Decimal("0.12") * value, t_score=value),
        },
    )


def _check(user: User) -> None:
    """Stored tallies equal a fresh count, and the dashboard's counts equal what it lists."""
    assert stored_tallies() == counted()
    counts = overview.dashboard_counts(user=user)
    assert counts.alerting_patients == overview.dashboard_patients(user=user).count()
    assert counts.unreviewed_scans == overview.scans_awaiting_review(user=user).count()
    for severity in ("warning", "high", "critical"):
        filtered = overview.dashboard_counts(user=user, min_severity=severity)
        listed = overview.dashboard_patients(user=user, min_severity=severity).count()
        assert filtered.alerting_patients == listed


def test_the_tallies_follow_every_kind_of_change(site: Site, other_site: Site) -> None:
    nurse, physician = _nurse_and_physician([site, other_site])
    patients = [PatientFactory(site=s) for s in (site, site, site, other_site, other_site)]
    for patient in patients:
        AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=400))
    rng = random.Random(20261203)
    day = iter(range(1, 400))

    def pick() -> Patient:
        chosen = rng.choice(patients)
        chosen.refresh_from_db()
        return chosen

    for _ in range(40):
        action = rng.choice(
            ["scan", "scan", "vitamin_d", "sign_off", "error", "follow_up", "move", "mark_patient"]
        )
        patient = pick()
        if action == "scan":
            _scan(nurse, patient, TODAY - timedelta(days=next(day)), rng.choice(["-0.5", "-2.6"]))
        elif action == "vitamin_d":
            record_vitamin_d(
                nurse,
                patient,
                rng.choice(["20", "80"]),
                sample_date=TODAY - timedelta(days=next(day)),
            )
        elif action == "sign_off":
            scan = DexaScan.objects.filter(
                patient=patient, reviewed_at__isnull=True, entered_in_error=False
            ).first()
            if scan:
                dexa_scan_sign_off(actor=physician, scan=scan)
        elif action == "error":
            entry = (
                DexaScan.objects.filter(patient=patient, entered_in_error=False).first()
                or LabResult.objects.filter(patient=patient, entered_in_error=False).first()
            )
            if entry:
                entry_mark_in_error(actor=nurse, entry=entry, patient=patient, reason="Wrong")
        elif action == "follow_up":
            if patient.follow_up_status == FollowUpStatus.ACTIVE:
                patient_end_follow_up(actor=nurse, patient=patient, ended_on=TODAY, reason="Moved")
            else:
                patient_resume_follow_up(actor=nurse, patient=patient)
        elif action == "move":
            to = other_site if patient.site_id == site.pk else site
            patient_update(
                actor=nurse, patient=patient, values={"site": to}, expected_version=patient.version
            )
        elif action == "mark_patient" and not patient.entered_in_error and rng.random() < 0.3:
            patient_mark_in_error(actor=nurse, patient=patient, reason="Registered twice")
        _check(physician)
    # The nightly job for a later day (alerts fall due) keeps them too, then recounts.
    reassess_all(as_of=TODAY + timedelta(days=800))
    _check(physician)
    assert SiteTally.objects.exists()


def test_a_patient_moving_site_leaves_the_old_sites_counts_and_cached_pages(
    site: Site, other_site: Site
) -> None:
    nurse, physician = _nurse_and_physician([site, other_site])
    patient = PatientFactory(site=site)
    record_vitamin_d(nurse, patient, "20")  # deficient: an open alert
    assert overview.dashboard_counts(user=physician, site=site).alerting_patients == 1
    old_version = SiteDataVersion.objects.get(site=site).version
    patient.refresh_from_db()
    patient_update(
        actor=nurse, patient=patient, values={"site": other_site}, expected_version=patient.version
    )
    assert overview.dashboard_counts(user=physician, site=site).alerting_patients == 0
    assert overview.dashboard_counts(user=physician, site=other_site).alerting_patients == 1
    assert SiteDataVersion.objects.get(site=site).version > old_version


def test_a_rebuild_puts_right_what_was_written_around_the_services(
    site: Site, patient: Patient
) -> None:
    nurse, physician = _nurse_and_physician([site])
    record_vitamin_d(nurse, patient, "20")
    SiteTally.objects.update(n=99)  # as if a shell had written around the services
    assert stored_tallies() != counted()
    tallies_rebuild()
    assert stored_tallies() == counted()
    _check(physician)


def test_the_dashboard_reads_its_counts_in_one_query(
    physician: User, physician_client: Client, patient: Patient
) -> None:
    with CaptureQueriesContext(connection) as queries:
        overview.dashboard_counts(user=physician, min_severity="high")
    assert len(queries) == 1
    record_vitamin_d(UserFactory(role="nurse", sites=[patient.site]), patient, "20")
    with CaptureQueriesContext(connection) as queries:
        response = physician_client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    assert patient.mrn in response.text
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_reassessment_locks_its_patients_first(patient: Patient) -> None:
    assessments_refresh([patient.pk])  # the first assessment: nothing to lock yet
    with CaptureQueriesContext(connection) as queries:
        assessments_refresh([patient.pk])
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert "FOR NO KEY UPDATE" in statements[0]
    assert "monitoring_patientassessment" in statements[0]
