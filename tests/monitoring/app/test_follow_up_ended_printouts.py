"""After follow-up has ended, the summary, the scan request and both letters say so, with the date
and the reason, and the patient's letter no longer invites her to call to book a scan (phys12
F20)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory
from tests.html_forms import letter_text, visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
BOOK = "please call us to book it"


def _flat(client: Client, name: str, patient: Patient, *args: str) -> str:
    response = client.get(reverse(f"monitoring:{name}", args=[patient.pk, *args]))
    assert response.status_code == 200
    return " ".join(response.text.split())


@pytest.fixture
def scan_overdue(patient: Patient) -> Patient:
    """A repeat scan long past its date: the patient's letter asks her to call to book it."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=900))
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=800), t=-1.8)
    patient_assessment_refresh(patient=patient)
    return patient


def test_while_followed_up_nothing_is_said_and_the_letter_invites_a_booking(
    nurse_client: Client, scan_overdue: Patient
) -> None:
    assert BOOK in letter_text(nurse_client, scan_overdue, "patient")
    assert "Follow-up ended" not in _flat(nurse_client, "patient_summary", scan_overdue)


def test_after_follow_up_ends_every_printout_says_so(
    nurse_client: Client, scan_overdue: Patient
) -> None:
    ended_on = TODAY - dt.timedelta(days=2)
    scan_overdue.follow_up_status = "ended"
    scan_overdue.follow_up_ended_on = ended_on
    scan_overdue.follow_up_end_reason = "moved to another region"
    scan_overdue.save()
    when = f"on {ended_on:%Y-%m-%d} (moved to another region)"
    for name in ("patient_summary", "scan_request"):
        assert f"Follow-up ended {when}: the patient is not on the worklist" in visible_text(
            _flat(nurse_client, name, scan_overdue)
        )
    doctor = letter_text(nurse_client, scan_overdue, "doctor")
    assert f"Follow-up at this clinic ended {when}: we no longer arrange" in doctor
    mine = letter_text(nurse_client, scan_overdue, "patient")
    assert f"We stopped following up your bone health at this clinic {when}." in mine
    assert BOOK not in mine
    assert "please ask the doctor who now looks after your bones to arrange it" in mine
