"""Ending follow-up while a bone therapy is active (physician7 F14): the form names the course
and its next dose due; with denosumab active (rebound fractures if stopped without a follow-on)
ending needs an explicit tick, and without it nothing is saved."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, ScheduledItem
from patients.models import FollowUpStatus, Patient
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _course(patient: Patient, drug: str, dose_on: date | None = None) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug=drug, start_date=TODAY - timedelta(days=200)
    )
    if dose_on is not None:
        BoneTherapyDose.objects.create(course=course, given_on=dose_on)
    patient_assessment_refresh(patient=patient)
    return course


def _url(patient: Patient) -> str:
    return reverse("patients:end_follow_up", args=[patient.pk])


def _shown(client: Client, patient: Patient) -> dict[str, str]:
    """The form as the browser got it (what its ticks confirm), with what the physician types."""
    shown = posted_data(client.get(_url(patient)).text, having="ended_on")
    return {**shown, "ended_on": TODAY.isoformat(), "reason": "moved to another hospital"}


def test_active_denosumab_is_named_with_its_next_dose(
    physician_client: Client, patient: Patient
) -> None:
    course = _course(patient, "denosumab", dose_on=TODAY - timedelta(days=100))
    due = ScheduledItem.objects.get(patient=patient, item="denosumab_dose").due
    page = physician_client.get(_url(patient)).text
    assert f"{course} is active (next dose due {due:%Y-%m-%d})." in page
    assert "risks rebound vertebral fractures" in page
    assert 'name="confirm_active_treatment"' in page


def test_without_the_tick_nothing_is_saved(physician_client: Client, patient: Patient) -> None:
    _course(patient, "denosumab", dose_on=TODAY - timedelta(days=100))
    data = _shown(physician_client, patient)
    events = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
    response = physician_client.post(_url(patient), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["confirm_active_treatment"] == [
        "Tick this to end follow-up while the treatment or follow-on above is active or pending."
    ]
    assert form["reason"].value() == "moved to another hospital"  # the input is kept
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ACTIVE
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == events


def test_with_the_tick_follow_up_ends(physician_client: Client, patient: Patient) -> None:
    _course(patient, "denosumab", dose_on=TODAY - timedelta(days=100))
    response = physician_client.post(
        _url(patient), {**_shown(physician_client, patient), "confirm_active_treatment": "on"}
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ENDED


def test_an_oral_bisphosphonate_is_named_without_a_tick(
    physician_client: Client, patient: Patient
) -> None:
    course = _course(patient, "alendronate")
    page = physician_client.get(_url(patient)).text
    assert f"{course} is active (taken by mouth, no dose on the worklist)." in page
    assert "confirm_active_treatment" not in page
    response = physician_client.post(
        _url(patient), {"ended_on": TODAY.isoformat(), "reason": "completed adjuvant therapy"}
    )
    assert response.status_code == 302


def test_no_warning_without_a_course(physician_client: Client, patient: Patient) -> None:
    # A denosumab course stopped with no follow-on asks for the tick: see
    # test_end_follow_up_follow_on.py (phys12 F1).
    page = physician_client.get(_url(patient)).text
    assert "active-treatment-warning" not in page
    assert "confirm_active_treatment" not in page
