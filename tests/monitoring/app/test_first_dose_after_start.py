"""phys13 #2: a bone-therapy course's start is the day of its first dose (DMAB-SCHEDULE: the next
is due from "the last dose, or the start, with no dose recorded").

The letters called the dose 6 months after the start the "first"; and the real first injection,
recorded 6 days after the start, was refused as "176 days early" against the start, a physician's
override. Now the letters say "next", and a first dose a few days after the start is recorded
without an override, the form saying what it is taken for, and the schedule counts from it. A dose
days after a dose recorded is still refused."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.models.alerts import ScheduledItem
from monitoring.records.dose_safety import dose_checklist
from monitoring.records.services.safety_gate import OverrideNotPermittedError, SafetyCheckError
from monitoring.records.services.therapy import bone_therapy_dose_record
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, results_in_range
from tests.html_forms import letter_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
START = TODAY - timedelta(days=6)
ITEM = {"denosumab": "denosumab_dose", "zoledronic_acid": "zoledronic_acid_dose"}
DRUGS = pytest.mark.parametrize("drug", list(ITEM))


def _started(
    patient: Patient, physician: User, drug: str, *, calcium: str = "2.4"
) -> BoneTherapyCourse:
    """A course of `drug` started 6 days ago, no dose recorded, the labs in range (but for the
    calcium, if given)."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=400))
    DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=100), t=-2.8)
    results_in_range(patient, START - timedelta(days=3), calcium=calcium)
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug=drug,
        dose="60 mg every 6 months" if drug == "denosumab" else "4 mg every 6 months",
        start_date=START,
        dental_review_date=START - timedelta(days=10),
        entered_by=physician,
    )
    patient_assessment_refresh(patient=patient)
    return course


def _due(patient: Patient, drug: str) -> list[date]:
    rows = ScheduledItem.objects.filter(patient=patient, item=ITEM[drug])
    return list(rows.values_list("due", flat=True))


def _letter(client: Client, patient: Patient, kind: str) -> str:
    return letter_text(client, patient, kind)


@DRUGS
def test_a_first_dose_six_days_after_the_start_is_recorded_without_an_override(
    drug: str, patient: Patient, physician: User, nurse: User
) -> None:
    course = _started(patient, physician, drug)
    assert _due(patient, drug) == [add_months(START, 6)]
    checklist = dose_checklist(patient=patient, course=course, given_on=TODAY)
    (interval,) = [check for check in checklist.checks if check.key == "dose_interval"]
    assert (interval.failed, interval.messages, interval.date) == (False, (), START)
    assert interval.value == "course start: this is its first dose"
    assert "is taken as its first dose, given 6 days after the start" in interval.note
    assert f"the next is due on {add_months(TODAY, 6).isoformat()}, counted from it" in (
        interval.note
    )
    dose = bone_therapy_dose_record(actor=nurse, course=course, given_on=TODAY)
    dose.refresh_from_db()
    assert (dose.given_on, dose.safety_checks_failed) == (TODAY, [])
    assert _due(patient, drug) == [add_months(TODAY, 6)]


def test_the_dose_form_says_what_the_dose_is_taken_for(
    patient: Patient, physician: User, nurse_client: Client
) -> None:
    course = _started(patient, physician, "denosumab")
    url = reverse("monitoring:dose_create", args=[patient.pk, course.pk])
    page = " ".join(nurse_client.get(url).text.split())
    assert 'data-check="dose_interval" data-status="passed"' in page
    assert "is taken as its first dose, given 6 days after the start" in page
    response = nurse_client.post(url, {"given_on": TODAY.isoformat()})
    assert response.status_code == 302, response.context["form"].errors
    assert BoneTherapyDose.objects.get(course=course).safety_checks_failed == []


def test_a_dose_days_after_a_dose_recorded_is_still_refused(
    patient: Patient, physician: User, nurse: User
) -> None:
    course = _started(patient, physician, "denosumab")
    bone_therapy_dose_record(actor=nurse, course=course, given_on=START + timedelta(days=2))
    with pytest.raises(SafetyCheckError) as refused:
        bone_therapy_dose_record(actor=nurse, course=course, given_on=TODAY)
    assert "dose_interval" in {check.key for check in refused.value.checklist.failed}
    with pytest.raises(OverrideNotPermittedError):
        bone_therapy_dose_record(
            actor=nurse, course=course, given_on=TODAY, override_reason="second dose asked for"
        )
    assert list(BoneTherapyDose.objects.values_list("given_on", flat=True)) == [
        START + timedelta(days=2)
    ]


@DRUGS
def test_the_letters_call_the_dose_due_after_the_start_the_next(
    drug: str, patient: Patient, physician: User, nurse_client: Client
) -> None:
    _started(patient, physician, drug)
    due = add_months(START, 6).isoformat()
    name = drug.replace("_", " ")
    word = "injection" if drug == "denosumab" else "infusion"
    doctor = _letter(nurse_client, patient, "doctor")
    mine = _letter(nurse_client, patient, "patient")
    assert f"Next {name} dose due {due}." in doctor
    assert f"Your next {word} is due on {due}." in mine
    assert f"First {name} dose" not in doctor
    assert f"first {word}" not in mine


def test_a_started_denosumab_is_not_said_to_wait_for_its_first_injection(
    patient: Patient, physician: User, nurse_client: Client
) -> None:
    """The low calcium holds the next injection, not a first one: the start was the first."""
    _started(patient, physician, "denosumab", calcium="2.02")
    doctor = _letter(nurse_client, patient, "doctor")
    mine = _letter(nurse_client, patient, "patient")
    assert "first denosumab injection" not in doctor.lower()
    assert "first denosumab injection" not in mine.lower()
    assert "Please do not stop or delay denosumab without follow-on therapy" in doctor
    assert f"Next denosumab dose due {add_months(START, 6).isoformat()}." in doctor


def test_the_therapy_form_says_the_start_is_the_day_of_the_first_dose(
    patient: Patient, physician_client: Client
) -> None:
    url = reverse("monitoring:therapy_create", args=[patient.pk])
    page = " ".join(physician_client.get(url).text.split())
    assert "Denosumab or zoledronic acid: the day of the first injection or infusion" in page
