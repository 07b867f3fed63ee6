"""phys13 #6: after three years of denosumab, stopped and followed by zoledronic acid, the letters
and the summary named the zoledronic acid alone. The rebound risk after denosumab stays relevant
to the family doctor: the course given before stays named, with its dates and doses."""

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.factories import results_in_range
from tests.html_forms import letter_text, visible_text
from tests.monitoring.app.test_letter_denosumab_stop import _denosumab, osteoporotic  # noqa: F401

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DOSES = [1163, 980, 797, 614, 432, 250]  # six injections, the last 250 days ago


def _days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def _page(client: Client, name: str, patient: Patient, *args: str, **query: str) -> str:
    response = client.get(reverse(name, args=[patient.pk, *args]), query)
    assert response.status_code == 200
    return " ".join(html.unescape(response.text).split())


@pytest.fixture
def followed_on(osteoporotic: Patient) -> Patient:  # noqa: F811
    """Denosumab stopped today after six doses; zoledronic acid started and given today."""
    results_in_range(osteoporotic, _days_ago(6))
    _denosumab(osteoporotic, start=1163, doses=DOSES, stop=0)
    course = BoneTherapyCourse.objects.create(
        patient=osteoporotic,
        drug="zoledronic_acid",
        dose="4 mg",
        start_date=TODAY,
        dental_review_date=_days_ago(6),
    )
    BoneTherapyDose.objects.create(course=course, given_on=TODAY)
    patient_assessment_refresh(patient=osteoporotic)
    return osteoporotic


def test_the_doctors_letter_keeps_the_denosumab_given_before(
    nurse_client: Client, followed_on: Patient
) -> None:
    assert not Alert.objects.filter(
        patient=followed_on, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    ).exists()  # the follow-on is in place: the stop's own sentences are not said
    text = letter_text(nurse_client, followed_on, "doctor")
    assert (
        f"Denosumab (60 mg every 6 months) was given before: from {_days_ago(1163):%Y-%m-%d} to "
        f"{TODAY:%Y-%m-%d} (6 doses, the last on {_days_ago(250):%Y-%m-%d})." in text
    )
    assert (
        "Bone loss can rebound once denosumab has stopped, and multiple vertebral fractures can "
        "follow; the zoledronic acid that followed it is there to prevent this, so please do not "
        "let it lapse." in text
    )
    clinician = _page(nurse_client, "monitoring:letter", followed_on, "doctor", copy="clinician")
    assert re.search(r"let it lapse\. <sup [^>]*>\[DMAB-STOP\]</sup>", clinician)


def test_the_patients_letter_and_the_summary_name_it_too(
    nurse_client: Client, followed_on: Patient
) -> None:
    text = letter_text(nurse_client, followed_on, "patient")
    assert (
        f"You had denosumab injections before, from {_days_ago(1163):%Y-%m-%d} to "
        f"{TODAY:%Y-%m-%d} (6 injections, the last on {_days_ago(250):%Y-%m-%d})." in text
    )
    assert (
        "The zoledronic acid you are having now helps keep the bone that denosumab built." in text
    )
    summary = visible_text(_page(nurse_client, "monitoring:patient_summary", followed_on))
    assert (
        f"Zoledronic acid since {TODAY:%Y-%m-%d}, last dose {TODAY:%Y-%m-%d}; Prior denosumab "
        f"{_days_ago(1163):%Y-%m-%d} to {TODAY:%Y-%m-%d} (6 doses, the last on "
        f"{_days_ago(250):%Y-%m-%d})" in summary
    )


def test_a_stop_with_no_follow_on_is_said_once(nurse_client: Client, osteoporotic: Patient) -> None:  # noqa: F811
    """While DMAB-STOP stands, its own sentences name the course: not a second time."""
    _denosumab(osteoporotic, start=400, doses=[400, 218, 60], stop=10)
    patient_assessment_refresh(patient=osteoporotic)
    doctor = letter_text(nurse_client, osteoporotic, "doctor")
    assert "was given before" not in doctor
    assert f"Denosumab (60 mg every 6 months) from {_days_ago(400):%Y-%m-%d}, stopped" in doctor
    summary = _page(nurse_client, "monitoring:patient_summary", osteoporotic)
    assert "Prior denosumab" not in summary
