"""A planned denosumab whose first injection is held (a critical low calcium, or a vitamin D
deficiency to replete before it): the letters say the first injection waits, and never the warning
not to stop or delay denosumab, written for a course with doses given (phys12 F4)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, results_in_range
from tests.html_forms import letter_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DO_NOT_DELAY = ("do not stop or delay denosumab", "do not stop or put off your denosumab")


def _planned_denosumab(patient: Patient, *, calcium: str, vitamin_d: int) -> BoneTherapyCourse:
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=400))
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=100), t=-2.8)
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", dose="60 mg every 6 months", start_date=None
    )
    results_in_range(patient, TODAY, calcium=calcium, vitamin_d=vitamin_d)
    patient_assessment_refresh(patient=patient)
    return course


def test_a_low_calcium_holds_the_first_injection_in_both_letters(
    nurse_client: Client, patient: Patient
) -> None:
    _planned_denosumab(patient, calcium="2.02", vitamin_d=40)
    doctor = letter_text(nurse_client, patient, "doctor")
    mine = letter_text(nurse_client, patient, "patient")
    for text in (doctor, mine):
        assert not any(words in text for words in DO_NOT_DELAY)
    assert "The first denosumab injection waits until the adjusted calcium is corrected." in doctor
    assert (
        "Your first denosumab injection will wait until your calcium level is back to normal."
        in mine
    )
    clinician = letter_text(nurse_client, patient, "doctor", copy="clinician")
    assert "CA-LOW" in clinician


def test_a_vitamin_d_deficiency_before_denosumab_holds_the_first_injection(
    nurse_client: Client, patient: Patient
) -> None:
    _planned_denosumab(patient, calcium="2.30", vitamin_d=15)
    doctor = letter_text(nurse_client, patient, "doctor")
    mine = letter_text(nurse_client, patient, "patient")
    for text in (doctor, mine):
        assert not any(words in text for words in DO_NOT_DELAY)
    assert "The first denosumab injection waits until vitamin D is replete." in doctor
    assert "Your first denosumab injection will wait until your vitamin D level is back up." in mine


def test_once_a_dose_is_given_the_warning_not_to_delay_stays(
    nurse_client: Client, patient: Patient
) -> None:
    course = _planned_denosumab(patient, calcium="2.30", vitamin_d=15)
    course.start_date = TODAY - dt.timedelta(days=30)
    course.dental_review_date = TODAY - dt.timedelta(days=40)
    course.save()
    BoneTherapyDose.objects.create(course=course, given_on=course.start_date)
    patient_assessment_refresh(patient=patient)
    doctor = letter_text(nurse_client, patient, "doctor")
    assert "Please do not stop or delay denosumab without follow-on therapy" in doctor
    assert "first denosumab injection waits" not in doctor


def test_a_planned_course_with_nothing_holding_it_keeps_the_warning(
    nurse_client: Client, patient: Patient
) -> None:
    _planned_denosumab(patient, calcium="2.30", vitamin_d=40)
    assert "Please do not stop or delay denosumab" in letter_text(nurse_client, patient, "doctor")
