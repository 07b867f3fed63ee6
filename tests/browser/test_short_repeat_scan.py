"""A nurse enters the report's repeat scan (nurse13 #2): lumbar spine 0.912 g/cm² and, 5 days
later on the same scanner, 0.850. The form asks beside the BMD, naming the earlier scan and the
change, keeps what was typed and saves nothing; with the tick it saves, and the audit row keeps
what was confirmed."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import DexaScan, Scanner
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import DexaScanFactory, PatientFactory

pytestmark = BROWSER
FIRST = timezone.localdate() - dt.timedelta(days=6)
REPEAT = FIRST + dt.timedelta(days=5)


@pytest.fixture
def patient(roles: None) -> Patient:
    site = north_general("nurse")
    scanner = Scanner.objects.create(site=site, name="GE Lunar iDXA")
    patient: Patient = PatientFactory(site=site, mrn="N13-0221", name="Margaret Repeat")
    DexaScanFactory(patient=patient, scanner=scanner, scan_date=FIRST, t=-2.0)  # spine 0.912
    return patient


def test_a_repeat_days_later_is_asked_about_beside_the_bmd_and_saved_once_ticked(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    csp_errors = watch_csp_errors(page)
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:scan_create", args=[patient.pk]))
    page.fill("input[name=scan_date]", REPEAT.isoformat())
    page.select_option("select[name=scanner]", label="GE Lunar iDXA")
    page.fill("input[name=lumbar_spine_bmd]", "0.850")
    page.fill("input[name=lumbar_spine_t_score]", "-2.5")
    page.get_by_role("button", name="Save scan").click()
    page.wait_for_load_state()

    spine = page.locator("fieldset", has=page.locator("input[name=lumbar_spine_bmd]"))
    expect(spine).to_contain_text(
        f"From the scan of {FIRST:%Y-%m-%d} to that of {REPEAT:%Y-%m-%d} on this scanner, 5 days "
        "apart, BMD went 0.912 → 0.850 g/cm² (-0.062 g/cm², -6.8 %)"
    )
    bmd = page.locator("input[name=lumbar_spine_bmd]")
    expect(bmd).to_have_value("0.850")  # as typed
    expect(bmd).to_have_attribute("aria-invalid", "true")
    expect(page.locator("input[name=total_hip_values_confirmed]")).to_have_count(0)
    tick = spine.get_by_label("Lumbar spine (L1-L4): the values are right as entered")
    expect(tick).to_be_visible()  # beside the site it confirms
    screenshot("short-repeat-scan")
    assert DexaScan.objects.filter(patient=patient).count() == 1

    tick.check()
    page.get_by_role("button", name="Save scan").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Scan saved; the assessment is updated.")).to_be_visible()
    scan = DexaScan.objects.get(patient=patient, scan_date=REPEAT)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(scan.pk))
    assert list(event.changes["values_confirmed"]) == ["lumbar_spine"]
    assert csp_errors == []
