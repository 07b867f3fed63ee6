"""A planned next DEXA far later than the rules' date asks for a tick beside the date (phys11 #10):
2031 for a high-risk patient the rules book for 2027 was saved without a word. Far later is one
whole interval of the rule that dated it or more (the plan skips a scan), or, for a baseline, more
than its 3 months' grace (`monitoring.records.plan_margin`); SCHED-PLAN itself is unchanged."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.audit.forms import UNCHANGED
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import MonitoringPlan, PatientAssessment
from monitoring.records.plan_margin import later_by
from monitoring.records.services.plan import monitoring_plan_set
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, UserFactory
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REASON = "patient moving abroad"


@pytest.fixture
def high_risk(patient: Patient) -> date:
    """The patient, osteoporotic on a scan of last month: the rules' next DEXA (SCHED-HIGH)."""
    DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=30), t=-2.7)
    patient_assessment_refresh(patient=patient)
    assessment = PatientAssessment.objects.get(patient=patient)
    assert assessment.risk_category == "high"
    assert assessment.computed_next_dexa_due == add_months(TODAY - timedelta(days=30), 12)
    return assessment.computed_next_dexa_due


def _url(patient: Patient) -> str:
    return reverse("monitoring:plan", args=[patient.pk])


def _plan(client: Client, patient: Patient, planned: date, **more: str) -> object:
    data = {"next_dexa_due": planned.isoformat(), "reason": REASON, "in_force": "0"}
    return client.post(_url(patient), data | more)


def test_a_date_years_later_is_saved_only_with_the_tick(
    physician_client: Client, patient: Patient, high_risk: date
) -> None:
    planned = add_months(high_risk, 48)
    opened = posted_data(physician_client.get(_url(patient)).text, having="reason")
    assert "confirm_later_date" not in physician_client.get(_url(patient)).text

    refused = physician_client.post(
        _url(patient), opened | {"next_dexa_due": planned.isoformat(), "reason": REASON}
    )
    assert refused.status_code == 200
    [question] = refused.context["form"].errors["next_dexa_due"]
    assert question == (
        f"{planned:%Y-%m-%d} is 4 years after the date the rules compute, {high_risk:%Y-%m-%d} "
        "(SCHED-HIGH: a DEXA every 12 months): the plan skips a scan the rules call for. If this "
        "date is meant, tick the box below."
    )
    assert not MonitoringPlan.objects.filter(patient=patient).exists()
    assert PatientAssessment.objects.get(patient=patient).next_dexa_due == high_risk
    # What was typed is kept, and the tick is offered.
    again = posted_data(refused.text, having="reason")
    assert again["next_dexa_due"] == planned.isoformat()
    assert again["reason"] == REASON
    assert 'name="confirm_later_date"' in refused.text

    saved = physician_client.post(_url(patient), again | {"confirm_later_date": "on"})
    assert saved.status_code == 302
    plan = MonitoringPlan.objects.get(patient=patient)
    assert (plan.next_dexa_due, plan.reason) == (planned, REASON)
    assessment = PatientAssessment.objects.get(patient=patient)
    assert (assessment.next_dexa_due, assessment.computed_next_dexa_due) == (planned, high_risk)


@pytest.mark.parametrize(
    ("months", "days", "asks"),
    [
        (-6, 0, False),  # earlier: never asked
        (0, 0, False),
        (12, -1, False),  # the last day within one interval: a delay of the scan due
        (12, 0, True),  # a whole interval later: the scan due is skipped
    ],
)
def test_the_margin_is_one_interval_of_the_rule(
    physician_client: Client,
    patient: Patient,
    high_risk: date,
    months: int,
    days: int,
    asks: bool,
) -> None:
    planned = add_months(high_risk, months) + timedelta(days=days)
    response = _plan(physician_client, patient, planned)
    assert (response.status_code == 200) is asks
    assert MonitoringPlan.objects.filter(patient=patient).exists() is not asks


def test_a_low_risk_patient_has_a_24_month_margin(
    physician_client: Client, patient: Patient
) -> None:
    patient.birth_date = date(1975, 1, 1)  # under 65: no risk factor but the scan's
    patient.save()
    DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=30), t=0.5)
    patient_assessment_refresh(patient=patient)
    assessment = PatientAssessment.objects.get(patient=patient)
    assert assessment.risk_category == "low"
    due = assessment.computed_next_dexa_due
    assert _plan(physician_client, patient, add_months(due, 18)).status_code == 302
    response = _plan(physician_client, patient, add_months(due, 24))
    assert (
        "(SCHED-LOW: a DEXA every 24 months)" in response.context["form"].errors["next_dexa_due"][0]
    )
    assert MonitoringPlan.objects.filter(patient=patient).count() == 1


