"""An alert raised while a physician ends follow-up, as real concurrent transactions on
PostgreSQL (each thread on its own connection, as tests/patients/test_ai_course_races.py does).

A colleague records that denosumab was stopped: the stop raises DENOSUMAB_STOPPED_NO_FOLLOW_ON
(critical) but is not committed yet when the physician saves the end of follow-up, whose form
(read before the lock) still agrees with the alerts they confirmed. The service waits for the
patient's lock, reads the alerts again and refuses; the form comes back with the new list
(physician9 F7)."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from monitoring.records.services.therapy import bone_therapy_update
from patients.follow_up_forms import ALERTS_CHANGED
from patients.models import FollowUpStatus, Patient
from tests.conftest import login
from tests.factories import PatientFactory, UserFactory
from tests.html_forms import posted_data
from tests.races import POSTGRESQL_ONLY, holding, in_thread

pytestmark = POSTGRESQL_ONLY
TODAY = timezone.localdate()


@pytest.fixture
def jane(ward: Site) -> Patient:
    return PatientFactory(site=ward, mrn="A1001")


def test_an_alert_committed_while_saving_is_not_taken_off_the_dashboard_unseen(
    ward: Site, jane: Patient
) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=jane, drug="denosumab", start_date=TODAY - timedelta(days=500)
    )
    BoneTherapyDose.objects.create(course=course, given_on=TODAY - timedelta(days=305))
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
        "confirm_active_treatment": "on",
        "confirm_open_alerts": "on",
    }
    with holding(  # the colleague's stop, not committed yet
        lambda: bone_therapy_update(
            actor=colleague,
            course=BoneTherapyCourse.objects.get(pk=course.pk),
            values={"stop_date": TODAY - timedelta(days=200), "stop_reason": "patient declined"},
            expected_version=course.version,
            stop_confirmed=True,  # no follow-on: the colleague confirms the stop
        )
    ):
        saving = in_thread(lambda: client.post(url, data))
        assert saving.waits(1), "ending follow-up did not wait for the colleague's uncommitted stop"
    response: Any = saving.outcome()
    assert getattr(response, "status_code", response) == 200
    form = response.context["form"]
    assert form.errors["confirm_open_alerts"] == [ALERTS_CHANGED]
    assert form["reason"].value() == "Discharged to GP care"
    raised = Alert.objects.get(
        patient=jane, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )
    assert raised.severity == "critical"
    assert f'id="open-alert-{raised.pk}"' in response.text
    jane.refresh_from_db()
    assert jane.follow_up_status == FollowUpStatus.ACTIVE
    assert jane.follow_up_ended_on is None
