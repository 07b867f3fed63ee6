"""Marking a lab result entered in error after it was corrected in another tab, in Chromium
(sec11 #1): the page opened on calcium 1.9 mmol/L, the result was corrected to 2.35 meanwhile,
and the submit hid the 2.35. Now the mark is refused beside the form, saying who corrected it,
when, and what it reads now; the result stays on the patient's page. The page names the patient
(nurse11 #2)."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import LabResult
from tests.browser.clinic import BROWSER, log_in
from tests.factories import LabResultFactory, PatientFactory, SiteFactory, UserFactory

pytestmark = BROWSER
SAMPLE = timezone.localdate() - dt.timedelta(days=17)


@pytest.fixture
def calcium(roles: None) -> LabResult:
    site = SiteFactory(name="North General", code="north")
    UserFactory(
        username="physician",
        first_name="Philippa",
        last_name="Physician",
        role="physician",
        sites=[site],
    )
    UserFactory(username="nurse", first_name="Nora", last_name="Nurse", role="nurse", sites=[site])
    patient = PatientFactory(site=site, mrn="DEMO-000156", name="Patricia Fischer")
    lab: LabResult = LabResultFactory(
        patient=patient,
        sample_date=SAMPLE,
        analyte="calcium",
        value=Decimal("1.9"),
        entered_value=Decimal("1.9"),
        entered_unit="mmol/L",
    )
    patient_assessment_refresh(patient=patient)
    return lab


def _tab(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, username)
    return page


@pytest.mark.parametrize("corrected_by", ["physician", "nurse"])
def test_a_mark_of_a_result_corrected_in_another_tab_is_refused(
    browser: Browser, live_server: Any, calcium: LabResult, corrected_by: str
) -> None:
    base = live_server.url
    marking = _tab(browser, base, "physician")
    mark_url = reverse(
        "monitoring:entry_mark_in_error", args=[calcium.patient_id, "lab", calcium.pk]
    )
    marking.goto(f"{base}{mark_url}")
    heading = marking.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Mark entered in error")
    expect(heading).to_contain_text("Patricia Fischer (DEMO-000156)")
    shown = f"Calcium (albumin-adjusted) 1.9 mmol/L (sample of {SAMPLE:%Y-%m-%d})"
    expect(marking.locator("#record-to-mark")).to_contain_text(shown)
    marking.fill("textarea[name=reason]", "entered for the wrong patient")

    # Another tab: the physician's own, or a nurse's, corrects the value to 2.35.
    if corrected_by == "physician":
        editing = marking.context.new_page()
    else:
        editing = _tab(browser, base, "nurse")
    editing.goto(f"{base}{reverse('monitoring:lab_update', args=[calcium.patient_id, calcium.pk])}")
    editing.fill("input[name=value]", "2.35")
    editing.get_by_role("button", name="Save result").click()
    editing.wait_for_load_state()
    assert LabResult.objects.get(pk=calcium.pk).entered_value == Decimal("2.35")

    marking.get_by_role("button", name="Mark entered in error").click()
    marking.wait_for_load_state()
    # Her own other tab is named as such (nurse11 F14), a colleague by name.
    who = "you (in another tab or window)" if corrected_by == "physician" else "Nora Nurse"
    refusal = marking.get_by_role("alert").filter(has_text="Not marked")
    expect(refusal).to_contain_text(f"Not marked: the record was changed by {who} at ")
    now = f"It now reads: Calcium (albumin-adjusted) 2.35 mmol/L (sample of {SAMPLE:%Y-%m-%d})"
    expect(refusal).to_contain_text(now)
    expect(marking.locator("#record-to-mark")).to_contain_text("2.35 mmol/L")
    expect(marking.locator("textarea[name=reason]")).to_have_value("entered for the wrong patient")
    stored = LabResult.objects.get(pk=calcium.pk)
    assert (stored.entered_in_error, stored.entered_value) == (False, Decimal("2.35"))

    # The corrected result is still on the patient's page.
    marking.get_by_role("link", name="Cancel").click()
    marking.wait_for_load_state()
    expect(marking.locator(".labs-table")).to_contain_text("2.35")

    # Marked from the page drawn again, it is the corrected result that is hidden, knowingly.
    marking.goto(f"{base}{mark_url}")
    marking.fill("textarea[name=reason]", "entered for the wrong patient")
    marking.get_by_role("button", name="Mark entered in error").click()
    marking.wait_for_load_state()
    expect(
        marking.get_by_text("marked entered in error; the assessment is updated")
    ).to_be_visible()
    assert LabResult.objects.get(pk=calcium.pk).entered_in_error
