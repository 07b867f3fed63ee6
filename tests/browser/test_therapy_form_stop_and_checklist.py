"""The therapy form in Chromium (phys11 F2, F6).

F2: with a dental review date and no labs on file, the checklist's "Latest" cells of vitamin D,
calcium and kidney function read "none", not "done".
F6: stopping denosumab with no follow-on shows the rule's warning and saves nothing until the
physician ticks the confirmation; then the stop saves. Opened again and saved unchanged, the form
asks nothing and changes nothing.
"""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import PatientFactory
from tests.record_edits import audit_writes

pytestmark = BROWSER
TODAY = timezone.localdate()
LAST_DOSE = TODAY - dt.timedelta(days=40)
START = LAST_DOSE - dt.timedelta(days=183)


@pytest.fixture
def patient(roles: None) -> Patient:
    site = north_general("physician")
    patient: Patient = PatientFactory(site=site, mrn="STOP-1", name="Stop Patient")
    patient_assessment_refresh(patient=patient)
    return patient


def test_the_checklist_reads_none_for_labs_not_on_file(
    live_server: Any, page: Page, patient: Patient
) -> None:
    log_in(page, live_server.url, "physician")
    page.goto(live_server.url + reverse("monitoring:therapy_create", args=[patient.pk]))
    page.select_option("select[name=drug]", label="Denosumab")
    page.fill("input[name=start_date]", TODAY.isoformat())
    page.fill("input[name=dental_review_date]", (TODAY - dt.timedelta(days=12)).isoformat())
    page.get_by_role("button", name="Save therapy").click()
    page.wait_for_load_state()
    checklist = page.get_by_test_id("safety-checklist")
    for check in ("vitamin_d", "calcium", "renal"):
        latest = checklist.locator(f"tr[data-check={check}] td").nth(1)
        expect(latest).to_have_text("none")
    expect(checklist.locator("tr[data-check=dental] td").nth(1)).to_have_text("done")
    assert not BoneTherapyCourse.objects.exists()


def test_stopping_denosumab_without_follow_on_asks_first(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        dose="60 mg every 6 months",
        start_date=START,
        dental_review_date=LAST_DOSE - dt.timedelta(days=200),
    )
    for day in (START, LAST_DOSE):
        BoneTherapyDose.objects.create(course=course, given_on=day)
    patient_assessment_refresh(patient=patient)
    csp_errors = watch_csp_errors(page)
    log_in(page, live_server.url, "physician")
    page.goto(live_server.url + reverse("monitoring:patient", args=[patient.pk]))
    page.get_by_role("link", name="Change or stop").click()
    expect(page.get_by_test_id("denosumab-stop-warning")).to_have_count(0)
    page.fill("input[name=stop_date]", TODAY.isoformat())
    page.fill("input[name=stop_reason]", "patient preference")
    before = audit_writes()
    page.get_by_role("button", name="Save therapy").click()
    page.wait_for_load_state()

    warning = page.get_by_test_id("denosumab-stop-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"last dose {LAST_DOSE.isoformat()}")
    expect(warning).to_contain_text(f"start one by {add_months(LAST_DOSE, 6).isoformat()}")
    expect(warning.get_by_role("link", name="DMAB-STOP").first).to_be_visible()
    expect(
        page.locator(".invalid-feedback").get_by_text("tick this to stop it anyway")
    ).to_be_visible()
    expect(page.locator("input[name=stop_reason]")).to_have_value("patient preference")
    screenshot("denosumab-stop-warning")
    stored = BoneTherapyCourse.objects.get(pk=course.pk)
    assert (stored.stop_date, stored.version) == (None, course.version)
    assert audit_writes() == before

    page.get_by_label("stop denosumab anyway").check()
    page.get_by_role("button", name="Save therapy").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Therapy changed")).to_be_visible()
    stored = BoneTherapyCourse.objects.get(pk=course.pk)
    assert (stored.stop_date, stored.stop_reason) == (TODAY, "patient preference")

    # Opened again and saved as it is: no question, nothing written.
    before, version = audit_writes(), stored.version
    page.get_by_role("link", name="Change or stop").click()
    page.get_by_role("button", name="Save therapy").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Nothing was changed")).to_be_visible()
    assert BoneTherapyCourse.objects.get(pk=course.pk).version == version
    assert audit_writes() == before
    assert csp_errors == []


def test_a_switch_to_zoledronic_acid_with_no_start_asks_first(
    live_server: Any, page: Page, patient: Patient
) -> None:
    """recheck11 #1: zoledronic acid planned with no start date is no follow-on for the rule, so
    the switch that stops denosumab asks, as the stop on the edit form does."""
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", dose="60 mg every 6 months", start_date=START
    )
    for day in (START, LAST_DOSE):
        BoneTherapyDose.objects.create(course=course, given_on=day)
    patient_assessment_refresh(patient=patient)
    log_in(page, live_server.url, "physician")
    page.goto(live_server.url + reverse("monitoring:therapy_create", args=[patient.pk]))
    page.select_option("select[name=drug]", label="Zoledronic acid")
    page.fill("input[name=dose]", "4 mg every 6 months")
    page.locator("input[name=stop_current]").check()
    page.fill("input[name=stop_current_on]", TODAY.isoformat())
    before = audit_writes()
    page.get_by_role("button", name="Save therapy").click()
    page.wait_for_load_state()
    warning = page.get_by_test_id("denosumab-stop-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"last dose {LAST_DOSE.isoformat()}")
    assert list(BoneTherapyCourse.objects.all()) == [course]
    assert BoneTherapyCourse.objects.get(pk=course.pk).stop_date is None
    assert audit_writes() == before

    page.get_by_label("stop denosumab anyway").check()
    page.get_by_role("button", name="Save therapy").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Therapy saved")).to_be_visible()
    assert BoneTherapyCourse.objects.get(pk=course.pk).stop_date == TODAY
    assert BoneTherapyCourse.objects.get(drug="zoledronic_acid").start_date is None
