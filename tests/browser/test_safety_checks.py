"""A physician starts denosumab with vitamin D 18 ng/mL: the pre-treatment checklist shows the
failed checks, saving without an override is refused, and with an override and a reason it saves
(and the audit event keeps both)."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import BoneTherapyCourse
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import LabResultFactory, PatientFactory

pytestmark = BROWSER
TODAY = timezone.localdate()


@pytest.fixture
def patient(roles: None) -> Patient:
    site = north_general("physician")
    patient: Patient = PatientFactory(site=site, mrn="SAFE-1", name="Safety Patient")
    LabResultFactory(
        patient=patient, sample_date=TODAY - dt.timedelta(days=5), value=18, entered_value=18
    )
    patient_assessment_refresh(patient=patient)
    return patient


def test_denosumab_with_low_vitamin_d_needs_an_override(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    csp_errors = watch_csp_errors(page)
    log_in(page, live_server.url, "physician")
    page.goto(live_server.url + reverse("monitoring:patient", args=[patient.pk]))
    page.get_by_role("link", name="Plan or start therapy").click()
    page.select_option("select[name=drug]", label="Denosumab")
    page.fill("input[name=dose]", "60 mg every 6 months")
    page.fill("input[name=start_date]", TODAY.isoformat())
    expect(page.locator("input[name=override_reason]")).to_have_count(0)  # no check failed yet
    page.get_by_role("button", name="Save therapy").click()
    page.wait_for_load_state()

    checklist = page.get_by_test_id("safety-checklist")
    expect(checklist).to_be_visible()
    vitamin_d = checklist.locator("tr[data-check=vitamin_d]")
    expect(vitamin_d).to_have_attribute("data-status", "failed")
    expect(vitamin_d).to_contain_text("45 nmol/L")  # 18 ng/mL (44.93), SI, in whole nmol/L
    expect(vitamin_d).to_contain_text("VITD")
    expect(checklist.locator("tr[data-check=dental]")).to_have_attribute("data-status", "failed")
    expect(
        page.locator(".invalid-feedback").get_by_text("Failed pre-treatment checks")
    ).to_be_visible()
    expect(page.locator("input[name=dose]")).to_have_value("60 mg every 6 months")
    screenshot("safety-checklist-refused")
    assert not BoneTherapyCourse.objects.exists()

    page.get_by_label("Override the failed checks").check()
    page.get_by_label("Reason for the override").fill("Vitamin D loading given today; MDT agreed")
    page.get_by_role("button", name="Save therapy").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Therapy saved")).to_be_visible()

    course = BoneTherapyCourse.objects.get()
    assert course.drug == "denosumab"
    physician: User = User.objects.get(username="physician")
    event = AuditEvent.objects.get(
        object_type="monitoring.bonetherapycourse", action=AuditAction.CREATE, actor=physician
    )
    override = event.changes["safety_override"]
    assert override["reason"] == "Vitamin D loading given today; MDT agreed"
    assert "vitamin_d" in {check["check"] for check in override["failed_checks"]}
    assert csp_errors == []
