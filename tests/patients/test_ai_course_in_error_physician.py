"""Marking a patient's only running or planned aromatase-inhibitor course entered in error ends
her monitoring schedule and alerts, as marking the patient while care runs does: it needs a
physician too (sec12 #7: a nurse could do it, while the patient's mark needed one). The nurse is
told why beside the form, and the service refuses her post; a course entered twice leaves the
other running, so a nurse still marks the duplicate, and a stopped course."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from patients import in_error
from patients.models import AromataseInhibitorCourse, Patient
from tests.factories import AromataseInhibitorCourseFactory

pytestmark = pytest.mark.django_db

REFUSAL = "A physician must mark this course entered in error"


@pytest.fixture
def running(patient: Patient) -> AromataseInhibitorCourse:
    course: AromataseInhibitorCourse = AromataseInhibitorCourseFactory(
        patient=patient, start_date=date(2024, 1, 15), stop_date=None
    )
    return course


def _url(course: AromataseInhibitorCourse) -> str:
    return reverse("patients:ai_course_mark_in_error", args=[course.patient_id, course.pk])


def _mark(client: Client, course: AromataseInhibitorCourse) -> object:
    return client.post(_url(course), {"reason": "wrong patient", "version": course.version})


def _marks() -> int:
    return AuditEvent.objects.filter(action=AuditAction.MARK_ERROR).count()


def test_a_nurse_is_told_beside_the_form_and_her_mark_is_refused(
    nurse_client: Client, running: AromataseInhibitorCourse
) -> None:
    page = nurse_client.get(_url(running))
    assert page.status_code == 200
    assert REFUSAL in page.text
    marks = _marks()
    refused = _mark(nurse_client, running)
    assert refused.status_code == 200  # type: ignore[attr-defined]
    assert REFUSAL in refused.text  # type: ignore[attr-defined]
    stored = AromataseInhibitorCourse.objects.get(pk=running.pk)
    assert (stored.entered_in_error, stored.version) == (False, running.version)
    assert _marks() == marks


def test_a_planned_course_counts_as_running(nurse_client: Client, patient: Patient) -> None:
    planned = AromataseInhibitorCourseFactory(
        patient=patient, start_date=timezone.localdate() + timedelta(days=20), stop_date=None
    )
    _mark(nurse_client, planned)
    assert not AromataseInhibitorCourse.objects.get(pk=planned.pk).entered_in_error


def test_the_service_refuses_it_too(nurse: User, running: AromataseInhibitorCourse) -> None:
    with pytest.raises(in_error.CoursePhysicianNeededError):
        in_error.ai_course_mark_in_error(actor=nurse, course=running, reason="wrong patient")
    assert not AromataseInhibitorCourse.objects.get(pk=running.pk).entered_in_error


def test_a_physician_marks_it(physician_client: Client, running: AromataseInhibitorCourse) -> None:
    assert REFUSAL not in physician_client.get(_url(running)).text
    assert _mark(physician_client, running).status_code == 302  # type: ignore[attr-defined]
    assert AromataseInhibitorCourse.objects.get(pk=running.pk).entered_in_error


def test_a_nurse_marks_a_duplicate_of_a_running_course(
    nurse_client: Client, patient: Patient, running: AromataseInhibitorCourse
) -> None:
    twice = AromataseInhibitorCourseFactory(
        patient=patient, start_date=date(2024, 1, 16), stop_date=None
    )
    assert REFUSAL not in nurse_client.get(_url(twice)).text
    assert _mark(nurse_client, twice).status_code == 302  # type: ignore[attr-defined]
    assert AromataseInhibitorCourse.objects.get(pk=twice.pk).entered_in_error
    # The one left is now her only running course.
    _mark(nurse_client, running)
    assert not AromataseInhibitorCourse.objects.get(pk=running.pk).entered_in_error


def test_a_nurse_marks_a_stopped_course(nurse_client: Client, patient: Patient) -> None:
    stopped = AromataseInhibitorCourseFactory(
        patient=patient, start_date=date(2023, 1, 15), stop_date=date(2024, 1, 10)
    )
    assert _mark(nurse_client, stopped).status_code == 302  # type: ignore[attr-defined]
    assert AromataseInhibitorCourse.objects.get(pk=stopped.pk).entered_in_error
