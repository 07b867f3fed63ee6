"""The override of failed checks says what the save does (physician7 F12): planning a drug is
not giving it, and a course planned without a start asks no override: it is checked when it is
started (phys11 F12)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import BoneTherapyCourse
from patients.models import Patient
from tests.factories import LabResultFactory
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
GIVE = "Override the failed checks: give the drug anyway"


@pytest.fixture(autouse=True)
def vitamin_d_18(patient: Patient) -> None:
    LabResultFactory(
        patient=patient, sample_date=TODAY - timedelta(days=7), value=18, entered_value=18
    )


def _post(client: Client, patient: Patient, **data: str) -> str:
    fields = {"drug": "denosumab", "dose": "60 mg", **data}
    return client.post(reverse("monitoring:therapy_create", args=[patient.pk]), fields).text


def test_a_plan_without_a_start_needs_no_override_and_is_checked_at_its_start(
    physician_client: Client, patient: Patient
) -> None:
    """phys11 F12: the physician plans the drug, then orders the bloods. The plan saves without
    an override, its checks said pending with those failing today; starting it asks them, with
    the words of giving the drug."""
    response = physician_client.post(
        reverse("monitoring:therapy_create", args=[patient.pk]),
        {"drug": "denosumab", "dose": "60 mg", "start_date": ""},
        follow=True,
    )
    course = BoneTherapyCourse.objects.get(patient=patient)
    assert (course.start_date, course.safety_override_reason) == (None, "")
    assert course.safety_checks_failed == []
    page = response.text
    assert "the pre-treatment checks are pending; they are made when the start is recorded" in page
    assert "failing today: 25-OH vitamin D, albumin-adjusted calcium" in page
    assert "Pre-treatment checks pending" in page  # beside the course on the patient page
    assert "Override the failed checks" not in page
    # Started: the checks are asked, with the words of giving the drug.
    url = reverse("monitoring:therapy_update", args=[patient.pk, course.pk])
    data = posted_data(physician_client.get(url).text, having="drug")
    data.pop("safety_override", None)
    data |= {"start_date": TODAY.isoformat(), "override_reason": ""}
    started = physician_client.post(url, data)
    assert "Failed pre-treatment checks" in started.text
    assert GIVE in started.text
    course.refresh_from_db()
    assert course.start_date is None  # nothing saved without an override


def test_a_start_today_is_worded_as_giving_it(physician_client: Client, patient: Patient) -> None:
    page = _post(physician_client, patient, start_date=TODAY.isoformat())
    assert GIVE in page
    assert not BoneTherapyCourse.objects.exists()


def test_a_plan_from_a_later_date_says_the_doses_are_checked(
    physician_client: Client, patient: Patient
) -> None:
    later = TODAY + timedelta(days=20)
    page = _post(physician_client, patient, start_date=later.isoformat())
    assert (
        f"plan the drug from {later:%Y-%m-%d} anyway (each dose is checked again when it is "
        "recorded)"
    ) in page
