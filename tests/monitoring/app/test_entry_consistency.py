"""Entries that contradict the record are refused: a second sign-off, a sign-off of a scan changed
since the page was shown, a dose after its course stopped, a drug changed under its recorded
doses."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, DexaScan
from patients.models import Patient
from tests.conftest import login
from tests.factories import DexaScanFactory, UserFactory
from tests.html_forms import posted_data
from tests.record_edits import audit_writes, correct_scan

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_second_sign_off_keeps_the_first_reviewer(
    physician_client: Client, patient: Patient, site: Site
) -> None:
    scan = DexaScanFactory(patient=patient)
    url = reverse("monitoring:scan_sign_off", args=[patient.pk, scan.pk])
    assert physician_client.post(url).status_code == 302
    colleague = login(UserFactory(username="dr.second", role="physician", sites=[site]))
    events = audit_writes()
    response = colleague.post(url, follow=True)
    assert "already signed off by physician" in response.text
    scan.refresh_from_db()
    assert scan.reviewed_by.username == "physician"  # type: ignore[union-attr]
    assert audit_writes() == events


def _shown_version(html: str, url: str) -> str:
    """The version the Sign off button of `url` sends back."""
    found = re.search(rf'action="{re.escape(url)}"[^>]*>.*?name="version" value="(\d+)"', html)
    assert found, "the Sign off button sends no version"
    return found.group(1)


def test_a_sign_off_of_a_scan_corrected_since_the_page_was_shown_is_refused(
    physician_client: Client, patient: Patient, site: Site
) -> None:
    """The physician reads the scan; a nurse corrects its lumbar spine; the physician's click
    would sign off values she never read. It says who changed it, and signs nothing."""
    scan = DexaScanFactory(patient=patient)
    url = reverse("monitoring:scan_sign_off", args=[patient.pk, scan.pk])
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    shown = _shown_version(page, url)
    nurse = UserFactory(username="nurse.b", first_name="Nell", last_name="Bright", sites=[site])
    correct_scan(nurse, scan)
    events = audit_writes()
    response = physician_client.post(url, {"version": shown}, follow=True)
    assert "was changed by Nell Bright at" in response.text
    assert "it was not signed off. Read its values again, then sign it off." in response.text
    assert DexaScan.objects.get(pk=scan.pk).reviewed_at is None
    assert audit_writes() == events
    # The page shown again sends the new version, and that click signs it off.
    again = _shown_version(response.text, url)
    assert again != shown
    physician_client.post(url, {"version": again})
    assert DexaScan.objects.get(pk=scan.pk).reviewed_by is not None


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
    events = audit_writes()
    response = physician_client.post(url, data | {"drug": "alendronate"})
    assert response.status_code == 200
    assert "stop it and start a new course" in response.context["form"].errors["drug"][0]
    course.refresh_from_db()
    assert course.drug == "zoledronic_acid"
    assert audit_writes() == events
