"""nurse14 #2 in Chromium: a nurse records an eGFR of 40 and a creatinine of 150 µmol/L of one
sample for a woman of 65, 54 kg, on the lab form; the labs chart then draws the Cockcroft-Gault
clearance of 28.2 mL/min beside the eGFR and rings it as the value the rules judge, below the
"< 35" line where the eGFR sits above it; the key names both units, and the creatinine's flag
says the clearance is low (#5).

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
