"""An alert raised while a physician ends follow-up, as real concurrent transactions on
PostgreSQL (each thread on its own connection, as tests/patients/test_ai_course_races.py does).

A colleague records that denosumab was stopped: the stop raises DENOSUMAB_STOPPED_NO_FOLLOW_ON
(critical) but is not committed yet when the physician saves the end of follow-up, whose form
(read before the lock) still agrees with the alerts they confirmed. The service waits for the
patient's lock, reads the alerts again and refuses; the form comes back with the new list
(physician9 F7)."""

from datetime import timedelta

from django.utils import timezone

from monitoring.models import Alert
from patients.follow_up_forms import ALERTS_CHANGED
from patients.models import Patient
from tests.factories import denosumab_course
from tests.races import POSTGRESQL_ONLY, ending_follow_up_while_stopping

pytestmark = POSTGRESQL_ONLY
TODAY = timezone.localdate()


def test_an_alert_committed_while_saving_is_not_taken_off_the_dashboard_unseen(
    jane: Patient,
) -> None:
    course = denosumab_course(
        jane, started=TODAY - timedelta(days=500), last_dose=TODAY - timedelta(days=305)
    )
    response = ending_follow_up_while_stopping(
        course,
        stopped_on=TODAY - timedelta(days=200),
        ticked={"confirm_active_treatment": "on", "confirm_open_alerts": "on"},
    )
    form = response.context["form"]
    assert form.errors["confirm_open_alerts"] == [ALERTS_CHANGED]
    assert form["reason"].value() == "Discharged to GP care"
    raised = Alert.objects.get(
        patient=jane, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )
    assert raised.severity == "critical"
    assert f'id="open-alert-{raised.pk}"' in response.text
