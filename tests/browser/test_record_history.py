"""A nurse opens a scan's history from the patient page, in Chromium (nurse12 F5): the History
link of the scan's row leads to the page that says what the scan read before it was corrected,
who corrected it, and that nothing was written but the view."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import DexaScan
from monitoring.models.choices import VertebralFractureAssessment
from monitoring.records.services.scans import Measurement, dexa_scan_record, dexa_scan_update
from tests.browser.clinic import BROWSER, log_in
from tests.factories import PatientFactory, ScannerFactory, SiteFactory, UserFactory

pytestmark = BROWSER
TODAY = timezone.localdate()
SITES = {
    "lumbar_spine": Measurement(bmd=Decimal("0.812"), t_score=Decimal("-2.6")),
    "total_hip": Measurement(bmd=Decimal("0.801"), t_score=Decimal("-1.2")),
}


@pytest.fixture
def scan(roles: None) -> DexaScan:
    """A scan recorded with a vertebral fracture, corrected to none by the nurse."""
    site = SiteFactory(name="North General", code="north")
    nurse = UserFactory(username="nurse", role="nurse", sites=[site])
    patient = PatientFactory(site=site, mrn="HIST-1", name="History Patient")
    scanner = ScannerFactory(site=site)
    values = {"scan_date": TODAY - dt.timedelta(days=5), "scanner": scanner}
    recorded = dexa_scan_record(
        actor=nurse,
        patient=patient,
        values={**values, "vertebral_fracture_assessment": VertebralFractureAssessment.FRACTURE},
        measurements=SITES,
    )
    return dexa_scan_update(
        actor=nurse,
        scan=recorded,
        values={**values, "vertebral_fracture_assessment": VertebralFractureAssessment.NO_FRACTURE},
        measurements=SITES,
        expected_version=recorded.version,
    )


def test_a_nurse_opens_a_scans_history_from_the_patient_page(
    page: Page, live_server: Any, scan: DexaScan, screenshot: Any
) -> None:
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}{reverse('monitoring:patient', args=[scan.patient_id])}")
    written = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
    page.locator("section[aria-labelledby=h-scans]").get_by_role(
        "link", name=f"History of the scan of {scan.scan_date.isoformat()}"
    ).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"History: DEXA scan of {scan.scan_date.isoformat()}"
    )
    changed = page.locator("tr", has_text="Changed")
    expect(changed).to_contain_text("VFA: Vertebral fracture seen → No vertebral fracture")
    expect(changed).to_contain_text("nurse")
    expect(page.locator("tr", has_text="Created")).to_contain_text("Vertebral fracture seen")
    screenshot("record-history")
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == written
    view = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("pk")
    assert view.changes["page"] == "monitoring:record_history"
