"""nurse14 #2 in Chromium: a nurse records an eGFR of 40 and a creatinine of 150 µmol/L of one
sample for a woman of 65, 54 kg, on the lab form; the labs chart then draws the Cockcroft-Gault
clearance of 28.2 mL/min beside the eGFR and rings it as the value the rules judge, below the
"< 35" line where the eGFR sits above it; the key names both units, and the creatinine's flag
says the clearance is low (#5).

followups14: a creatinine newer than the eGFR judged, its estimate below zoledronic acid's limit,
reads as "kidney function to measure" on hover, in the key and in the labs table's flag.

Read from the SVG plotly draws: the legend, each trace's points (by the trace each point group
is bound to) and the threshold tags."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general, watch_csp_errors
from tests.browser.conftest import ARTIFACTS
from tests.factories import PatientFactory

pytestmark = BROWSER
TODAY = timezone.localdate()
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ESTIMATE = "Cockcroft-Gault clearance (mL/min)"
RING = "Judged by the rules"

READ_CHART = """(chart) => {
  const middle = (element) => {
    const r = element.getBoundingClientRect();
    return r.y + r.height / 2;
  };
  const points = {};
  for (const group of chart.querySelectorAll("g.trace.scatter")) {
    const name = group.__data__[0].trace.name;
    points[name] = [...group.querySelectorAll("path.point")].map(middle);
  }
  return {
    legend: [...chart.querySelectorAll(".legend .legendtext")].map((t) => t.textContent),
    points: points,
    tags: Object.fromEntries([...chart.querySelectorAll("g.annotation")].map(
      (a) => [a.textContent, middle(a.querySelector("text"))])),
  };
}"""


@pytest.fixture
def zofia(roles: None) -> Patient:
    site = north_general("nurse")
    patient: Patient = PatientFactory(
        site=site,
        mrn="NB-14-002",
        name="Zofia Kowalczyk",
        birth_date=dt.date(TODAY.year - 65, 1, 1),
        weight_kg=Decimal(54),
    )
    return patient


@pytest.mark.parametrize("size", SIZES)
def test_the_kidney_chart_shows_the_clearance_the_rules_judge(
    live_server: Any, page: Page, zofia: Patient, size: str
) -> None:
    csp_errors = watch_csp_errors(page)
    page.set_viewport_size(SIZES[size])
    base = live_server.url
    log_in(page, base, "nurse")
    page.goto(base + reverse("monitoring:labs_create", args=[zofia.pk]))
    page.fill("input[name=sample_date]", TODAY.isoformat())
    page.fill("input[name=egfr_value]", "40")
    page.fill("input[name=creatinine_value]", "150")
    page.select_option("select[name=creatinine_unit]", "µmol/L")
    page.fill("input[name=vitamin_d_25oh_value]", "80")
    page.select_option("select[name=vitamin_d_25oh_unit]", "nmol/L")
    page.fill("input[name=calcium_value]", "2.35")
    page.select_option("select[name=calcium_unit]", "mmol/L")
    page.get_by_role("button", name="Save results").click()
    page.wait_for_load_state()

    page.goto(base + reverse("monitoring:patient", args=[zofia.pk]))
    chart = page.locator("[data-chart='labs-chart']")
    expect(chart).to_have_attribute("data-drawn", "true", timeout=30_000)
    figure = page.locator("figure", has=chart)
    ARTIFACTS.mkdir(exist_ok=True)
    figure.screenshot(path=ARTIFACTS / f"kidney-chart-judged-{size}.png")

    drawn = chart.evaluate(READ_CHART)
    assert len(drawn["legend"]) == 5  # vitamin D, calcium and the kidney panel's three
    assert {"eGFR (mL/min/1.73 m²)", ESTIMATE, RING} <= set(drawn["legend"])
    (egfr,) = drawn["points"]["eGFR (mL/min/1.73 m²)"]
    (estimate,) = drawn["points"][ESTIMATE]
    (ring,) = drawn["points"][RING]
    below_35 = drawn["tags"]["< 35"]
    # Screen y grows downwards: the ring sits on the estimate, below the "< 35" line's tag; the
    # eGFR above it.
    assert abs(ring - estimate) < 3  # a triangle's box is not centred on its point
    assert ring > below_35 > egfr

    key = page.locator(".labs-key")
    expect(key).to_contain_text("Kidney function (mL/min/1.73 m², mL/min)")
    expect(key).to_contain_text("Ringed: the kidney function the rules judge of each sample")
    rows = page.locator("table.labs-table tbody tr")
    creatinine = rows.filter(has=page.locator("td.cell-analyte", has_text="Creatinine"))
    expect(creatinine.locator(".badge")).to_have_text("▼ low clearance")
    assert csp_errors == []


@pytest.mark.parametrize("size", SIZES)
def test_a_newer_creatinine_below_the_limit_asks_for_kidney_function(
    live_server: Any, page: Page, roles: None, size: str
) -> None:
    """followups14 (phys14 #1's patient): a woman of 78, 48 kg, on zoledronic acid, eGFR 80 then
    a creatinine of 160 µmol/L alone (19.4 mL/min). RENAL raises "Kidney function to measure";
    the chart's point for that estimate, its key and the labs table's flag say so (they said
    "information only"), and the key's date stays whole on a phone."""
    from monitoring.assessment.refresh import patient_assessment_refresh
    from tests.browser.test_phone_width import BROKEN_OVER_LINES
    from tests.factories import LabResultFactory, course_with_a_dose_due

    says = "below zoledronic acid's 35 mL/min limit: kidney function to measure before the infusion"
    sampled = TODAY - dt.timedelta(days=10)
    site = north_general("nurse")
    patient: Patient = PatientFactory(
        site=site,
        mrn="NB-14-003",
        name="Teresa Nowak",
        birth_date=dt.date(sampled.year - 78, 1, 1),
        weight_kg=Decimal(48),
    )
    course_with_a_dose_due(patient, "zoledronic_acid", days=180, since=180)
    LabResultFactory(
        patient=patient,
        sample_date=sampled,
        analyte="creatinine",
        value=Decimal(160),
        entered_value=Decimal(160),
        entered_unit="µmol/L",
    )
    patient_assessment_refresh(patient=patient)

    csp_errors = watch_csp_errors(page)
    page.set_viewport_size(SIZES[size])
    log_in(page, live_server.url, "nurse")
    page.goto(live_server.url + reverse("monitoring:patient", args=[patient.pk]))
    chart = page.locator("[data-chart='labs-chart']")
    expect(chart).to_have_attribute("data-drawn", "true", timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("figure", has=chart).screenshot(
        path=ARTIFACTS / f"kidney-chart-to-measure-{size}.png"
    )
    # Before the hover: plotly's hover label sets a style attribute for its bold name, which the
    # policy refuses whatever the point (the words still show).
    assert csp_errors == []

    # The estimate's point, hovered as a nurse hovers it.
    index = chart.evaluate(
        "(chart, name) => [...chart.querySelectorAll('g.trace.scatter')]"
        ".findIndex((group) => group.__data__[0].trace.name === name)",
        ESTIMATE,
    )
    estimate = chart.locator("g.trace.scatter").nth(index)
    estimate.locator("path.point").last.hover(force=True)
    expect(chart.locator(".hoverlayer")).to_contain_text("kidney function to measure")

    key = page.locator(".labs-key")
    expect(key).to_contain_text(
        f"the clearance of the creatinine of {sampled.isoformat()}, newer than the kidney "
        f"function judged, is {says}"
    )
    rows = page.locator("table.labs-table tbody tr")
    creatinine = rows.filter(has=page.locator("td.cell-analyte", has_text="Creatinine"))
    expect(creatinine.locator(".badge")).to_have_text("▼ low clearance")
    expect(creatinine).to_contain_text(says)
    expect(page.get_by_text("Kidney function to measure").first).to_be_visible()
    # Every date whole, the alert's too ("2026-11-" / "18" at 390 px).
    assert page.evaluate(BROKEN_OVER_LINES, [patient.mrn]) == []
