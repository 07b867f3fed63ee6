"""A nurse types the report's scan with the minus sign left off every T-score (nurse12 F1): the
form asks beside each T-score, keeps what was typed and saves nothing; with the ticks it saves,
and the audit row keeps what was confirmed."""

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
from tests.factories import PatientFactory

pytestmark = BROWSER
TODAY = timezone.localdate()
SLIPPED = [
    ("lumbar_spine", "0.700", "3.1"),
    ("total_hip", "0.620", "2.6"),
    ("femoral_neck", "0.550", "2.9"),
]


@pytest.fixture
def patient(roles: None) -> Patient:
    site = north_general("nurse")
    Scanner.objects.create(site=site, name="GE Lunar iDXA")
    patient: Patient = PatientFactory(site=site, mrn="N12-0004", name="Dorothy Double")
    return patient


def test_a_sign_slip_is_asked_about_beside_the_field_and_saved_once_ticked(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    csp_errors = watch_csp_errors(page)
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:scan_create", args=[patient.pk]))
    day = TODAY - dt.timedelta(days=2)
    page.fill("input[name=scan_date]", day.isoformat())
    page.select_option("select[name=scanner]", label="GE Lunar iDXA")
    for site, bmd, t in SLIPPED:
        page.fill(f"input[name={site}_bmd]", bmd)
        page.fill(f"input[name={site}_t_score]", t)
        expect(page.locator(f"input[name={site}_values_confirmed]")).to_have_count(0)
    page.get_by_role("button", name="Save scan").click()
    page.wait_for_load_state()

    hip = page.locator("fieldset", has=page.locator("input[name=total_hip_t_score]"))
    expect(hip).to_contain_text(
        "BMD 0.620 g/cm² at the total hip gives a T-score below zero on every scanner's "
        "reference: check the sign of +2.6."
    )
    expect(page.locator("input[name=total_hip_t_score]")).to_have_value("2.6")  # as typed
    expect(page.locator("input[name=total_hip_t_score]")).to_have_attribute("aria-invalid", "true")
    tick = hip.get_by_label("Total hip: the values are right as entered")
    expect(tick).to_be_visible()  # beside the site it confirms
    screenshot("t-score-sign-slip")
    assert not DexaScan.objects.filter(patient=patient).exists()

    for site, _, _ in SLIPPED:
        page.check(f"input[name={site}_values_confirmed]")
    page.get_by_role("button", name="Save scan").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Scan saved; the assessment is updated.")).to_be_visible()
    scan = DexaScan.objects.get(patient=patient)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(scan.pk))
    assert sorted(event.changes["values_confirmed"]) == [s for s, _, _ in sorted(SLIPPED)]
    assert csp_errors == []
