"""nurse12 F3 in Chromium: a zoledronic acid dose stopped by a critical eGFR recorded today is not
let through by dating it a day earlier. The form shows the later result beside the checklist,
the nurse cannot tick the override, and a physician records it with the override."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from tests.browser.clinic import BROWSER, log_in, log_out, north_general, watch_csp_errors
from tests.factories import (
    LabResultFactory,
    PatientFactory,
    results_in_range,
)

pytestmark = BROWSER
TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def site(roles: None) -> Site:
    site = north_general("nurse", "physician")
    return site


def _record(page: Page, day: dt.date) -> None:
    page.fill("input[name=given_on]", day.isoformat())
    page.get_by_role("button", name="Record dose").click()
    page.wait_for_load_state()


def test_backdating_a_dose_past_a_critical_egfr_is_refused(
    live_server: Any, page: Page, site: Site, screenshot: Any
) -> None:
    patient = PatientFactory(site=site, mrn="SHOW-20", name="Demo Kidney Block")
    results_in_range(patient, TODAY - dt.timedelta(days=20))
    LabResultFactory(
        patient=patient,
        sample_date=TODAY,
        analyte="egfr",
        value=Decimal(32),
        entered_value=Decimal(32),
        entered_unit="mL/min/1.73m2",
    )
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="zoledronic_acid",
        start_date=TODAY - dt.timedelta(days=400),
        dental_review_date=TODAY - dt.timedelta(days=420),
    )
    BoneTherapyDose.objects.create(course=course, given_on=TODAY - dt.timedelta(days=200))
    BoneTherapyDose.objects.update(entered_at=timezone.now() - dt.timedelta(days=200))
    csp_errors = watch_csp_errors(page)
    url = live_server.url + reverse("monitoring:dose_create", args=[patient.pk, course.pk])

    log_in(page, live_server.url, "nurse")
    page.goto(url)
    renal = page.locator("tr[data-check=renal]")
    expect(renal).to_have_attribute("data-status", "failed")
    expect(renal).to_contain_text("Override: a physician only.")
    _record(page, TODAY)
    expect(page.get_by_text("Not saved")).to_be_visible()

    # The tester's step 3: the date moved back a day.
    _record(page, YESTERDAY)
    expect(page.get_by_text("Not saved")).to_be_visible()
    expect(page.get_by_role("heading", name=f"as of {YESTERDAY:%Y-%m-%d}")).to_be_visible()
    expect(page.locator("tr[data-check=renal]")).to_have_attribute("data-status", "passed")
    later = page.locator("tr[data-check=renal_after]")
    expect(later).to_have_attribute("data-status", "failed")
    expect(later.locator("th")).to_have_text("Kidney function after the dose date")
    expect(later.locator("td[data-label=Date]")).to_have_text(f"{TODAY:%Y-%m-%d}")
    says = later.locator("td.check-says")
    expect(says).to_contain_text("zoledronic acid is contraindicated")
    expect(says).to_contain_text(f"Dated after this dose ({YESTERDAY:%Y-%m-%d})")
    expect(says).to_contain_text("a kidney result after an infusion may be its harm")
    expect(says).to_contain_text("Override: a physician only.")
    banner = page.get_by_test_id("later-results")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(f"Kidney function after the dose date ({TODAY:%Y-%m-%d})")
    expect(page.get_by_test_id("override-who")).to_contain_text(
        "Only a physician may override Kidney function after the dose date"
    )
    expect(page.get_by_label("Override the failed checks")).to_be_disabled()
    screenshot("dose-later-result-nurse")
    assert not course.doses.filter(given_on=YESTERDAY).exists()

    # A physician records it, ticking the override with a reason.
    log_out(page)
    log_in(page, live_server.url, "physician")
    page.goto(url)
    _record(page, YESTERDAY)
    expect(page.get_by_label("Override the failed checks")).to_be_enabled()
    page.get_by_label("Override the failed checks").check()
    page.get_by_label("Reason for the override").fill(
        "infusion given yesterday before the result came back; nephrology told"
    )
    page.get_by_role("button", name="Record dose").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Dose recorded")).to_be_visible()
    dose = course.doses.get(given_on=YESTERDAY)
    assert dose.safety_checks_failed == ["renal_after"]
    assert dose.safety_override_by is not None
    assert dose.safety_override_by.username == "physician"
    assert csp_errors == []
