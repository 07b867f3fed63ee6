"""Marking the new course of an aromatase-inhibitor switch entered in error leaves the course it
replaced stopped ("switched to anastrozole"): the confirmation page and the message after marking
say so and link to that course's edit page, so its stop date can be cleared. The earlier course
itself is not changed (nurse8 F3). The new course is the patient's only running one, so a
physician marks it (sec12 #7)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from patients.models import AromataseInhibitorCourse, Patient
from tests.factories import AromataseInhibitorCourseFactory

pytestmark = pytest.mark.django_db
SWITCHED = date(2026, 11, 30)
HINT = "Marking this course in error leaves that one stopped"


@pytest.fixture
def switched(nurse_client: Client, patient: Patient) -> AromataseInhibitorCourse:
    """Letrozole from 2026-09-01, switched to anastrozole on 2026-11-30 in one save."""
    current = AromataseInhibitorCourseFactory(
        patient=patient, drug="letrozole", start_date=date(2026, 9, 1)
    )
    url = reverse("patients:ai_course_create", args=[patient.pk])
    data = {
        "drug": "anastrozole",
        "start_date": SWITCHED.isoformat(),
        "stop_current": "on",
        # The course the page offered to stop, as it carries it (security8 N1).
        "switch_course": current.pk,
        "switch_course_version": current.version,
    }
    assert nurse_client.post(url, data).status_code == 302
    return AromataseInhibitorCourse.objects.get(patient=patient, drug="anastrozole")


def _letrozole(patient: Patient) -> AromataseInhibitorCourse:
    return AromataseInhibitorCourse.objects.get(patient=patient, drug="letrozole")


def _text(html: str) -> str:
    return " ".join(html.split())


def test_the_confirmation_and_the_message_name_the_replaced_course(
    physician_client: Client, patient: Patient, switched: AromataseInhibitorCourse
) -> None:
    letrozole = _letrozole(patient)
    url = reverse("patients:ai_course_mark_in_error", args=[patient.pk, switched.pk])
    edit = reverse("patients:ai_course_update", args=[patient.pk, letrozole.pk])
    page = _text(physician_client.get(url).text)
    assert (
        "This anastrozole course replaced the letrozole course from 2026-09-01 to 2026-11-30, "
        "stopped that day with the reason “switched to anastrozole”." in page
    )
    assert f'<a href="{edit}">open the letrozole course</a>' in page
    after = physician_client.post(
        url,
        {"reason": "switch recorded on wrong patient", "version": switched.version},
        follow=True,
    )
    shown = _text(after.content.decode())
    assert "Course marked entered in error." in shown
    assert HINT in shown
    assert f'<a href="{edit}">open the letrozole course</a>' in shown
    switched.refresh_from_db()
    assert switched.entered_in_error
    letrozole.refresh_from_db()  # not changed for the nurse
    assert (letrozole.stop_date, letrozole.stop_reason, letrozole.version) == (
        SWITCHED,
        "switched to anastrozole",
        2,
    )


def test_a_refused_mark_keeps_the_hint_and_changes_nothing(
    nurse_client: Client, patient: Patient, switched: AromataseInhibitorCourse
) -> None:
    url = reverse("patients:ai_course_mark_in_error", args=[patient.pk, switched.pk])
    page = nurse_client.post(url, {"reason": ""})
    assert page.status_code == 200
    assert HINT in _text(page.text)
    switched.refresh_from_db()
    assert not switched.entered_in_error


@pytest.mark.parametrize(
    ("stop_date", "stop_reason"),
    [
        (date(2026, 11, 29), "switched to anastrozole"),  # stopped another day
        (SWITCHED, "side effects"),  # stopped for another reason
        (SWITCHED, "switched to exemestane"),
    ],
)
def test_a_course_not_replaced_by_this_one_is_not_named(
    physician_client: Client, patient: Patient, stop_date: date, stop_reason: str
) -> None:
    AromataseInhibitorCourseFactory(
        patient=patient,
        drug="letrozole",
        start_date=date(2026, 9, 1),
        stop_date=stop_date,
        stop_reason=stop_reason,
    )
    new = AromataseInhibitorCourseFactory(patient=patient, drug="anastrozole", start_date=SWITCHED)
    url = reverse("patients:ai_course_mark_in_error", args=[patient.pk, new.pk])
    assert "replaced the" not in physician_client.get(url).text
    after = physician_client.post(
        url, {"reason": "wrong patient", "version": new.version}, follow=True
    )
    assert HINT not in after.content.decode()
    new.refresh_from_db()
    assert new.entered_in_error
