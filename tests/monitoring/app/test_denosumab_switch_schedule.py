"""physician9 F11 through the application: a switch of denosumab to a new course (a biosimilar),
saved by the service with the old course stopped the same day and no injection yet on the new
one, leaves the next injection where it was. It moved 6 months later: the stored schedule, the
worklist and both letters gave the new course's start + 6 months."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, PatientAssessment
from monitoring.models.alerts import ScheduledItem
from monitoring.records.dose_safety import dose_checklist
from monitoring.records.services.therapy import bone_therapy_start
from patients.models import Patient
from patients.switching import CourseSwitch
from tests.factories import results_in_range
from tests.html_forms import assert_letters_say

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
# The last injection on the old course: the next is due in 12 days (the tester's 2026-06-19,
# switched on 2026-12-07 with the injection due 2026-12-19).
LAST = TODAY - timedelta(days=170)
DUE = add_months(LAST, 6)
REASON = "biosimilar on the formulary; MDT agreed"


@pytest.fixture
def on_denosumab(patient: Patient, physician: User) -> BoneTherapyCourse:
    results_in_range(patient, TODAY - timedelta(days=10), calcium="2.35", vitamin_d=40)
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        dose="60 mg every 6 months",
        start_date=TODAY - timedelta(days=900),
        dental_review_date=TODAY - timedelta(days=910),
        entered_by=physician,
    )
    for day in (TODAY - timedelta(days=900), LAST):
        BoneTherapyDose.objects.create(course=course, given_on=day)
    patient_assessment_refresh(patient=patient)
    return course


def _switch(physician: User, patient: Patient, old: BoneTherapyCourse) -> BoneTherapyCourse:
    old.refresh_from_db()
    return bone_therapy_start(
        actor=physician,
        patient=patient,
        values={
            "drug": "denosumab",
            "dose": "60 mg biosimilar every 6 months",
            "start_date": TODAY,
            "stop_date": None,
            "dental_review_date": TODAY - timedelta(days=30),
        },
        stop_current=CourseSwitch(course_pk=old.pk, expected_version=old.version, stop_date=TODAY),
        override_reason=REASON,
    )


def _stored_dues(patient: Patient) -> tuple[list[date], list[date]]:
    """The denosumab due dates of the stored assessment and of the worklist's rows."""
    data = PatientAssessment.objects.get(patient=patient).data
    stored = [
        date.fromisoformat(e["due"]) for e in data["schedule"] if e["item"] == "denosumab_dose"
    ]
    rows = list(
        ScheduledItem.objects.filter(patient=patient, item="denosumab_dose").values_list(
            "due", flat=True
        )
    )
    return stored, rows


def test_a_switch_keeps_the_due_date_of_the_last_injection(
    physician: User, patient: Patient, on_denosumab: BoneTherapyCourse
) -> None:
    assert _stored_dues(patient) == ([DUE], [DUE])

    new = _switch(physician, patient, on_denosumab)

    on_denosumab.refresh_from_db()
    assert on_denosumab.stop_date == TODAY
    assert new.start_date == TODAY
    assert not new.doses.exists()
    assert _stored_dues(patient) == ([DUE], [DUE])


def test_the_letters_give_the_old_due_date_after_the_switch(
    physician: User,
    patient: Patient,
    on_denosumab: BoneTherapyCourse,
    physician_client: Client,
) -> None:
    _switch(physician, patient, on_denosumab)
    moved = add_months(TODAY, 6)
    assert_letters_say(
        physician_client,
        patient,
        {
            "doctor": [
                f"since {TODAY:%Y-%m-%d}; last dose {LAST:%Y-%m-%d}.",
                f"Next denosumab dose due {DUE:%Y-%m-%d}.",
            ],
            "patient": [
                f"Your last injection was on {LAST:%Y-%m-%d}.",
                f"Your next injection is due on {DUE:%Y-%m-%d}.",
            ],
        },
        never=f"{moved:%Y-%m-%d}",
    )


def test_the_injection_due_on_the_new_course_is_on_time(
    physician: User, patient: Patient, on_denosumab: BoneTherapyCourse
) -> None:
    """The pre-dose check reads the same last dose: the injection on its due day on the new
    course passes (the new course's start made it 170 days early, to be overridden)."""
    new = _switch(physician, patient, on_denosumab)
    interval = next(
        c
        for c in dose_checklist(patient=patient, course=new, given_on=DUE).checks
        if c.key == "dose_interval"
    )
    assert (interval.status, interval.date) == ("passed", LAST)
