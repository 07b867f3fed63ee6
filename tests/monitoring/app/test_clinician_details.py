"""Details a clinician noticed on the patient page: words, not codes; values as the tables write
them; courses still to come are planned; a stopped therapy says so; Z-scores where T-scores do not
apply; severity colours in order of severity."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Alert, BoneTherapyCourse
from monitoring.overview.therapy_words import therapy_now
from monitoring.templatetags.monitoring_display import (
    SEVERITY_CLASS,
    lowest_z_score,
    plain_lab_values,
    plain_number,
    started,
)
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory

TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("value", "shown"),
    [("30.000", "30"), ("100.000", "100"), ("2.360", "2.36"), ("18.50", "18.5"), ("0", "0")],
)
def test_numbers_read_as_the_clinician_typed_them_never_in_exponent_form(
    value: str, shown: str
) -> None:
    assert plain_number(Decimal(value)) == shown


def test_lab_values_in_a_rule_text_read_as_in_the_labs_table() -> None:
    text = "25-OH vitamin D 18.00 ng/mL on 2026-01-02 is deficient (< 20); eGFR 29.50 mL/min."
    assert plain_lab_values(text) == (
        "25-OH vitamin D 18 ng/mL on 2026-01-02 is deficient (< 20); eGFR 29.5 mL/min."
    )
    # Other numbers (dates, T-scores, thresholds) are left as the rule wrote them.
    assert plain_lab_values("T -2.50 at 2.0 years") == "T -2.50 at 2.0 years"


def test_a_course_that_starts_later_is_planned_not_since() -> None:
    assert started(TODAY - timedelta(days=3)) == f"since {TODAY - timedelta(days=3):%Y-%m-%d}"
    later = TODAY + timedelta(days=30)
    assert started(later) == f"planned from {later:%Y-%m-%d}"
    assert started(None) == "planned"


def _course(drug: str, start: date | None, stop: date | None = None) -> SimpleNamespace:
    labels = {"denosumab": "Denosumab", "zoledronic_acid": "Zoledronic acid"}
    return SimpleNamespace(
        drug=drug, start_date=start, stop_date=stop, get_drug_display=lambda: labels[drug]
    )


def test_the_therapy_card_shows_running_courses_or_else_the_last_stopped_one() -> None:
    stopped = _course("denosumab", date(2023, 1, 1), date(2025, 1, 1))
    running = _course("zoledronic_acid", date(2025, 2, 1))
    assert therapy_now([stopped, running]) == [("Zoledronic acid", "since 2025-02-01")]
    assert therapy_now([stopped]) == [("Denosumab", "stopped 2025-01-01")]
    assert therapy_now([]) == []


def test_the_lowest_z_score_comes_from_the_latest_scan_that_has_one() -> None:
    def scan(day: date, *zs: float | None) -> SimpleNamespace:
        return SimpleNamespace(
            scan_date=day,
            measurement_list=[SimpleNamespace(site="total_hip", z_score=z) for z in zs],
        )

    older, newer = scan(date(2024, 1, 1), -2.0), scan(date(2025, 1, 1), -0.4, -1.1, None)
    assert lowest_z_score([older, newer]).z_score == -1.1
    assert lowest_z_score([older, scan(date(2026, 1, 1), None)]).z_score == -2.0
    assert lowest_z_score([]) is None


def test_severity_colours_run_from_red_to_grey_in_order_of_severity() -> None:
    assert [SEVERITY_CLASS[s] for s in ("critical", "high", "warning", "info")] == [
        "severity-critical",
        "severity-high",
        "severity-warning",
        "severity-info",
    ]


@pytest.mark.django_db
def test_the_patient_page_words_codes_and_values_as_a_clinician_reads_them(
    physician_client: Client, patient: Patient
) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=400))
    DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=300), t=-2.6)
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - timedelta(days=10),
        value=Decimal("18"),
        entered_value=Decimal("18"),
    )
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY - timedelta(days=700),
        stop_date=TODAY - timedelta(days=200),
        stop_reason="patient preference",
    )
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert "18 ng/mL" in page
    assert "18.00" not in page
    assert "Vitamin D deficient" in page
    assert "Calcium and vitamin D" in page
    for code in Alert.objects.filter(patient=patient).values_list("code", flat=True):
        assert f">{code}<" not in page  # shown by its label, never as a bare code
    assert f"stopped {course.stop_date:%Y-%m-%d}" in page


@pytest.mark.django_db
def test_acknowledging_names_the_alert_in_words(physician_client: Client, patient: Patient) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=400))
    physician_client.get(reverse("monitoring:patient", args=[patient.pk]))
    alert = Alert.objects.get(patient=patient, code="BASELINE_DEXA_MISSING")
    response = physician_client.post(
        reverse("monitoring:alert_acknowledge", args=[alert.pk]), {"note": "booked"}, follow=True
    )
    assert "Alert acknowledged: Baseline DEXA missing." in response.text
    assert "BASELINE_DEXA_MISSING acknowledged" not in response.text
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None


def test_a_due_date_in_the_past_reads_overdue_since_but_in_the_rules_grace() -> None:
    from monitoring.templatetags.monitoring_display import due_words

    past, soon = TODAY - timedelta(days=1), TODAY + timedelta(days=1)
    overdue = {"alerts": [{"code": "DEXA_OVERDUE"}, {"code": "DENOSUMAB_DUE"}]}
    assert due_words(past.isoformat(), "dexa", overdue) == f"overdue since {past:%Y-%m-%d}"
    assert due_words(past, "REPEAT_DEXA", overdue) == f"overdue since {past:%Y-%m-%d}"
    # DENOSUMAB_DUE (0-28 days late) is due, not overdue; a date with no grace is overdue the
    # day after (monitoring/overview/lateness.py), as is a baseline scan past its grace.
    assert due_words(past, "GIVE_DENOSUMAB", overdue) == f"due since {past:%Y-%m-%d}"
    assert due_words(past, "dexa", {}) == f"overdue since {past:%Y-%m-%d}"
    grace = {"alerts": [{"code": "BASELINE_DEXA_DUE"}]}
    assert due_words(past, "BASELINE_DEXA", grace) == f"due since {past:%Y-%m-%d}"
    assert due_words(past, "vitamin_d_recheck", grace) == f"overdue since {past:%Y-%m-%d}"
    assert due_words(soon, "dexa", overdue) == f"due {soon:%Y-%m-%d}"
    assert due_words(TODAY, "dexa", overdue) == f"due {TODAY:%Y-%m-%d}"
    assert due_words(None, "dexa", overdue) == ""


def test_recommendations_of_critical_and_high_alerts_come_before_everyday_advice() -> None:
    from monitoring.templatetags.monitoring_display import triaged

    recs = [
        {"code": "CALCIUM_VITAMIN_D", "rules": ["ALWAYS"]},
        {"code": "LIFESTYLE", "rules": ["ALWAYS"]},
        {"code": "REPEAT_DEXA", "rules": ["SCHED-HIGH"]},
        {"code": "REPLETE_VITAMIN_D", "rules": ["VITD"]},
        {"code": "START_FOLLOW_ON_THERAPY", "rules": ["DMAB-STOP"]},
    ]
    alerts = [
        SimpleNamespace(severity="high", rules=["VITD"]),
        SimpleNamespace(severity="critical", rules=["DMAB-STOP"]),
        SimpleNamespace(severity="warning", rules=["SCHED-OVERDUE"]),
    ]
    assert [rec["code"] for rec in triaged(recs, alerts)] == [
        "START_FOLLOW_ON_THERAPY",
        "REPLETE_VITAMIN_D",
        "REPEAT_DEXA",
        "CALCIUM_VITAMIN_D",
        "LIFESTYLE",
    ]
