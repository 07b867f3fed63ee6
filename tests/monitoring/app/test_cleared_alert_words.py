"""nurse13 #8: a critical "Low calcium" nobody acknowledged closed when a normal recheck was saved
(the spec closes an alert no longer raised: kept), and "Recently cleared alerts" said only
"raised …, cleared …". It now says that nobody acknowledged it, and what was saved when it
cleared (the audit row of the write whose reassessment cleared it)."""

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, LabResultFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NOT_ACKNOWLEDGED = "<strong>not acknowledged before it cleared</strong>"


@pytest.fixture
def low_calcium(patient: Patient) -> Alert:
    """On denosumab, an adjusted calcium of 2.02 mmol/L: the critical alert (SHOW-03)."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=400))
    BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=TODAY - dt.timedelta(days=100)
    )
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - dt.timedelta(days=2),
        analyte="calcium",
        value="2.02",
        entered_value="2.02",
        entered_unit="mmol/L",
    )
    patient_assessment_refresh(patient=patient)
    return Alert.objects.get(patient=patient, code="HYPOCALCEMIA", cleared_at=None)


def _cleared_line(client: Client, patient: Patient) -> str:
    page = html.unescape(client.get(reverse("monitoring:patient", args=[patient.pk])).text)
    section = page[page.index('id="h-cleared"') :]
    return " ".join(re.search(r"<li>(Low calcium.*?)</li>", section, re.S)[1].split())


def test_a_normal_recheck_clears_it_and_the_page_says_so(
    nurse_client: Client, low_calcium: Alert
) -> None:
    url = reverse("monitoring:labs_create", args=[low_calcium.patient_id])
    recheck = {"sample_date": TODAY.isoformat(), "calcium_value": "2.24", "calcium_unit": "mmol/L"}
    assert nurse_client.post(url, recheck).status_code == 302
    low_calcium.refresh_from_db()
    assert low_calcium.cleared_at is not None
    line = _cleared_line(nurse_client, low_calcium.patient)
    assert f"cleared {TODAY:%Y-%m-%d} " in line
    assert ", when a lab result was added; " + NOT_ACKNOWLEDGED in line


def test_an_acknowledged_alert_says_who_acknowledged_it(
    physician_client: Client, low_calcium: Alert
) -> None:
    url = reverse("monitoring:alert_acknowledge", args=[low_calcium.pk])
    assert (
        physician_client.post(url, {"note": "Calcium replaced, recheck today"}).status_code == 302
    )
    recheck = {"sample_date": TODAY.isoformat(), "calcium_value": "2.24", "calcium_unit": "mmol/L"}
    labs = reverse("monitoring:labs_create", args=[low_calcium.patient_id])
    assert physician_client.post(labs, recheck).status_code == 302
    line = _cleared_line(physician_client, low_calcium.patient)
    assert "not acknowledged" not in line
    assert "“Calcium replaced, recheck today”" in line


def test_a_clearing_no_write_explains_names_nothing(
    nurse_client: Client, low_calcium: Alert
) -> None:
    """Cleared by a reassessment with no write of hers before it (the nightly run)."""
    Alert.objects.filter(pk=low_calcium.pk).update(
        cleared_at=timezone.now() + dt.timedelta(hours=3)
    )
    line = _cleared_line(nurse_client, low_calcium.patient)
    assert ", when " not in line
    assert NOT_ACKNOWLEDGED in line
