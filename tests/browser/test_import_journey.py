"""A nurse imports a results CSV in a real browser: upload, preview (nothing saved), confirm."""

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import DexaScan, LabResult, Scanner
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.factories import PatientFactory
from tests.monitoring.imports.helpers import results_csv

pytestmark = BROWSER

ROWS = [
    {"mrn": "IMPORT-1", "date": "2025-03-01", "measure": "lumbar_spine", "value": "0.912",
     "unit": "g/cm2", "scanner": "Lunar", "t_score": "-1.2"},
    {"mrn": "IMPORT-1", "date": "2025-03-01", "measure": "total_hip", "value": "0.801",
     "unit": "g/cm2", "scanner": "Lunar", "t_score": "-1.0"},
    {"mrn": "IMPORT-1", "date": "2025-03-02", "measure": "ctx", "value": "0.45",
     "unit": "ng/mL", "fasting": "yes"},
]  # fmt: skip


def test_upload_preview_confirm(
    live_server: Any, page: Page, roles: None, tmp_path: Path, screenshot: Any
) -> None:
    site = north_general("nurse")
    patient = PatientFactory(site=site, mrn="IMPORT-1", name="Import Patient")
    Scanner.objects.create(site=site, name="Lunar")
    csv_file = tmp_path / "results.csv"
    csv_file.write_text(results_csv(ROWS), encoding="utf-8")
    csp_errors = watch_csp_errors(page)
    base = live_server.url

    bad_file = tmp_path / "bad.csv"
    bad_file.write_text(results_csv([*ROWS, dict(ROWS[2], unit="mmol/L")]), encoding="utf-8")

    log_in(page, base, "nurse")
    page.goto(f"{base}/patients/")
    page.get_by_role("link", name="Import results").click()
    expect(page.get_by_role("heading", name="Import results")).to_be_visible()
    screenshot("import-upload")
    page.get_by_label("File to check").set_input_files(str(bad_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#import-problems")).to_contain_text("unit 'mmol/L' is not allowed for CTX")
    expect(page.get_by_role("button", name="Confirm the import")).to_have_count(0)
    screenshot("import-refused")
    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("File to check").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()

    expect(page.locator("#import-summary")).to_contain_text(
        "1 DEXA scan and 1 lab result for 1 patient"
    )
    expect(page.get_by_text("Lumbar spine (L1-L4) 0.912 g/cm², T -1.2")).to_be_visible()
    screenshot("import-preview")
    assert not DexaScan.objects.exists()  # the preview saved nothing

    second_tab = page.context.new_page()  # the same preview, open twice
    second_tab.goto(page.url)
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_role("status").first).to_contain_text("results.csv imported")
    assert DexaScan.objects.get(patient=patient).measurements.count() == 2
    assert LabResult.objects.get(patient=patient).fasting
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, patient=patient).exists()

    second_tab.get_by_role("button", name="Confirm the import").click()  # a double confirm
    expect(second_tab.get_by_role("status").first).to_contain_text("Nothing was written")
    assert DexaScan.objects.count() == 1
    assert csp_errors == []
