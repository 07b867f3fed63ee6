"""A nurse types lab results with a decimal comma in Chromium (nurse9 F14): what she typed reaches
the server (a number box dropped the comma as it was typed, 62,5 becoming 625) and is stored as
she meant it; a comma that could be a thousands separator is refused beside the field, as typed."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.models import LabResult
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import PatientFactory

pytestmark = BROWSER
TODAY = timezone.localdate()


@pytest.fixture
def patient(roles: None) -> Patient:
    site = north_general("nurse")
    patient: Patient = PatientFactory(site=site, mrn="COMMA-1", name="Comma Patient")
    return patient


def _open_lab_form(page: Page, base: str, patient: Patient) -> None:
    log_in(page, base, "nurse")
    page.goto(base + reverse("monitoring:labs_create", args=[patient.pk]))
    page.fill("input[name=sample_date]", TODAY.isoformat())


def test_a_decimal_comma_is_stored_as_a_decimal(
    live_server: object, page: Page, patient: Patient, screenshot: object
) -> None:
    csp_errors = watch_csp_errors(page)
    base = live_server.url  # type: ignore[attr-defined]
    _open_lab_form(page, base, patient)
    vitamin_d = page.locator("input[name=vitamin_d_25oh_value]")
    vitamin_d.press_sequentially("62,5")  # key by key, as a nurse types
    expect(vitamin_d).to_have_value("62,5")  # the browser kept the comma
    page.select_option("select[name=vitamin_d_25oh_unit]", "nmol/L")
    page.locator("input[name=creatinine_value]").press_sequentially("0,8")
    page.select_option("select[name=creatinine_unit]", "mg/dL")
    page.locator("input[name=egfr_value]").press_sequentially("85")  # its only unit, chosen
    page.get_by_role("button", name="Save results").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Results saved")).to_be_visible()

    saved = {lab.analyte: lab for lab in LabResult.objects.filter(patient=patient)}
    assert (saved["vitamin_d_25oh"].entered_value, saved["vitamin_d_25oh"].entered_unit) == (
        Decimal("62.5"),
        "nmol/L",
    )
    assert saved["creatinine"].entered_value == Decimal("0.8")
    assert saved["egfr"].entered_value == Decimal(85)
    assert csp_errors == []


def test_a_thousands_comma_is_refused_beside_the_field_as_typed(
    live_server: object, page: Page, patient: Patient, screenshot: object
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    _open_lab_form(page, base, patient)
    page.locator("input[name=vitamin_d_25oh_value]").press_sequentially("1,000")
    page.select_option("select[name=vitamin_d_25oh_unit]", "ng/mL")
    page.locator("input[name=calcium_value]").press_sequentially("2,3")
    page.select_option("select[name=calcium_unit]", "mmol/L")
    page.get_by_role("button", name="Save results").click()
    page.wait_for_load_state()

    expect(  # beside the field (the summary at the top repeats it)
        page.locator(".invalid-feedback").get_by_text(
            "Is this 1.000 or 1000? Type the one you mean"
        )
    ).to_be_visible()
    expect(page.locator("input[name=vitamin_d_25oh_value]")).to_have_value("1,000")
    expect(page.locator("input[name=calcium_value]")).to_have_value("2,3")
    screenshot("decimal-comma-refused")  # type: ignore[operator]
    assert not LabResult.objects.filter(patient=patient).exists()
