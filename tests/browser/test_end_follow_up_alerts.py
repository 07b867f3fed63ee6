"""A physician ends the follow-up of a patient whose denosumab was stopped 10 months ago with no
follow-on (physician9 F7): the form names the open critical alert and what ending does to it;
without the tick nothing is saved, with it follow-up ends and the alert stays open."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from patients.models import FollowUpStatus, Patient
from tests.browser.test_journey import _csp_errors, log_in
from tests.factories import PatientFactory, SiteFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
TODAY = timezone.localdate()


@pytest.fixture
def patient(roles: None) -> Patient:
    site: Site = SiteFactory(name="North General", code="north")
    UserFactory(username="physician", role="physician", sites=[site])
    patient: Patient = PatientFactory(site=site, mrn="DMABSTOP", name="Stopped Denosumab")
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY - dt.timedelta(days=500),
        stop_date=TODAY - dt.timedelta(days=200),
    )
    BoneTherapyDose.objects.create(course=course, given_on=TODAY - dt.timedelta(days=305))
    patient_assessment_refresh(patient=patient)
    return patient


def test_ending_follow_up_with_a_critical_alert_needs_the_tick(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    alert = Alert.objects.get(
        patient=patient, code="DENOSUMAB_STOPPED_NO_FOLLOW_ON", cleared_at__isnull=True
    )
    csp_errors = _csp_errors(page)
    log_in(page, live_server.url, "physician")
    page.goto(live_server.url + reverse("monitoring:patient", args=[patient.pk]))
    page.get_by_role("link", name="End follow-up").click()
    page.wait_for_load_state()

    warning = page.locator("#open-alerts-warning")
    expect(warning).to_be_visible()
    expect(warning.locator(f"#open-alert-{alert.pk}")).to_contain_text("Critical since")
    expect(warning.locator(f"#open-alert-{alert.pk}")).to_contain_text("not acknowledged")
    expect(warning).to_contain_text("they leave the dashboard and the worklist")
    page.fill("input[name=ended_on]", TODAY.isoformat())
    page.fill("input[name=reason]", "Discharged to GP care")
    page.get_by_role("button", name="End follow-up").click()
    page.wait_for_load_state()
    screenshot("end-follow-up-alerts-refused")
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ACTIVE
    expect(page.locator("input[name=reason]")).to_have_value("Discharged to GP care")

    page.get_by_label("I have read the open alerts above").check()
    # Her denosumab follow-on, overdue, asks for its own tick (phys12 F1:
    # test_end_follow_up_follow_on.py).
    page.get_by_label("I have arranged elsewhere the bisphosphonate follow-on").check()
    page.get_by_role("button", name="End follow-up").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Follow-up ended; the record is kept.")).to_be_visible()
    patient.refresh_from_db()
    assert patient.follow_up_status == FollowUpStatus.ENDED
    assert patient.follow_up_end_reason == "Discharged to GP care"
    alert.refresh_from_db()
    assert alert.cleared_at is None
    assert csp_errors == []
