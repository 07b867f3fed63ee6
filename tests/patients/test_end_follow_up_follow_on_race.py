"""A colleague stops denosumab while a physician ends follow-up, as real concurrent transactions
on PostgreSQL (each thread on its own connection, tests/races.py).

Physician A's form named the active denosumab course and A ticked it; physician B stops the course
with no follow-on, not committed yet when A saves. The stop raises only a DMAB-STOP *warning* (the
last dose was 40 days ago), which the open-alerts tick does not cover: it is the follow-on
confirmation that must change. A's save waits for the patient's lock, reads what ending needs
again and is refused, the form shown again naming the follow-on and its date (phys12 F1)."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from monitoring.records.services.therapy import bone_therapy_update
from patients.follow_up_forms import TREATMENT_FIELD, TREATMENTS_CHANGED
from patients.models import FollowUpStatus, Patient
from tests.conftest import login
from tests.factories import PatientFactory, SiteFactory, UserFactory
from tests.html_forms import posted_data
from tests.races import POSTGRESQL_ONLY, holding, in_thread

pytestmark = POSTGRESQL_ONLY
TODAY = timezone.localdate()
LAST_DOSE = TODAY - timedelta(days=40)


@pytest.fixture
def ward(roles: None) -> Site:
    return SiteFactory(name="North General", code="north")


@pytest.fixture
def jane(ward: Site) -> Patient:
    return PatientFactory(site=ward, mrn="A1001")


def test_a_stop_committed_while_ending_is_seen_and_the_end_refused(
    ward: Site, jane: Patient
) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=jane, drug="denosumab", start_date=TODAY - timedelta(days=400)
    )
    BoneTherapyDose.objects.create(course=course, given_on=LAST_DOSE)
    patient_assessment_refresh(patient=jane)
    physician = UserFactory(username="doc", role="physician", sites=[ward])
    colleague = UserFactory(username="doc2", role="physician", sites=[ward])
    client = login(physician)
    url = reverse("patients:end_follow_up", args=[jane.pk])
    shown = posted_data(client.get(url).text, having="ended_on")
    data = {
        **shown,
        "ended_on": TODAY.isoformat(),
        "reason": "Discharged to GP care",
        TREATMENT_FIELD: "on",  # confirms the active course's next injection
    }
    with holding(  # the colleague's stop, not committed yet
        lambda: bone_therapy_update(
            actor=colleague,
            course=BoneTherapyCourse.objects.get(pk=course.pk),
            values={"stop_date": TODAY - timedelta(days=1), "stop_reason": "patient declined"},
            expected_version=course.version,
            stop_confirmed=True,
        )
    ):
        saving = in_thread(lambda: client.post(url, data))
        assert saving.waits(1), "ending follow-up did not wait for the colleague's uncommitted stop"
    response: Any = saving.outcome()
    assert getattr(response, "status_code", response) == 200
    form = response.context["form"]
    assert form.errors[TREATMENT_FIELD] == [TREATMENTS_CHANGED]
    assert f"due by {add_months(LAST_DOSE, 6):%Y-%m-%d}" in form.fields[TREATMENT_FIELD].label
    stop = Alert.objects.get(
        patient=jane, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )
    assert stop.severity == "warning"  # not a serious alert: the alerts tick did not change
    assert f'id="open-alert-{stop.pk}"' in response.text
    jane.refresh_from_db()
    assert jane.follow_up_status == FollowUpStatus.ACTIVE
    assert jane.follow_up_ended_on is None
