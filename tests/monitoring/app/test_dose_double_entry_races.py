"""nurse11 F3 as a race, on two database connections: tab B records today's injection while tab A
records it as yesterday's. The patient's lock makes them take turns; the second sees the first,
committed, and asks whether it is the same injection (who entered it and when), saving nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.services.therapy import bone_therapy_dose_record
from patients.models import Patient
from tests.conftest import login
from tests.factories import PatientFactory, UserFactory, course_with_a_dose_due
from tests.races import POSTGRESQL_ONLY, created_events, holding, in_thread

pytestmark = POSTGRESQL_ONLY

TODAY = timezone.localdate()
YESTERDAY = TODAY - timedelta(days=1)
QUESTION = "is this the same injection?"


@pytest.fixture
def course(ward: Site) -> BoneTherapyCourse:
    """Denosumab due, every check passing today and yesterday; the last dose entered long ago."""
    patient: Patient = PatientFactory(site=ward, mrn="A1001")
    return course_with_a_dose_due(patient, "denosumab", days=240, since=500)


def _nurse(ward: Site, username: str, first: str) -> User:
    return UserFactory(
        username=username, role="nurse", sites=[ward], first_name=first, last_name="Nurse"
    )


def test_tab_a_waiting_for_tab_bs_dose_asks_whether_it_is_the_same_injection(
    ward: Site, course: BoneTherapyCourse
) -> None:
    nora = _nurse(ward, "nora", "Nora")
    tab_a = login(_nurse(ward, "ann", "Ann"))
    url = reverse("monitoring:dose_create", args=[course.patient_id, course.pk])
    created = created_events(BoneTherapyDose)

    def tab_b() -> None:
        bone_therapy_dose_record(actor=nora, course=course, given_on=TODAY)

    with holding(tab_b):  # saved, its transaction (and the patient's lock) still open
        saving = in_thread(lambda: tab_a.post(url, {"given_on": YESTERDAY.isoformat()}))
        assert saving.waits_for_a_lock()
    response = saving.outcome()
    assert getattr(response, "status_code", response) == 200
    (question,) = response.context["form"].errors["given_on"]
    assert question.startswith(
        f"A denosumab dose on {TODAY:%Y-%m-%d} is already recorded for this course "
        "(entered by Nora Nurse at "
    )
    assert f"1 day after this one: {QUESTION}" in question
    assert list(
        course.doses.filter(given_on__gte=YESTERDAY).values_list("given_on", flat=True)
    ) == [TODAY]
    assert created_events(BoneTherapyDose) == created + 1
