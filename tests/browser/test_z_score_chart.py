"""physician11 F7 in Chromium: a premenopausal patient's page draws the BMD chart with a Z-score
panel and no WHO bands, shows no projected T-score, and says why in one line."""

import datetime as dt
from typing import Any, cast

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bonehealth.accounts.models import Site
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import DexaMeasurement, DexaScan, Scanner
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in
from tests.factories import (
    AromataseInhibitorCourseFactory,
    PatientFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = BROWSER
TODAY = timezone.localdate()

READ_CHART = """(chart) => ({
  annotations: [...chart.querySelectorAll("g.annotation text.annotation-text")]
    .map((e) => e.textContent),
  axisTitles: [...chart.querySelectorAll(".g-y2title text, .g-ytitle text")]
    .map((e) => e.textContent),
  bands: chart._fullLayout.shapes.filter((s) => s.type === "rect" && s.yref === "y2").length,
  estimates: chart.data.filter((t) => t.name.includes("estimate")).length,
})"""


@pytest.fixture
def premenopausal(roles: None) -> Any:
    """On ovarian suppression with exemestane, two scans with Z-scores: the rules project her
    T-score at the ATAC rates, which the page is not to show."""
    site = cast(Site, SiteFactory(name="North General", code="north"))
    UserFactory(username="physician", role="physician", sites=[site])
    patient = cast(
        Patient,
        PatientFactory(
            site=site,
            mrn="PRE-1",
            name="Premenopausal Patient",
            birth_date=TODAY - dt.timedelta(days=41 * 366),
            menopausal_status="premenopausal",
        ),
    )
    AromataseInhibitorCourseFactory(
        patient=patient, drug="exemestane", start_date=TODAY - dt.timedelta(days=800)
    )
    scanner = Scanner.objects.create(site=site, name="Hologic Horizon A")
    for years_ago, spine, z_score in ((2, "0.940", "-0.9"), (1, "0.930", "-1.0")):
        scan = DexaScan.objects.create(
            patient=patient, scan_date=TODAY - dt.timedelta(days=365 * years_ago), scanner=scanner
        )
        DexaMeasurement.objects.create(
            scan=scan, site="lumbar_spine", bmd=spine, t_score="-1.0", z_score=z_score
        )
    patient_assessment_refresh(patient=patient)
    assert patient.assessment.data["projections"]  # the rules still project
    return patient


def test_the_premenopausal_page_has_no_bands_and_no_projection(
    live_server: Any, page: Page, premenopausal: Any
) -> None:
    log_in(page, live_server.url, "physician")
    page.goto(f"{live_server.url}/patients/{premenopausal.pk}/")
    chart = page.locator("[data-chart='bmd-chart']")
    expect(chart).to_have_attribute("data-drawn", "true")
    seen = chart.evaluate(READ_CHART)
    assert seen["bands"] == 0
    assert seen["estimates"] == 0
    assert "Osteopenia" not in seen["annotations"]
    assert "Osteoporosis" not in seen["annotations"]
    assert "Z \u22122.0" in seen["annotations"]
    assert "Z-score" in seen["axisTitles"]
    expect(page.get_by_text("Projected T-score (estimate)")).to_have_count(0)
    expect(page.get_by_role("table", name="Projected T-score (estimate)")).to_have_count(0)
    expect(page.get_by_text("No WHO bands or projected T-score")).to_be_visible()
    expect(page.get_by_role("heading", name="BMD and Z-score over time")).to_be_visible()
