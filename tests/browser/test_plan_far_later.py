"""A physician sets a high-risk patient's next DEXA (phys11 #10): the plan saved as opened asks
nothing and changes nothing; a date four years after the rules' asks beside the date, saves nothing
until the tick below it is given, then saves the plan."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site, User
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import MonitoringPlan, PatientAssessment
from monitoring.records.services.plan import monitoring_plan_set
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, watch_csp_errors
from tests.factories import DexaScanFactory, PatientFactory, SiteFactory, UserFactory

pytestmark = BROWSER
TODAY = timezone.localdate()


@pytest.fixture
def patient(roles: None) -> Patient:
    """High risk on last month's scan, with a plan in force a month after the rules' date."""
    site: Site = SiteFactory(name="North General", code="north")
    physician: User = UserFactory(username="physician", role="physician", sites=[site])
    patient: Patient = PatientFactory(site=site, mrn="PLAN1", name="Far Plan")
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=30), t=-2.7)
    patient_assessment_refresh(patient=patient)
    due = PatientAssessment.objects.get(patient=patient).computed_next_dexa_due
    monitoring_plan_set(
        actor=physician,
        patient=patient,
        next_dexa_due=add_months(due, 1),
        reason="scanner booked",
    )
    return patient


def test_a_far_later_plan_needs_the_tick_and_an_unchanged_one_nothing(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    assessment = PatientAssessment.objects.get(patient=patient)
    rules_date = assessment.computed_next_dexa_due
    in_force = MonitoringPlan.objects.get(patient=patient)
    csp_errors = watch_csp_errors(page)
    log_in(page, live_server.url, "physician")
    page.goto(live_server.url + reverse("monitoring:patient", args=[patient.pk]))
    page.get_by_role("link", name="Set plan").click()
    page.wait_for_load_state()
    tick = page.get_by_label("This later date is meant: set the plan anyway")

    # Saved as opened: no question, nothing written.
    expect(page.locator("input[name=next_dexa_due]")).to_have_value(
        in_force.next_dexa_due.isoformat()
    )
    expect(tick).to_have_count(0)
    page.get_by_role("button", name="Set plan").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Nothing was changed: the record is as it was.")).to_be_visible()
    assert list(MonitoringPlan.objects.filter(patient=patient)) == [in_force]

    # Four years after the rules' date: asked beside the date, nothing saved.
    far = add_months(rules_date, 48)
    page.get_by_role("link", name="Set plan").click()
    page.wait_for_load_state()
    page.fill("input[name=next_dexa_due]", far.isoformat())
    page.fill("input[name=reason]", "patient moving abroad")
    page.get_by_role("button", name="Set plan").click()
    page.wait_for_load_state()
    screenshot("plan-far-later-asked")
    question = page.locator("#id_next_dexa_due ~ .invalid-feedback, #error_1_id_next_dexa_due")
    expect(question.first).to_contain_text(
        f"{far:%Y-%m-%d} is 4 years after the date the rules compute, {rules_date:%Y-%m-%d} "
        "(SCHED-HIGH: a DEXA every 12 months)"
    )
    expect(tick).to_be_visible()
    expect(tick).not_to_be_checked()
    expect(page.locator("input[name=next_dexa_due]")).to_have_value(far.isoformat())
    expect(page.locator("input[name=reason]")).to_have_value("patient moving abroad")
    assert list(MonitoringPlan.objects.filter(patient=patient)) == [in_force]

    tick.check()
    page.get_by_role("button", name="Set plan").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Monitoring plan set.")).to_be_visible()
    plan = MonitoringPlan.objects.filter(patient=patient).latest()
    assert (plan.next_dexa_due, plan.reason) == (far, "patient moving abroad")
    assessment.refresh_from_db()
    assert (assessment.next_dexa_due, assessment.computed_next_dexa_due) == (far, rules_date)
    assert csp_errors == []
