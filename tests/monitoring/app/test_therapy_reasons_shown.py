"""nurse12 F9: "Start bone therapy: Start an antiresorptive ...: TX-AI-T." gave a code for a
reason. The patient page and the summary say what was found and the limit it passed, with the
rule id as a link to the Rules page, as every recommendation has."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import DexaMeasurement, DexaScan
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, PatientFactory, ScannerFactory

pytestmark = pytest.mark.django_db

REASON = "lowest T-score -2.1 at the femoral neck, below -2.0, on an aromatase inhibitor"


@pytest.fixture
def below_minus_2(site) -> Patient:  # type: ignore[no-untyped-def]
    """Aged under 65 on an aromatase inhibitor, lowest T-score -2.1 at the femoral neck: TX-AI-T
    alone (one risk factor, the T-score below -1.5)."""
    today = timezone.localdate()
    patient = PatientFactory(site=site, birth_date=dt.date(today.year - 55, 1, 1))
    AromataseInhibitorCourseFactory(patient=patient, start_date=today - dt.timedelta(days=60))
    scan = DexaScan.objects.create(
        patient=patient,
        scan_date=today - dt.timedelta(days=30),
        scanner=ScannerFactory(site=site),
    )
    for measured, bmd, t_score in (
        ("lumbar_spine", "0.950", "-1.6"),
        ("total_hip", "0.800", "-1.8"),
        ("femoral_neck", "0.640", "-2.1"),
    ):
        DexaMeasurement.objects.create(scan=scan, site=measured, bmd=bmd, t_score=t_score)
    patient_assessment_refresh(patient=patient)
    return patient


def test_the_stored_texts_give_the_reason_not_the_code(below_minus_2: Patient) -> None:
    data = below_minus_2.assessment.data
    assert data["therapy_triggers"] == ["TX-AI-T"]
    (start,) = [r for r in data["recommendations"] if r["code"] == "START_BONE_THERAPY"]
    assert start["message"] == (f"Start an antiresorptive (bisphosphonate or denosumab): {REASON}.")
    assert start["rules"] == ["TX-AI-T"]
    (alert,) = [a for a in data["alerts"] if a["code"] == "BONE_THERAPY_INDICATED"]
    assert f"Bone-protective therapy is indicated: {REASON}." in alert["message"]
    assert "TX-AI-T" not in start["message"] + alert["message"]


@pytest.mark.parametrize("page", ["monitoring:patient", "monitoring:patient_summary"])
def test_the_patient_page_and_summary_show_the_reason_and_link_the_rule(
    nurse_client: Client, below_minus_2: Patient, page: str
) -> None:
    text = nurse_client.get(reverse(page, args=[below_minus_2.pk])).text
    assert f"Start an antiresorptive (bisphosphonate or denosumab): {REASON}." in text
    assert f'<a href="{reverse("rules")}#TX-AI-T">TX-AI-T</a>' in text
