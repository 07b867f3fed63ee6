"""Zoledronic acid over two courses through the application: an infusion given on course A 2
months ago, A stopped, and the same drug recorded again as course B by another physician (today,
or backdated). The stored schedule, the worklist's row and the letters kept timing the next
infusion from B's start (6 months from today: 4 months late); they now keep A's infusion + 6
months, as the pre-dose checklist already read it."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.domain.dates import add_months
from monitoring.models import BoneTherapyCourse, PatientAssessment
from monitoring.models.alerts import ScheduledItem
from monitoring.records.dose_safety import dose_checklist
from monitoring.records.services.therapy import (
    bone_therapy_dose_record,
    bone_therapy_start,
    bone_therapy_update,
)
from patients.models import Patient
from patients.switching import CourseSwitch
from tests.factories import UserFactory, results_in_range
from tests.html_forms import assert_letters_say

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
A_START = TODAY - timedelta(days=240)
LAST = TODAY - timedelta(days=60)  # the infusion on course A, 2 months ago
DUE = add_months(LAST, 6)


@pytest.fixture
def course_a(patient: Patient, physician: User, nurse: User) -> BoneTherapyCourse:
    """Course A, started and given through the services: infusions on its start and 2 months
    ago, each with its labs in range before it."""
    results_in_range(patient, A_START - timedelta(days=7))
    course = bone_therapy_start(
        actor=physician,
        patient=patient,
        values={
            "drug": "zoledronic_acid",
            "dose": "4 mg every 6 months",
            "start_date": A_START,
            "stop_date": None,
            "dental_review_date": A_START - timedelta(days=20),
        },
    )
    bone_therapy_dose_record(actor=nurse, course=course, given_on=A_START)
    results_in_range(patient, LAST - timedelta(days=7))
    bone_therapy_dose_record(actor=nurse, course=course, given_on=LAST)
    return course


def _course_b(patient: Patient, start: date, **kwargs: object) -> BoneTherapyCourse:
    """The same drug recorded again by a new physician."""
    newcomer = UserFactory(username="newcomer", role="physician", sites=[patient.site])
    return bone_therapy_start(
        actor=newcomer,
        patient=patient,
        values={
            "drug": "zoledronic_acid",
            "dose": "4 mg every 6 months",
            "start_date": start,
            "stop_date": None,
            "dental_review_date": TODAY - timedelta(days=30),
        },
        **kwargs,  # type: ignore[arg-type]
    )


def _stop(physician: User, course: BoneTherapyCourse, day: date) -> None:
    course.refresh_from_db()
    bone_therapy_update(
        actor=physician,
        course=course,
        values={"stop_date": day},
        expected_version=course.version,
    )


def _stored_dues(patient: Patient) -> tuple[list[date], list[date]]:
    """The zoledronic acid due dates of the stored assessment and of the worklist's rows."""
    data = PatientAssessment.objects.get(patient=patient).data
    stored = [
        date.fromisoformat(e["due"])
        for e in data["schedule"]
        if e["item"] == "zoledronic_acid_dose"
    ]
    rows = list(
        ScheduledItem.objects.filter(patient=patient, item="zoledronic_acid_dose").values_list(
            "due", flat=True
        )
    )
    return stored, rows


def test_course_a_alone_is_due_6_months_after_its_infusion(
    patient: Patient, course_a: BoneTherapyCourse
) -> None:
    assert _stored_dues(patient) == ([DUE], [DUE])


@pytest.mark.parametrize("b_days_ago", [0, 30], ids=["started-today", "backdated"])
def test_a_new_course_after_a_stop_keeps_the_due_date_of_the_last_infusion(
    physician: User, patient: Patient, course_a: BoneTherapyCourse, b_days_ago: int
) -> None:
    _stop(physician, course_a, TODAY - timedelta(days=45))
    assert _stored_dues(patient) == ([], [])  # no active course: nothing scheduled

    b = _course_b(patient, TODAY - timedelta(days=b_days_ago))

    assert BoneTherapyCourse.objects.filter(patient=patient, drug="zoledronic_acid").count() == 2
    assert not b.doses.exists()
    assert _stored_dues(patient) == ([DUE], [DUE])


def test_a_switch_on_the_new_courses_form_keeps_the_due_date(
    patient: Patient, course_a: BoneTherapyCourse
) -> None:
    course_a.refresh_from_db()
    switch = CourseSwitch(course_pk=course_a.pk, expected_version=course_a.version, stop_date=TODAY)
    b = _course_b(patient, TODAY, stop_current=switch)

    course_a.refresh_from_db()
    assert course_a.stop_date == TODAY
    assert b.start_date == TODAY
    assert _stored_dues(patient) == ([DUE], [DUE])


def test_the_letters_and_the_pre_dose_check_give_the_same_infusion(
    physician: User,
    patient: Patient,
    course_a: BoneTherapyCourse,
    physician_client: Client,
) -> None:
    _stop(physician, course_a, TODAY - timedelta(days=45))
    b = _course_b(patient, TODAY)
    moved = add_months(TODAY, 6)
    assert_letters_say(
        physician_client,
        patient,
        {
            "doctor": [
                f"last dose {LAST:%Y-%m-%d}.",
                f"Next zoledronic acid dose due {DUE:%Y-%m-%d}.",
            ],
            "patient": [
                f"Your last infusion was on {LAST:%Y-%m-%d}.",
                f"Your next infusion is due on {DUE:%Y-%m-%d}.",
            ],
        },
        never=f"{moved:%Y-%m-%d}",
    )

    interval = next(
        c
        for c in dose_checklist(patient=patient, course=b, given_on=DUE).checks
        if c.key == "dose_interval"
    )
    assert (interval.status, interval.date) == ("passed", LAST)
