"""phys13 #11 (SHOW-20): denosumab stopped, zoledronic acid started as its follow-on, the
infusion not recorded yet. The recommendation read "Start follow-on therapy — overdue since" the
course's start while the alert DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED (warning) said "in place by"
the last dose + 6 months: two dates, two urgencies. Now the patient page and the summary ask for
the infusion, due by the alert's date, and say it has been due since the course started."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import Alert, BoneTherapyCourse
from patients.models import Patient
from tests.factories import denosumab_course, results_in_range
from tests.html_forms import visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LAST_DOSE = TODAY - timedelta(days=150)
DUE_BY = add_months(LAST_DOSE, 6)
ZA_START = TODAY - timedelta(days=3)


@pytest.fixture
def awaiting(patient: Patient) -> Patient:
    """SHOW-20's state: denosumab stopped 20 days ago, zoledronic acid started 3 days ago."""
    results_in_range(patient, TODAY - timedelta(days=20))
    denosumab_course(
        patient,
        started=LAST_DOSE - timedelta(days=550),
        last_dose=LAST_DOSE,
        stopped=TODAY - timedelta(days=20),
    )
    BoneTherapyCourse.objects.create(
        patient=patient,
        drug="zoledronic_acid",
        start_date=ZA_START,
        dental_review_date=ZA_START - timedelta(days=10),
    )
    patient_assessment_refresh(patient=patient)
    return patient


@pytest.mark.parametrize("page", ["monitoring:patient", "monitoring:patient_summary"])
def test_the_advice_asks_for_the_infusion_by_the_alerts_date(
    awaiting: Patient, physician_client: Client, page: str
) -> None:
    alert = Alert.objects.get(patient=awaiting, cleared_at=None, code__startswith="DENOSUMAB_")
    assert (alert.code, alert.severity) == ("DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED", "warning")
    assert f"in place by {DUE_BY:%Y-%m-%d}" in alert.message

    text = visible_text(physician_client.get(reverse(page, args=[awaiting.pk])).content.decode())
    assert "Start follow-on therapy" not in text
    assert "Give the follow-on zoledronic acid infusion" in text
    assert f"due {DUE_BY:%Y-%m-%d}" in text  # the alert's date, still to come: not "overdue"
    assert f"overdue since {ZA_START:%Y-%m-%d}" not in text
    assert f"due since the course started on {ZA_START:%Y-%m-%d}" in text
    assert f"it must be given by {DUE_BY:%Y-%m-%d}" in text
