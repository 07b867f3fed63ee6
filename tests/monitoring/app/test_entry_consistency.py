"""Entries that contradict the record are refused: a second sign-off, a dose after its course
stopped, a drug changed under its recorded doses."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.conftest import login
from tests.factories import DexaScanFactory, UserFactory
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _changes() -> int:
    return AuditEvent.objects.exclude(action=AuditAction.VIEW).count()


def test_a_second_sign_off_keeps_the_first_reviewer(
    physician_client: Client, patient: Patient, site: Site
) -> None:
    scan = DexaScanFactory(patient=patient)
    url = reverse("monitoring:scan_sign_off", args=[patient.pk, scan.pk])
    assert physician_client.post(url).status_code == 302
    colleague = login(UserFactory(username="dr.second", role="physician", sites=[site]))
    events = _changes()
    response = colleague.post(url, follow=True)
    assert "already signed off by physician" in response.text
    scan.refresh_from_db()
    assert scan.reviewed_by.username == "physician"  # type: ignore[union-attr]
    assert _changes() == events


def test_a_dose_after_the_course_stopped_is_refused(nurse_client: Client, patient: Patient) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY - timedelta(days=400),
        stop_date=TODAY - timedelta(days=100),
    )
    url = reverse("monitoring:dose_create", args=[patient.pk, course.pk])
    response = nurse_client.post(url, {"given_on": (TODAY - timedelta(days=50)).isoformat()})
    assert response.status_code == 200
    assert "a dose cannot follow it" in response.context["form"].errors["given_on"][0]
    assert not BoneTherapyDose.objects.exists()


def test_the_drug_of_a_course_with_doses_cannot_change(
    physician_client: Client, patient: Patient
) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="zoledronic_acid", start_date=TODAY - timedelta(days=300)
    )
    BoneTherapyDose.objects.create(course=course, given_on=TODAY - timedelta(days=300))
    url = reverse("monitoring:therapy_update", args=[patient.pk, course.pk])
    data = posted_data(physician_client.get(url).text, having="version")
    events = _changes()
    response = physician_client.post(url, data | {"drug": "alendronate"})
    assert response.status_code == 200
    assert "stop it and start a new course" in response.context["form"].errors["drug"][0]
    course.refresh_from_db()
    assert course.drug == "zoledronic_acid"
    assert _changes() == events
