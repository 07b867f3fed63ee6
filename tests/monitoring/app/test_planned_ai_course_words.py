"""A planned aromatase-inhibitor course (its start still to come, or not yet known) is worded as
planned on the patient list and in both letters, never as taken; and the patient's letter does not
name a scan the patient never had.

A tester found "Anastrozole since 2027-03-03" on the list, "On anastrozole since 2027-03-03." in the
doctor's letter and "You take an aromatase inhibitor" in the patient's, for a course planned to
start in three months."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.domain.types import RiskCategory
from monitoring.overview.letters import PATIENT, letter
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory
from tests.html_forms import letter_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LATER = TODAY + dt.timedelta(days=86)
EARLIER = TODAY - dt.timedelta(days=400)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.text.split())


def _letter(client: Client, patient: Patient, kind: str) -> str:
    return letter_text(client, patient, kind)


def test_a_course_to_come_is_worded_as_planned(nurse_client: Client, patient: Patient) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=LATER)
    planned = f"planned from {LATER:%Y-%m-%d}"
    assert f"Anastrozole {planned}" in _page(nurse_client, reverse("patients:list"))
    doctor = _letter(nurse_client, patient, "doctor")
    assert f"Anastrozole {planned}." in doctor
    assert "On anastrozole" not in doctor
    mine = _letter(nurse_client, patient, "patient")
    assert "You are due to start an aromatase inhibitor" in mine
    assert "You take" not in mine


def test_a_course_without_a_start_is_worded_as_planned(
    nurse_client: Client, patient: Patient
) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=None)
    assert "Anastrozole planned" in _page(nurse_client, reverse("patients:list"))
    assert "Anastrozole planned." in _letter(nurse_client, patient, "doctor")
    assert "You are due to start" in _letter(nurse_client, patient, "patient")


def test_a_course_taken_is_worded_as_taken(nurse_client: Client, patient: Patient) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=EARLIER)
    since = f"since {EARLIER:%Y-%m-%d}"
    assert f"Anastrozole {since}" in _page(nurse_client, reverse("patients:list"))
    assert f"On anastrozole {since}." in _letter(nurse_client, patient, "doctor")
    assert "You take an aromatase inhibitor" in _letter(nurse_client, patient, "patient")


def test_a_patient_with_no_current_course_is_not_told_she_takes_one(
    nurse_client: Client, patient: Patient
) -> None:
    AromataseInhibitorCourseFactory(
        patient=patient, start_date=EARLIER, stop_date=TODAY, stop_reason="completed"
    )
    mine = _letter(nurse_client, patient, "patient")
    assert "You take" not in mine
    assert "You have taken an aromatase inhibitor" in mine  # stopped (nurse10 4)


@pytest.mark.parametrize("risk", [RiskCategory.LOW, RiskCategory.MODERATE, RiskCategory.HIGH])
def test_without_a_scan_the_risk_sentence_names_none(risk: RiskCategory) -> None:
    sentences = [s.text for s in letter({"risk_category": risk}, PATIENT, (), TODAY).results]
    assert "We do not have a bone density scan result for you yet." in sentences
    assert not any("your scan" in text for text in sentences)
    assert any(text.startswith("Going by your risk factors alone") for text in sentences)


def test_with_a_scan_the_risk_sentence_names_it() -> None:
    data = {
        "risk_category": RiskCategory.HIGH,
        "lowest_t_score": {"value": "-2.8", "site": "lumbar_spine", "date": "2026-01-05"},
        "who_category": "osteoporosis",
    }
    sentences = [s.text for s in letter(data, PATIENT, (), TODAY).results]
    assert (
        "Putting your scan and your other risk factors together, your risk is high, and your "
        "bones need protecting." in sentences
    )