def test_a_baseline_has_the_grace_of_its_rule(physician_client: Client, patient: Patient) -> None:
    """No scan: the rules want one at the AI's start; 3 months later it is reported missing."""
    start = TODAY + timedelta(days=10)
    AromataseInhibitorCourseFactory(patient=patient, start_date=start)
    patient_assessment_refresh(patient=patient)
    assert PatientAssessment.objects.get(patient=patient).computed_next_dexa_due == start
    response = _plan(physician_client, patient, add_months(start, 3) + timedelta(days=1))
    [question] = response.context["form"].errors["next_dexa_due"]
    assert f"the date the rules compute, {start:%Y-%m-%d} (SCHED-BASELINE" in question
    assert "more than the 3 months' grace the rules give a baseline DEXA" in question
    assert not MonitoringPlan.objects.filter(patient=patient).exists()
    assert _plan(physician_client, patient, add_months(start, 3)).status_code == 302


def test_the_plan_in_force_saved_unchanged_asks_nothing(
    physician_client: Client, physician: object, patient: Patient, high_risk: date
) -> None:
    far = add_months(high_risk, 48)
    monitoring_plan_set(actor=physician, patient=patient, next_dexa_due=far, reason=REASON)
    opened = posted_data(physician_client.get(_url(patient)).text, having="reason")
    response = physician_client.post(_url(patient), opened, follow=True)
    assert UNCHANGED in response.text
    assert MonitoringPlan.objects.filter(patient=patient).count() == 1
    # Another reason for the same date: no new decision about the date, no question.
    other = opened | {"reason": "moving abroad, confirmed by letter"}
    assert physician_client.post(_url(patient), other).status_code == 302
    assert MonitoringPlan.objects.filter(patient=patient).count() == 2


def test_a_tick_given_for_another_rules_date_is_asked_again(
    physician_client: Client, patient: Patient, high_risk: date
) -> None:
    """The rules' date moved since the question was shown (a scan recorded meanwhile): the tick
    confirmed another gap, so the form asks again with the date now, the tick cleared."""
    planned = add_months(high_risk, 48)
    stale = (high_risk - timedelta(days=90)).isoformat()
    response = _plan(
        physician_client,
        patient,
        planned,
        confirm_later_date="on",
        rules_date_shown=stale,
    )
    assert response.status_code == 200
    [question] = response.context["form"].errors["next_dexa_due"]
    assert question.startswith("The rules' date changed since this page was shown. ")
    assert f"compute, {high_risk:%Y-%m-%d}" in question
    again = posted_data(response.text, having="reason")
    assert "confirm_later_date" not in again
    assert again["rules_date_shown"] == high_risk.isoformat()
    assert not MonitoringPlan.objects.filter(patient=patient).exists()


def test_an_empty_date_follows_the_rules_without_a_question(
    physician_client: Client, physician: object, patient: Patient, high_risk: date
) -> None:
    monitoring_plan_set(
        actor=physician, patient=patient, next_dexa_due=add_months(high_risk, 48), reason=REASON
    )
    response = physician_client.post(
        _url(patient),
        posted_data(physician_client.get(_url(patient)).text, having="reason")
        | {"next_dexa_due": "", "reason": "back to the rules"},
    )
    assert response.status_code == 302
    assert PatientAssessment.objects.get(patient=patient).next_dexa_due == high_risk


def test_a_nurse_still_may_not_set_the_plan(patient: Patient, high_risk: date) -> None:
    nurse = UserFactory(username="nurse2", role="nurse", sites=[patient.site])
    client = Client()
    client.force_login(nurse)
    assert _plan(client, patient, add_months(high_risk, 48)).status_code == 403
    assert not MonitoringPlan.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (date(2027, 6, 1), date(2031, 6, 1), "4 years"),
        (date(2027, 6, 1), date(2028, 6, 1), "1 year"),
        (date(2027, 6, 1), date(2028, 9, 15), "1 year, 3 months and 14 days"),
        (date(2027, 1, 31), date(2027, 3, 1), "1 month and 1 day"),
        (date(2027, 6, 1), date(2027, 9, 2), "3 months and 1 day"),
        (date(2027, 6, 1), date(2027, 6, 2), "1 day"),
    ],
)
def test_how_much_later_is_said(start: date, end: date, words: str) -> None:
    assert later_by(start, end) == words
