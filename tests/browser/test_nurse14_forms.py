"""What nurse14's form findings look like in Chromium (#4, #8, #11, #13): one message for a
future stop date, a duplicate's link opening the record recorded in a new tab (the scan, the
patient holding an MRN), the error summary in the form's order, and the lab edit form's units
following its analyte. Each form opened and saved unchanged changes nothing."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import DexaScan, LabResult
from monitoring.models.labs import canonical_value
from patients.models import AromataseInhibitorCourse, Patient
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
    ScannerFactory,
)

pytestmark = BROWSER
TODAY = timezone.localdate()
UNCHANGED = "Nothing was changed: the record is as it was."


@pytest.fixture
def site(roles: None) -> Site:
    return north_general("nurse")


@pytest.fixture
def patient(site: Site) -> Patient:
    patient: Patient = PatientFactory(site=site, mrn="NB-14-001", name="Margaret O'Brien")
    return patient


def _changes() -> int:
    return AuditEvent.objects.filter(action__in=[AuditAction.CREATE, AuditAction.CHANGE]).count()


def _options(page: Page, name: str) -> list[str]:
    values: list[str] = page.locator(f"select[name={name}] option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    return values


def test_a_future_stop_date_says_one_thing_and_an_unchanged_save_changes_nothing(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    course = AromataseInhibitorCourseFactory(
        patient=patient, start_date=TODAY - dt.timedelta(days=17)
    )
    csp_errors = watch_csp_errors(page)
    changes = _changes()
    log_in(page, live_server.url, "nurse")
    url = live_server.url + reverse("patients:ai_course_update", args=[patient.pk, course.pk])
    page.goto(url)
    later = TODAY + dt.timedelta(days=65)
    page.fill("input[name=stop_date]", later.isoformat())
    page.fill("input[name=stop_reason]", "side effects")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    beside = page.locator("#div_id_stop_date")
    expect(beside).to_contain_text("cannot be in the future")
    expect(beside).not_to_contain_text("Enter the stop date")
    expect(page.locator("input[name=stop_date]")).to_have_value(later.isoformat())
    screenshot("nurse14-ai-stop-future")
    page.goto(url)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.get_by_text(UNCHANGED)).to_be_visible()
    stored = AromataseInhibitorCourse.objects.get(pk=course.pk)
    assert (stored.stop_date, stored.stop_reason, stored.version) == (None, "", course.version)
    assert _changes() == changes
    assert csp_errors == []


def test_a_second_scan_of_the_day_opens_the_one_recorded_in_a_new_tab(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    scanner = ScannerFactory(site=patient.site, name="GE Lunar iDXA")
    scanned = DexaScanFactory(patient=patient, scan_date=TODAY, scanner=scanner)
    csp_errors = watch_csp_errors(page)
    changes = _changes()
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:scan_create", args=[patient.pk]))
    page.fill("input[name=scan_date]", TODAY.isoformat())
    page.select_option("select[name=scanner]", label="GE Lunar iDXA")
    page.fill("input[name=total_hip_bmd]", "0.801")
    page.fill("input[name=total_hip_t_score]", "-1.2")
    page.get_by_role("button", name="Save scan").click()
    page.wait_for_load_state()
    beside = page.locator("#div_id_scan_date")
    expect(beside).to_contain_text("correct that one instead. Open that scan (opens in a new tab)")
    screenshot("nurse14-scan-duplicate-link")
    with page.context.expect_page() as opened:
        beside.get_by_role("link", name="Open that scan").click()
    edit = opened.value
    edit.wait_for_load_state()
    assert edit.url.endswith(reverse("monitoring:scan_update", args=[patient.pk, scanned.pk]))
    expect(page.locator("input[name=total_hip_bmd]")).to_have_value("0.801")  # still there
    edit.get_by_role("button", name="Save scan").click()
    edit.wait_for_load_state()
    expect(edit.get_by_text(UNCHANGED)).to_be_visible()
    assert DexaScan.objects.count() == 1
    assert DexaScan.objects.get().version == scanned.version
    assert _changes() == changes
    assert csp_errors == []


def test_the_error_summary_names_the_fields_in_the_form_s_order(
    live_server: Any, page: Page, patient: Patient
) -> None:
    ScannerFactory(site=patient.site, name="GE Lunar iDXA")
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:scan_create", args=[patient.pk]))
    page.fill("input[name=scan_date]", TODAY.isoformat())
    page.select_option("select[name=scanner]", label="GE Lunar iDXA")
    page.fill("input[name=lumbar_spine_bmd]", "9.12")
    page.fill("input[name=lumbar_spine_t_score]", "-1.2")
    page.fill("input[name=trabecular_bone_score]", "1350")
    page.get_by_role("button", name="Save scan").click()
    page.wait_for_load_state()
    links = page.locator("[data-error-summary] a[data-error-field]").all_inner_texts()
    assert [link.split(" ")[0] for link in links] == ["Lumbar", "Trabecular"], links
    assert not DexaScan.objects.exists()


def test_the_lab_edit_form_offers_the_units_of_the_analyte_shown(
    live_server: Any, page: Page, patient: Patient, screenshot: Any
) -> None:
    lab = LabResultFactory(
        patient=patient,
        sample_date=TODAY - dt.timedelta(days=5),
        value=canonical_value("vitamin_d_25oh", 45, "nmol/L"),
        entered_value=45,
        entered_unit="nmol/L",
    )
    csp_errors = watch_csp_errors(page)
    changes = _changes()
    log_in(page, live_server.url, "nurse")
    url = live_server.url + reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    page.goto(url)
    assert _options(page, "unit") == ["", "ng/mL", "nmol/L"]
    expect(page.locator("select[name=unit]")).to_have_value("nmol/L")
    page.select_option("select[name=analyte]", "egfr")
    assert _options(page, "unit") == ["mL/min/1.73m2"]
    expect(page.locator("select[name=unit]")).to_have_value("mL/min/1.73m2")
    page.select_option("select[name=analyte]", "ctx")
    assert _options(page, "unit") == ["", "ng/mL", "pg/mL"]
    expect(page.locator("select[name=unit]")).to_have_value("")  # asked, never guessed
    page.select_option("select[name=unit]", "ng/mL")
    page.select_option("select[name=analyte]", "p1np")
    expect(page.locator("select[name=unit]")).to_have_value("ng/mL")  # still accepted: kept
    screenshot("nurse14-lab-edit-units")
    # Opened again and saved unchanged: nothing changes.
    page.goto(url)
    page.get_by_role("button", name="Save result").click()
    page.wait_for_load_state()
    expect(page.get_by_text(UNCHANGED)).to_be_visible()
    stored = LabResult.objects.get(pk=lab.pk)
    assert (stored.analyte, stored.entered_value, stored.entered_unit, stored.version) == (
        "vitamin_d_25oh",
        45,
        "nmol/L",
        1,
    )
    assert _changes() == changes
    assert csp_errors == []


def test_a_taken_mrn_links_to_the_patient_in_a_new_tab(
    live_server: Any, page: Page, patient: Patient, site: Site
) -> None:
    csp_errors = watch_csp_errors(page)
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("patients:create"))
    page.fill("input[name=mrn]", "NB-14-001")
    page.fill("input[name=name]", "Margaret O'Brien")
    page.fill("input[name=birth_date]", "1957-02-02")
    page.select_option("select[name=menopausal_status]", "postmenopausal")
    page.get_by_role("button", name="Save patient").click()
    page.wait_for_load_state()
    beside = page.locator("#div_id_mrn")
    expect(beside).to_contain_text(f"MRN NB-14-001 is already registered at {site}.")
    with page.context.expect_page() as opened:
        beside.get_by_role("link", name="Open that patient's page").click()
    her_page = opened.value
    her_page.wait_for_load_state()
    assert her_page.url.endswith(reverse("monitoring:patient", args=[patient.pk]))
    expect(her_page.get_by_role("heading", level=1)).to_contain_text("Margaret O'Brien")
    assert Patient.objects.count() == 1
    assert csp_errors == []
