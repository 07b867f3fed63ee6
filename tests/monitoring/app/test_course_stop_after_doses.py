"""A bone-therapy course stops on or after its last recorded dose (physician7 F4): the stop date
before a valid dose is refused next to the field, keeping the input; a dose entered in error does
not hold the course open. The service judges it under the patient's lock, so a dose recorded at
the same moment (tests/monitoring/app/test_course_dose_races.py) cannot slip through."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.html_forms import submit_form
from tests.record_edits import audit_writes

pytestmark = pytest.mark.django_db


def _denosumab(patient: Patient) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=date(2025, 6, 1)
    )
    for day in (date(2025, 6, 1), date(2025, 12, 1)):
        BoneTherapyDose.objects.create(course=course, given_on=day)
    return course


def _edit(client: Client, course: BoneTherapyCourse, typed: dict[str, str]) -> Any:
    """Send the course's edit form as the page drew it, with `typed` filled in."""
    url = reverse("monitoring:therapy_update", args=[course.patient_id, course.pk])
    return submit_form(client, url, typed, having="version")


def test_a_stop_before_the_last_dose_is_refused_next_to_the_stop_date(
    physician_client: Client, patient: Patient
) -> None:
    course = _denosumab(patient)
    events = audit_writes()
    response = _edit(
        physician_client, course, {"stop_date": "2025-09-01", "stop_reason": "patient choice"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    (error,) = form.errors["stop_date"]
    assert error.startswith("A dose was given on 2025-12-01")
    assert "a course stops on or after its last dose" in error
    assert form["stop_date"].value() == "2025-09-01"  # the input is kept
    assert form["stop_reason"].value() == "patient choice"
    course.refresh_from_db()
    assert (course.stop_date, course.stop_reason, course.version) == (None, "", 1)
    assert audit_writes() == events


def test_a_stop_on_the_day_of_the_last_dose_is_saved(
    physician_client: Client, patient: Patient
) -> None:
    course = _denosumab(patient)
    # Denosumab stopped with no follow-on: confirmed (test_denosumab_stop_confirmation.py).
    response = _edit(
        physician_client, course, {"stop_date": "2025-12-01", "confirm_denosumab_stop": "on"}
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.stop_date == date(2025, 12, 1)


def test_a_dose_entered_in_error_does_not_hold_the_course_open(
    physician_client: Client, patient: Patient
) -> None:
    course = _denosumab(patient)
    course.doses.filter(given_on=date(2025, 12, 1)).update(entered_in_error=True)
    response = _edit(
        physician_client, course, {"stop_date": "2025-09-01", "confirm_denosumab_stop": "on"}
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.stop_date == date(2025, 9, 1)


@pytest.mark.parametrize(
    ("start", "error"),
    [
        ("2025-07-01", "A dose was given on 2025-06-01, before this."),
        ("", "A dose was given on 2025-06-01: the course has started."),
    ],
    ids=["after_the_first_dose", "cleared"],
)
def test_the_start_of_a_course_with_doses_stays_on_or_before_the_first(
    physician_client: Client, patient: Patient, start: str, error: str
) -> None:
    course = _denosumab(patient)
    response = _edit(physician_client, course, {"start_date": start})
    assert response.status_code == 200
    assert response.context["form"].errors["start_date"] == [error]
    course.refresh_from_db()
    assert course.start_date == date(2025, 6, 1)
