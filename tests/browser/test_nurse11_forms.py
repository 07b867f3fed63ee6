"""nurse11 in Chromium at a phone's width: a T-score box opens a keyboard with a minus (F6) and a
negative score typed key by key is saved; the edit form of a signed-off scan shows, before any
save, that a changed number resets the sign-off, and saving it unchanged keeps it (F16)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import User
from monitoring.models import DexaScan
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import (
    DexaScanFactory,
    PatientFactory,
    ScannerFactory,
    UserFactory,
)

pytestmark = BROWSER
TODAY = timezone.localdate()


@pytest.fixture
def world(roles: None) -> dict[str, Any]:
    site = north_general("nurse")
    physician: User = UserFactory(
        username="physician", role="physician", sites=[site], first_name="Philippa"
    )
    patient: Patient = PatientFactory(site=site, mrn="PHONE-1", name="Phone Patient")
    ScannerFactory(site=site, name="Hologic Horizon A")
    return {"site": site, "physician": physician, "patient": patient}


def test_a_t_score_box_has_a_minus_and_a_negative_score_is_saved(
    live_server: Any, page: Page, world: dict[str, Any], screenshot: Any
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    csp_errors = watch_csp_errors(page)
    patient: Patient = world["patient"]
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:scan_create", args=[patient.pk]))
    t_score = page.locator("input[name=lumbar_spine_t_score]")
    # "text": the iPhone's decimal keypad ("decimal") has no minus key.
    expect(t_score).to_have_attribute("inputmode", "text")
    expect(page.locator("input[name=lumbar_spine_z_score]")).to_have_attribute("inputmode", "text")
    expect(page.locator("input[name=lumbar_spine_bmd]")).to_have_attribute("inputmode", "decimal")
    page.fill("input[name=scan_date]", (TODAY - timedelta(days=5)).isoformat())
    page.select_option("select[name=scanner]", label="Hologic Horizon A")
    page.locator("input[name=lumbar_spine_bmd]").press_sequentially("0,912")
    t_score.press_sequentially("-1.5")
    expect(t_score).to_have_value("-1.5")
    screenshot("nurse11-t-score-minus")
    page.get_by_role("button", name="Save scan").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Scan saved")).to_be_visible()
    measurement = DexaScan.objects.get(patient=patient).measurements.get()
    assert (measurement.bmd, measurement.t_score) == (Decimal("0.912"), Decimal("-1.5"))
    assert csp_errors == []


def test_a_signed_off_scan_warns_and_an_unchanged_save_keeps_the_sign_off(
    live_server: Any, page: Page, world: dict[str, Any], screenshot: Any
) -> None:
    patient: Patient = world["patient"]
    scan: DexaScan = DexaScanFactory(patient=patient, scan_date=TODAY - timedelta(days=90))
    signed_at = timezone.now() - timedelta(days=80)
    DexaScan.objects.filter(pk=scan.pk).update(
        reviewed_at=signed_at, reviewed_by=world["physician"]
    )
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:scan_update", args=[patient.pk, scan.pk]))
    warning = page.locator("#sign-off-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("This scan was signed off by")
    expect(warning).to_contain_text("resets it to Awaiting review")
    screenshot("nurse11-sign-off-warning")
    page.get_by_role("button", name="Save scan").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Nothing was changed: the record is as it was.")).to_be_visible()
    scan.refresh_from_db()
    assert (scan.reviewed_at, scan.reviewed_by_id, scan.version) == (
        signed_at,
        world["physician"].pk,
        1,
    )
