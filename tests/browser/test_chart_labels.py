"""The BMD chart on a phone (390 x 844, Chromium): no label of the chart touches another, and the
bands' labels touch no marker, estimate or its "estimate" text (issue 17).

Read from the SVG plotly draws: the bounding boxes of the annotations' text, of every marker
point and of the traces' text labels.
"""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import DexaMeasurement, DexaScan, Scanner
from tests.browser.clinic import BROWSER, log_in, north_general
from tests.factories import (
    AromataseInhibitorCourseFactory,
    PatientFactory,
)

pytestmark = BROWSER
TODAY = timezone.localdate()
PHONE = {"width": 390, "height": 844}
BAND_LABELS = ("Osteopenia", "Osteoporosis", "T \u22122.0")

# What the page's SVG holds, as boxes: {"text", "x", "y", "width", "height"}.
READ_BOXES = """(chart) => {
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return {text: element.textContent, x: r.x, y: r.y, width: r.width, height: r.height};
  };
  return {
    annotations: [...chart.querySelectorAll("g.annotation text.annotation-text")].map(box),
    points: [...chart.querySelectorAll(".scatterlayer .trace .points path.point")].map(box),
    texts: [...chart.querySelectorAll(".scatterlayer .trace .textpoint text")]
      .filter((text) => text.textContent)
      .map(box),
    plots: [...chart.querySelectorAll(".draglayer .nsewdrag")].map(box),
    ticks: [...chart.querySelectorAll("g.xtick text")].map(box),
  };
}"""


def _meet(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two boxes overlap or touch."""
    return (
        a["x"] <= b["x"] + b["width"]
        and b["x"] <= a["x"] + a["width"]
        and a["y"] <= b["y"] + b["height"]
        and b["y"] <= a["y"] + a["height"]
    )


@pytest.fixture
def crowded_patient(roles: None) -> Any:
    """What crowded the chart before: letrozole for five months, then anastrozole (two period
    labels side by side), four yearly scans whose T-scores sit near the band edges and the
    T -2.0 line, and estimates drawn from the last one towards -2.0 and -2.5 at the right edge."""
    site = north_general("nurse")
    patient = PatientFactory(site=site, mrn="PHONE-1", name="Phone Patient")
    start = TODAY - dt.timedelta(days=4 * 365 + 60)
    AromataseInhibitorCourseFactory(
        patient=patient,
        drug="letrozole",
        start_date=start,
        stop_date=start + dt.timedelta(days=150),
        stop_reason="side effects",
    )
    AromataseInhibitorCourseFactory(
        patient=patient, drug="anastrozole", start_date=start + dt.timedelta(days=157)
    )
    scanner = Scanner.objects.create(site=site, name="Hologic Horizon A")
    rows = (
        ("lumbar_spine", "0.900", "-1.4", "-0.030", "-0.25"),
        ("total_hip", "0.790", "-1.3", "-0.020", "-0.17"),
        ("femoral_neck", "0.660", "-1.7", "-0.010", "-0.08"),
    )
    for year in range(4):
        scan = DexaScan.objects.create(
            patient=patient,
            scan_date=start + dt.timedelta(days=30 + 365 * year),
            scanner=scanner,
        )
        for site_name, bmd, t_score, bmd_step, t_step in rows:
            DexaMeasurement.objects.create(
                scan=scan,
                site=site_name,
                bmd=Decimal(bmd) + Decimal(bmd_step) * year,
                t_score=Decimal(t_score) + Decimal(t_step) * year,
            )
    patient_assessment_refresh(patient=patient)
    return patient


def test_on_a_phone_the_bmd_charts_labels_touch_nothing(
    live_server: Any, page: Page, crowded_patient: Any
) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/patients/{crowded_patient.pk}/")
    chart = page.locator("[data-chart='bmd-chart']")
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator(".legendtext", has_text="estimate").first).to_be_attached()
    boxes = chart.evaluate(READ_BOXES)

    annotations = boxes["annotations"]
    names = [a["text"] for a in annotations]
    for band_label in BAND_LABELS:
        assert any(name.startswith(band_label) for name in names), band_label
    assert any(name.startswith("Letrozole") for name in names)
    assert any(name.startswith("Anastrozole") for name in names)
    assert boxes["points"]  # the markers were drawn, so the check below is not empty
    plot_right = max(plot["x"] + plot["width"] for plot in boxes["plots"])
    for n, first in enumerate(annotations):
        for second in annotations[n + 1 :]:
            assert not _meet(first, second), (first, second)
    for band in (a for a in annotations if a["text"].startswith(BAND_LABELS)):
        for point in boxes["points"]:
            assert not _meet(band, point), (band, point)
        for text in boxes["texts"]:
            assert not _meet(band, text), (band, text)
        # In the margin, right of the plot, and inside the chart: nothing drawn there to meet.
        assert band["x"] >= plot_right
        assert band["x"] + band["width"] <= PHONE["width"]


@pytest.mark.parametrize(
    "viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
def test_the_date_axis_reads_yyyy_mm_dd_and_its_ticks_touch_nothing(
    live_server: Any, page: Page, crowded_patient: Any, viewport: dict[str, int]
) -> None:
    """nurse13 #10: ticks read 2026-11-01, never "Nov 1 2026" or "Nov 2026"."""
    page.set_viewport_size(viewport)
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/patients/{crowded_patient.pk}/")
    chart = page.locator("[data-chart='bmd-chart']")
    expect(chart).to_have_attribute("data-drawn", "true")
    ticks = chart.evaluate(READ_BOXES)["ticks"]
    assert len(ticks) >= 2
    for tick in ticks:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", tick["text"]), tick["text"]
        assert tick["x"] >= 0
        assert tick["x"] + tick["width"] <= viewport["width"]
    for n, first in enumerate(ticks):
        for second in ticks[n + 1 :]:
            assert not _meet(first, second), (first, second)
