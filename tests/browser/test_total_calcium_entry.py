"""A nurse enters a calcium as total calcium and albumin in Chromium (nurse13 #3): the form shows
the adjusted calcium it will store as she types, stores it, the labs table shows what it came from,
and the result's edit form saved unchanged changes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.models import LabResult
from monitoring.records.forms.calcium import PREVIEW_BLANK, PREVIEW_IMPLAUSIBLE
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import PatientFactory
from tests.record_edits import audit_writes

pytestmark = BROWSER
TODAY = timezone.localdate()


@pytest.fixture
def patient(roles: None) -> Patient:
    site = north_general("nurse")
    patient: Patient = PatientFactory(site=site, mrn="ALB-1", name="Albumin Patient")
    return patient


def test_total_calcium_and_albumin_give_the_adjusted_calcium(
    live_server: object, page: Page, patient: Patient, screenshot: object
) -> None:
    csp_errors = watch_csp_errors(page)
    base = live_server.url  # type: ignore[attr-defined]
    log_in(page, base, "nurse")
    page.goto(base + reverse("monitoring:labs_create", args=[patient.pk]))
    page.fill("input[name=sample_date]", TODAY.isoformat())
    shown = page.locator("#adjusted-calcium")
    expect(shown).to_have_text(PREVIEW_BLANK)
    page.locator("input[name=total_calcium]").press_sequentially("2,10")  # a decimal comma
    expect(shown).to_have_text(PREVIEW_BLANK)  # no albumin yet
    page.locator("input[name=albumin]").press_sequentially("30")
    expected = (
        "Adjusted calcium to be stored: 2.30 mmol/L (from total calcium 2.10 mmol/L and "
        "albumin 30 g/L)."
    )
    expect(shown).to_have_text(expected)
    page.select_option("select[name=albumin_unit]", "g/dL")  # 30 g/dL: implausible
    expect(shown).to_have_text(PREVIEW_IMPLAUSIBLE)
    page.select_option("select[name=albumin_unit]", "g/L")
    expect(shown).to_have_text(expected)
    screenshot("total-calcium-adjusted")  # type: ignore[operator]
    page.get_by_role("button", name="Save results").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Calcium stored: 2.30 mmol/L")).to_be_visible()

    lab = LabResult.objects.get(patient=patient)
    assert (lab.analyte, lab.entered_value, lab.value, lab.total_calcium, lab.albumin) == (
        "calcium",
        Decimal("2.3"),
        Decimal("2.3"),
        Decimal("2.1"),
        Decimal(30),
    )
    cell = page.locator("td", has=page.locator(".lab-adjusted"))
    expect(cell).to_contain_text("2.30 mmol/L")
    expect(cell).to_contain_text("(adjusted from total 2.1, albumin 30 g/L)")

    # The correction form opens with the total and albumin; saved unchanged, nothing changes.
    writes = audit_writes()
    page.goto(base + reverse("monitoring:lab_update", args=[patient.pk, lab.pk]))
    expect(page.locator("input[name=value]")).to_have_value("")
    expect(page.locator("input[name=total_calcium]")).to_have_value("2.1")
    expect(shown).to_contain_text("Adjusted calcium to be stored: 2.30 mmol/L")
    page.get_by_role("button", name="Save result").click()
    page.wait_for_load_state()
    lab.refresh_from_db()
    assert (lab.version, lab.entered_value, lab.total_calcium) == (
        1,
        Decimal("2.3"),
        Decimal("2.1"),
    )
    assert audit_writes() == writes
    assert csp_errors == []
