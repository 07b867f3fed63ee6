"""The dental review before an antiresorptive, recorded by the nurse who collects it.

A nurse tester followed the worklist's "Record the dental review" to the patient page, where only
the physician's therapy form (403 for her) held the date: a dead end. Nurses (and physicians) now
record that date alone on a small form, versioned and audited; the course itself stays the
physician's."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse
from patients.models import Patient
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def planned(patient: Patient) -> BoneTherapyCourse:
    """Denosumab planned, no dental review recorded: the DENTAL rule asks for one."""
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", dose="60 mg every 6 months"
    )
    patient_assessment_refresh(patient=patient)
    assert _dental_alert_open(patient)
    return course


def _dental_alert_open(patient: Patient) -> bool:
    return Alert.objects.filter(
        patient=patient, code="DENTAL_REVIEW_MISSING", cleared_at__isnull=True
    ).exists()


def _url(course: BoneTherapyCourse) -> str:
    return reverse("monitoring:dental_review", args=[course.patient_id, course.pk])


def _changes() -> int:
    return AuditEvent.objects.filter(action=AuditAction.CHANGE).count()


def test_the_worklist_leads_the_nurse_to_the_form(
    nurse_client: Client, planned: BoneTherapyCourse
) -> None:
    page = nurse_client.get(reverse("monitoring:worklist")).text
    assert f'<a href="{_url(planned)}">Record the dental review</a>' in page
    patient_page = nurse_client.get(reverse("monitoring:patient", args=[planned.patient_id]))
    assert _url(planned) in patient_page.text


@pytest.mark.parametrize("role", ["nurse", "physician"])
def test_a_clinician_records_the_date_alone_audited_and_reassessed(
    request: pytest.FixtureRequest, planned: BoneTherapyCourse, role: str
) -> None:
    client: Client = request.getfixturevalue(f"{role}_client")
    day = TODAY - dt.timedelta(days=3)
    form = posted_data(client.get(_url(planned)).text, having="version")
    # Other fields of the course sent along are not this form's: they are ignored.
    response = client.post(
        _url(planned),
        form | {"dental_review_date": day.isoformat(), "drug": "zoledronic_acid", "dose": "x"},
        follow=True,
    )
    assert "Dental review recorded" in response.text
    course = BoneTherapyCourse.objects.get(pk=planned.pk)
    assert (course.dental_review_date, course.drug, course.dose, course.version) == (
        day,
        "denosumab",
        "60 mg every 6 months",
        2,
    )
    event = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert event.actor.username == role
    assert set(event.changes) == {"dental_review_date", "version"}
    assert not _dental_alert_open(planned.patient)
    assert "Record the dental review" not in client.get(reverse("monitoring:worklist")).text


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter the date of the dental review."),
        ((TODAY + dt.timedelta(days=5)).isoformat(), "cannot be in the future"),
        ("1900-01-01", "before the patient's date of birth"),
        ("2026-02-30", "Enter a valid date"),
    ],
)
def test_a_bad_date_is_refused_beside_the_field_and_nothing_is_saved(
    nurse_client: Client, planned: BoneTherapyCourse, typed: str, error: str
) -> None:
    form = posted_data(nurse_client.get(_url(planned)).text, having="version")
    response = nurse_client.post(_url(planned), form | {"dental_review_date": typed})
    assert response.status_code == 200
    assert error in response.context["form"].errors["dental_review_date"][0]
    assert f'value="{typed}"' in response.text  # what she typed is kept
    course = BoneTherapyCourse.objects.get(pk=planned.pk)
    assert (course.dental_review_date, course.version) == (None, 1)
    assert _changes() == 0
    assert _dental_alert_open(planned.patient)


def test_a_change_since_the_form_opened_is_refused(
    nurse_client: Client, physician_client: Client, planned: BoneTherapyCourse
) -> None:
    stale = posted_data(nurse_client.get(_url(planned)).text, having="version")
    first = TODAY - dt.timedelta(days=10)
    fresh = posted_data(physician_client.get(_url(planned)).text, having="version")
    physician_client.post(_url(planned), fresh | {"dental_review_date": first.isoformat()})
    response = nurse_client.post(
        _url(planned), stale | {"dental_review_date": (TODAY - dt.timedelta(days=2)).isoformat()}
    )
    assert response.status_code == 200
    assert BoneTherapyCourse.objects.get(pk=planned.pk).dental_review_date == first
    assert _changes() == 1  # the physician's only


def test_the_nurse_still_cannot_change_the_course(
    nurse_client: Client, physician_client: Client, planned: BoneTherapyCourse
) -> None:
    """The physicians' rights are unchanged: the course's own form stays theirs."""
    edit = reverse("monitoring:therapy_update", args=[planned.patient_id, planned.pk])
    assert nurse_client.get(edit).status_code == 403
    assert nurse_client.post(edit, {"drug": "zoledronic_acid"}).status_code == 403
    assert BoneTherapyCourse.objects.get(pk=planned.pk).drug == "denosumab"
    assert physician_client.get(edit).status_code == 200


def test_a_course_marked_in_error_takes_no_review(
    nurse_client: Client, planned: BoneTherapyCourse
) -> None:
    form = posted_data(nurse_client.get(_url(planned)).text, having="version")
    BoneTherapyCourse.objects.filter(pk=planned.pk).update(entered_in_error=True)
    nurse_client.post(_url(planned), form | {"dental_review_date": TODAY.isoformat()})
    assert BoneTherapyCourse.objects.get(pk=planned.pk).dental_review_date is None
    assert _changes() == 0
