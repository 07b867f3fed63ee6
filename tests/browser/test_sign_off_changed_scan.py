"""A physician signs off a scan a nurse corrected after the page was drawn, in Chromium: the Sign
off buttons of the dashboard (one form for the cached part's buttons) and of the patient's page
send the version of the scan they showed, and a corrected scan is not signed off."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import DexaScan
from tests.browser.clinic import BROWSER, log_in, north_general
from tests.factories import DexaScanFactory, PatientFactory, UserFactory
from tests.record_edits import correct_scan

pytestmark = BROWSER
TODAY = timezone.localdate()


@pytest.fixture
def scan(roles: None) -> DexaScan:
    site = north_general("physician")
    patient = PatientFactory(site=site, mrn="SIGN-1", name="Scan Patient")
    scan: DexaScan = DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=10))
    patient_assessment_refresh(patient=patient)
    return scan


@pytest.mark.parametrize("where", ["dashboard", "patient page"])
def test_a_scan_corrected_since_the_page_was_drawn_is_not_signed_off(
    page: Page, live_server: Any, scan: DexaScan, where: str
) -> None:
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, "physician")
    if where == "dashboard":
        page.goto(f"{live_server.url}{reverse('monitoring:dashboard')}")
        button = page.locator("section[aria-labelledby=h-review]").get_by_role(
            "button", name=f"Sign off the scan of {scan.scan_date.isoformat()}"
        )
    else:
        page.goto(f"{live_server.url}{reverse('monitoring:patient', args=[scan.patient_id])}")
        button = page.get_by_role("button", name="Sign off")
    expect(button).to_be_visible()
    # A nurse corrects the lumbar spine while the physician's page is open.
    correct_scan(UserFactory(username="nurse", role="nurse", sites=[scan.patient.site]), scan)
    button.click()
    page.wait_for_load_state()
    expect(page.get_by_text("was changed by nurse at")).to_be_visible()
    assert DexaScan.objects.get(pk=scan.pk).reviewed_at is None
    # The page drawn again shows the corrected values; its button signs them off.
    button.click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"Scan of {scan.scan_date.isoformat()} signed off.")).to_be_visible()
    assert DexaScan.objects.get(pk=scan.pk).reviewed_by is not None
