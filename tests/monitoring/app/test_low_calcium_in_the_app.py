"""nurse10 F1 in the application: an adjusted calcium of 1.90 mmol/L entered through the lab form
for a patient on alendronate is stored as CALCIUM_LOW (high), reaches the worklist and the
physician's dashboard, fails the alendronate dose checklist until overridden with a reason, and
is told in both letters; a normal result clears it. A patient the rules tell to start an
antiresorptive is told to correct the calcium first."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from monitoring.models import Alert, BoneTherapyCourse, PatientAssessment
from monitoring.records.history_import import history_import
from patients.models import Patient

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LOW_CALCIUM_WORK = "Low calcium: correct it and check it again"


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _import(site: Site, mrn: str, t_score: float, therapy: list[dict[str, object]]) -> Patient:
    history_import(
        data={
            "patient": {
                "mrn": mrn,
                "name": "Calcium Example",
                "sex": "F",
                "birth_date": "1958-03-01",
                "height_cm": 165,
                "weight_kg": 65,
            },
            "aromatase_inhibitors": [{"drug": "letrozole", "start_date": _day(400)}],
            "dexa_scans": [
                {
                    "date": _day(380),
                    "scanner": "Lunar iDXA, room 1",
                    "sites": {"lumbar_spine": {"bmd": 0.800, "t_score": t_score}},
                }
            ],
            "labs": [
                {"date": _day(80), "analyte": "vitamin_d_25oh", "value": 40, "unit": "ng/mL"},
                {"date": _day(80), "analyte": "calcium", "value": 2.3, "unit": "mmol/L"},
                {"date": _day(80), "analyte": "egfr", "value": 80, "unit": "mL/min/1.73m2"},
            ],
            "bone_therapy": therapy,
        },
        site=site,
        override_reason="test data: checks not under test",
    )
    return Patient.objects.get(mrn=mrn)


@pytest.fixture
def on_alendronate(site: Site) -> Patient:
    therapy = [{"drug": "alendronate", "dose": "70 mg weekly", "start_date": _day(70)}]
    return _import(site, "CA-1", -1.8, therapy)


@pytest.fixture
def to_start_therapy(site: Site) -> Patient:
    """T -2.6 and nothing started: BONE_THERAPY_INDICATED, START_BONE_THERAPY."""
    return _import(site, "CA-2", -2.6, [])


def _enter_calcium(client: Client, patient: Patient, value: str) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {"sample_date": _day(1), "calcium_value": value, "calcium_unit": "mmol/L"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors


def _open(patient: Patient, code: str) -> Alert | None:
    return Alert.objects.filter(patient=patient, code=code, cleared_at__isnull=True).first()


def _work(client: Client) -> list[tuple[str, str]]:
    worklist = client.get(reverse("monitoring:worklist"))
    assert worklist.status_code == 200
    return [(r.patient.mrn, r.get_item_display()) for r in worklist.context["work"].object_list]


def test_calcium_1_90_on_alendronate_is_stored_and_reaches_the_worklist_and_dashboard(
    nurse_client: Client, physician_client: Client, on_alendronate: Patient
) -> None:
    assert _open(on_alendronate, "CALCIUM_LOW") is None
    _enter_calcium(nurse_client, on_alendronate, "1.90")
    alert = _open(on_alendronate, "CALCIUM_LOW")
    assert alert is not None
    assert alert.severity == "high"
    assert alert.rules == ["CA-LOW-OTHER"]
    assert "hypocalcaemia is a contraindication of alendronate" in alert.message
    assert _open(on_alendronate, "HYPOCALCEMIA") is None  # CA-LOW as the spec states it
    assert ("CA-1", LOW_CALCIUM_WORK) in _work(nurse_client)
    dashboard = physician_client.get(reverse("monitoring:dashboard"))
    assert [p.mrn for p in dashboard.context["page"].object_list] == ["CA-1"]
    assert "Low calcium (no zoledronic acid or denosumab)" in dashboard.text
    page = nurse_client.get(reverse("monitoring:patient", args=[on_alendronate.pk]))
    assert "No open alerts" not in page.text


def test_the_alendronate_dose_fails_the_calcium_check_until_overridden(
    nurse_client: Client, physician_client: Client, on_alendronate: Patient
) -> None:
    _enter_calcium(nurse_client, on_alendronate, "1.90")
    course = BoneTherapyCourse.objects.get(patient=on_alendronate, drug="alendronate")
    url = reverse("monitoring:dose_create", args=[on_alendronate.pk, course.pk])
    refused = nurse_client.post(url, {"given_on": TODAY.isoformat()})
    assert refused.status_code == 200
    assert "Albumin-adjusted calcium" in refused.context["form"].errors["safety_override"][0]
    assert 'data-check="calcium" data-status="failed"' in refused.text
    row = re.search(r'<tr data-check="calcium"[^>]*>(.*?)</tr>', refused.text, re.S)
    assert row is not None
    assert "Not checked" not in row.group(1)
    assert "hypocalcaemia is a contraindication of alendronate" in row.group(1)
    assert not course.doses.exists()
    reason = "calcium 1.90 discussed with Dr Example: continue with calcium supplement"
    data = {"given_on": TODAY.isoformat(), "safety_override": "on", "override_reason": reason}
    # CALCIUM_LOW is high (a contraindication): only a physician overrides it (nurse11 F3).
    assert nurse_client.post(url, data).status_code == 200
    assert not course.doses.exists()
    saved = physician_client.post(url, data)
    assert saved.status_code == 302
    dose = course.doses.get(given_on=TODAY)
    assert (dose.safety_override_reason, dose.safety_checks_failed) == (reason, ["calcium"])


def test_both_letters_tell_the_low_calcium(
    nurse_client: Client, physician_client: Client, on_alendronate: Patient
) -> None:
    _enter_calcium(nurse_client, on_alendronate, "1.90")
    patient_letter = physician_client.get(
        reverse("monitoring:letter", args=[on_alendronate.pk, "patient"])
    )
    assert patient_letter.status_code == 200
    assert "The calcium level in your blood was low" in patient_letter.text
    assert "CALCIUM_LOW" not in patient_letter.text
    doctor = physician_client.get(reverse("monitoring:letter", args=[on_alendronate.pk, "doctor"]))
    assert "Low calcium (no zoledronic acid or denosumab):" in doctor.text  # by its title
    assert "1.90 mmol/L" in doctor.text or "1.9 mmol/L" in doctor.text


def test_a_normal_calcium_clears_the_alert_and_the_worklist_row(
    nurse_client: Client, on_alendronate: Patient
) -> None:
    _enter_calcium(nurse_client, on_alendronate, "1.90")
    url = reverse("monitoring:labs_create", args=[on_alendronate.pk])
    data = {"sample_date": TODAY.isoformat(), "calcium_value": "2.30", "calcium_unit": "mmol/L"}
    assert nurse_client.post(url, data).status_code == 302
    assert _open(on_alendronate, "CALCIUM_LOW") is None
    assert Alert.objects.filter(patient=on_alendronate, code="CALCIUM_LOW").count() == 1
    assert ("CA-1", LOW_CALCIUM_WORK) not in _work(nurse_client)


def test_the_start_of_therapy_says_correct_the_calcium_first(
    nurse_client: Client, physician_client: Client, to_start_therapy: Patient
) -> None:
    assert _open(to_start_therapy, "BONE_THERAPY_INDICATED") is not None
    _enter_calcium(nurse_client, to_start_therapy, "1.95")
    alert = _open(to_start_therapy, "CALCIUM_LOW")
    assert alert is not None
    assert alert.severity == "high"
    stored = PatientAssessment.objects.get(patient=to_start_therapy)
    start = next(r for r in stored.data["recommendations"] if r["code"] == "START_BONE_THERAPY")
    assert start["message"].startswith("Correct the low calcium first (CALCIUM_LOW")
    assert "CA-LOW-OTHER" in start["rules"]
    page = physician_client.get(reverse("monitoring:patient", args=[to_start_therapy.pk]))
    assert "Correct the calcium, then start bone therapy" in page.text
    letter = physician_client.get(
        reverse("monitoring:letter", args=[to_start_therapy.pk, "patient"])
    )
    assert "Your calcium level needs to be brought back to normal first." in letter.text
    doctor = physician_client.get(
        reverse("monitoring:letter", args=[to_start_therapy.pk, "doctor"])
    )
    assert "Correct the low calcium first (see the alert below); then: " in doctor.text
