"""physician9 F18 in the application: a vertebral fracture seen on the VFA after years of
alendronate reaches the physician's dashboard as FRACTURE_ON_THERAPY, asks for a therapy decision
on the worklist, is told to the patient in plain words, and no longer gives a 24-month interval."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from monitoring.models import Alert, PatientAssessment
from monitoring.records.history_import import history_import
from patients.models import Patient

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _scan(days_ago: int, vfa: str) -> dict[str, object]:
    return {
        "date": _day(days_ago),
        "scanner": "Lunar iDXA, room 1",
        "sites": {
            "lumbar_spine": {"bmd": 0.900, "t_score": -2.1},
            "total_hip": {"bmd": 0.850, "t_score": -1.4},
        },
        "vertebral_fracture_assessment": vfa,
    }


@pytest.fixture
def fractured_on_alendronate(site: Site) -> Patient:
    """A 58-year-old on letrozole, on alendronate for 1000 days, a new VFA fracture 30 days ago."""
    history_import(
        data={
            "patient": {
                "mrn": "FX-1",
                "name": "Fracture On Alendronate",
                "sex": "F",
                "birth_date": (TODAY - timedelta(days=58 * 365 + 30)).isoformat(),
                "height_cm": 165,
                "weight_kg": 65,
            },
            "aromatase_inhibitors": [{"drug": "letrozole", "start_date": _day(1050)}],
            "dexa_scans": [_scan(1005, "no_fracture"), _scan(30, "fracture")],
            "labs": [
                {"date": _day(30), "analyte": "vitamin_d_25oh", "value": 40, "unit": "ng/mL"},
                {"date": _day(30), "analyte": "calcium", "value": 2.3, "unit": "mmol/L"},
                {"date": _day(30), "analyte": "egfr", "value": 80, "unit": "mL/min/1.73m2"},
            ],
            "bone_therapy": [
                {"drug": "alendronate", "dose": "70 mg weekly", "start_date": _day(1000)}
            ],
        },
        site=site,
        override_reason="test data: checks not under test",
    )
    return Patient.objects.get(mrn="FX-1")


def test_the_alert_is_stored_and_the_interval_is_not_stable(
    fractured_on_alendronate: Patient,
) -> None:
    alert = Alert.objects.get(
        patient=fractured_on_alendronate, code="FRACTURE_ON_THERAPY", cleared_at__isnull=True
    )
    assert alert.severity == "high"
    assert alert.rules == ["FX-ON-THERAPY"]
    assert f"vertebral fracture seen on the VFA of the scan of {_day(30)}" in alert.message
    assert f"alendronate since {_day(1000)}" in alert.message
    stored = PatientAssessment.objects.get(patient=fractured_on_alendronate)
    repeat = next(r for r in stored.data["recommendations"] if r["code"] == "REPEAT_DEXA")
    assert "SCHED-STABLE-ON-THERAPY" not in repeat["rules"]
    assert repeat["due"] < (TODAY + timedelta(days=365)).isoformat()  # 12 months, not 24


def test_the_physician_sees_it_on_the_dashboard_and_the_worklist(
    physician_client: Client, fractured_on_alendronate: Patient
) -> None:
    dashboard = physician_client.get(reverse("monitoring:dashboard"))
    assert dashboard.status_code == 200
    assert [p.mrn for p in dashboard.context["page"].object_list] == ["FX-1"]
    assert "Fragility fracture on therapy" in dashboard.text
    worklist = physician_client.get(reverse("monitoring:worklist"))
    rows = [(r.patient.mrn, r.get_item_display()) for r in worklist.context["work"].object_list]
    assert ("FX-1", "Therapy decision (physician)") in rows
    page = physician_client.get(reverse("monitoring:patient", args=[fractured_on_alendronate.pk]))
    assert "Fragility fracture on therapy" in page.text
    assert "review adherence, secondary causes of osteoporosis" in page.text


def test_the_patient_letter_says_the_medicine_will_be_reviewed(
    physician_client: Client, fractured_on_alendronate: Patient
) -> None:
    url = reverse("monitoring:letter", args=[fractured_on_alendronate.pk, "patient"])
    response = physician_client.get(url)
    assert response.status_code == 200
    assert "we will review your bone medicine with you" in response.text
    doctor = physician_client.get(
        reverse("monitoring:letter", args=[fractured_on_alendronate.pk, "doctor"])
    )
    assert "Fragility fracture on therapy: " in doctor.text
