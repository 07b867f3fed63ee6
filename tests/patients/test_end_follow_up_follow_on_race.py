"""A colleague stops denosumab while a physician ends follow-up, as real concurrent transactions
on PostgreSQL (each thread on its own connection, tests/races.py).

Physician A's form named the active denosumab course and A ticked it; physician B stops the course
with no follow-on, not committed yet when A saves. The stop raises only a DMAB-STOP *warning* (the
last dose was 40 days ago), which the open-alerts tick does not cover: it is the follow-on
confirmation that must change. A's save waits for the patient's lock, reads what ending needs
again and is refused, the form shown again naming the follow-on and its date (phys12 F1)."""

from datetime import timedelta

from django.utils import timezone

from monitoring.domain.dates import add_months
from monitoring.models import Alert
from patients.follow_up_forms import TREATMENT_FIELD, TREATMENTS_CHANGED
from patients.models import Patient
from tests.factories import denosumab_course
from tests.races import POSTGRESQL_ONLY, ending_follow_up_while_stopping

pytestmark = POSTGRESQL_ONLY
TODAY = timezone.localdate()
LAST_DOSE = TODAY - timedelta(days=40)


def test_a_stop_committed_while_ending_is_seen_and_the_end_refused(jane: Patient) -> None:
    course = denosumab_course(jane, started=TODAY - timedelta(days=400), last_dose=LAST_DOSE)
    response = ending_follow_up_while_stopping(
        course,
        stopped_on=TODAY - timedelta(days=1),
        ticked={TREATMENT_FIELD: "on"},  # confirms the active course's next injection
    )
    form = response.context["form"]
    assert form.errors[TREATMENT_FIELD] == [TREATMENTS_CHANGED]
    assert f"due by {add_months(LAST_DOSE, 6):%Y-%m-%d}" in form.fields[TREATMENT_FIELD].label
    stop = Alert.objects.get(
        patient=jane, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )
    assert stop.severity == "warning"  # not a serious alert: the alerts tick did not change
    assert f'id="open-alert-{stop.pk}"' in response.text
