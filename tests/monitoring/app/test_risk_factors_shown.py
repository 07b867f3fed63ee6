"""The risk factors behind "2 or more risk factors on an aromatase inhibitor" (TX-AI-RF) are
named in words wherever the indication is (physician7 F9): the patient page (risk category,
recommendation, clinical risk factors block), the summary printout and the doctor's letter."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.domain.types import RiskFactor
from monitoring.labels import RISK_FACTOR_LABELS
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
COUNTED = "age over 65; T-score below -1.5"


@pytest.fixture
def on_ai_aged_68_t_minus_2(patient: Patient) -> Patient:
    """Born 1958: over 65; T -2.0 on an AI is not TX-AI-T (< -2.0) but counts as T < -1.5."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=400))
    DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=30), t=-2.0)
    return patient


def test_every_risk_factor_code_has_words() -> None:
    assert set(RISK_FACTOR_LABELS) == set(RiskFactor)
    assert all("_" not in words for words in RISK_FACTOR_LABELS.values())


def test_the_patient_page_names_the_risk_factors_of_tx_ai_rf(
    physician_client: Client, on_ai_aged_68_t_minus_2: Patient
) -> None:
    page = physician_client.get(reverse("monitoring:patient", args=[on_ai_aged_68_t_minus_2.pk]))
    assert page.context["full"]()["data"]["therapy_triggers"] == ["TX-AI-RF"]
    text = page.text
    assert f"Risk factors: {COUNTED}" in text  # beside the risk category
    assert f"Risk factors counted for TX-AI-RF: {COUNTED}." in text  # the recommendation
    assert f"Counted by the rules (with age, BMI and the lowest T-score): {COUNTED}." in text


def test_the_summary_and_the_doctors_letter_name_them(
    physician_client: Client, on_ai_aged_68_t_minus_2: Patient
) -> None:
    pk = on_ai_aged_68_t_minus_2.pk
    summary = physician_client.get(reverse("monitoring:patient_summary", args=[pk])).text
    assert f"Risk factors counted for TX-AI-RF: {COUNTED}." in summary
    assert f"risk factors: {COUNTED}." in summary  # the line under the facts
    letter = physician_client.get(reverse("monitoring:letter", args=[pk, "doctor"])).text
    assert (
        "Bone-protective therapy is indicated; none is recorded as given or planned. "
        f"Risk factors counted (2 or more on an aromatase inhibitor): {COUNTED}." in letter
    )


def test_a_patient_with_no_risk_factor_reads_none(
    physician_client: Client, patient: Patient
) -> None:
    patient.birth_date = TODAY.replace(year=TODAY.year - 55)
    patient.save()
    DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=30), t=-0.5)
    text = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert "Counted by the rules (with age, BMI and the lowest T-score): none." in text
    assert "Risk factors:" not in text
