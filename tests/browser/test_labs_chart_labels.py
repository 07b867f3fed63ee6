"""The labs and bone-turnover charts on a desktop and a phone (Chromium): the threshold tags of
the labs chart touch neither each other nor an axis title, and the P1NP axis reads round numbers
(nurse11 15: the kidney panel's labels overlapped, and P1NP was ticked 10.1 / 20.2 / 30.4 / 40.5).

Read from the SVG plotly draws: the bounding boxes of the annotations' text, the axis titles and
the plot areas, and the text of the tick labels."""

import datetime as dt
import itertools
import math
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.clinic import BROWSER, log_in, north_general
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_chart_labels import _meet
from tests.factories import LabResultFactory, PatientFactory

pytestmark = BROWSER
TODAY = timezone.localdate()
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 800}}

READ_BOXES = """(chart) => {
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return {text: element.textContent, x: r.x, y: r.y, width: r.width, height: r.height};
  };
  return {
    chart: box(chart),
    tags: [...chart.querySelectorAll("g.annotation text.annotation-text")].map(box),
    titles: [...chart.querySelectorAll(".g-ytitle text, .g-y2title text, .g-y3title text")]
      .map(box),
    plots: [...chart.querySelectorAll(".draglayer .nsewdrag")].map(box),
    ticks: Object.fromEntries(["y", "y2"].map((axis) => [axis,
      [...chart.querySelectorAll(`.${axis}tick text`)].map((t) => t.textContent)])),
  };
}"""


@pytest.fixture
def kidney_patient(roles: None) -> Any:
    """Results near the kidney thresholds (35 and 30 mL/min/1.73m2, 15 pixels apart), vitamin D,
    calcium, and the CTX and P1NP of one sample (P1NP alone on its axis)."""
    site = north_general("nurse")
    patient = PatientFactory(site=site, mrn="LABS-1", name="Labs Patient")
    results = (
        (200, "egfr", "78", "mL/min/1.73m2"),
        (30, "egfr", "33", "mL/min/1.73m2"),
        (30, "vitamin_d_25oh", "34", "ng/mL"),
        (30, "calcium", "2.36", "mmol/L"),
        (3, "ctx", "0.45", "ng/mL"),
        (3, "p1np", "45", "µg/L"),
    )
    for days, analyte, value, unit in results:
        LabResultFactory(
            patient=patient,
            sample_date=TODAY - dt.timedelta(days=days),
            analyte=analyte,
            value=Decimal(value),
            entered_value=Decimal(value),
            entered_unit=unit,
            fasting=True,
        )
    return patient


def _round_ticks(ticks: list[str]) -> bool:
    """Whether tick labels step by a round number (1, 2, 2.5 or 5 times a power of ten) from a
    multiple of it: 0, 10, 20, 30, not 0, 10.1, 20.2, 30.4."""
    values = [float(tick.replace("\u2212", "-")) for tick in ticks]
    steps = {round(b - a, 9) for a, b in itertools.pairwise(values)}
    if len(steps) != 1:
        return False
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, nice) for nice in (1, 2, 2.5, 5)) and all(
        math.isclose(value / step, round(value / step), abs_tol=1e-6) for value in values
    )


@pytest.mark.parametrize("size", SIZES)
def test_lab_chart_tags_touch_nothing_and_p1np_ticks_are_round(
    live_server: Any, page: Page, kidney_patient: Any, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    log_in(page, live_server.url, "nurse")
    page.goto(f"{live_server.url}/patients/{kidney_patient.pk}/")
    labs = page.locator("[data-chart='labs-chart']")
    btm = page.locator("[data-chart='btm-chart']")
    expect(labs).to_have_attribute("data-drawn", "true", timeout=30_000)
    expect(btm).to_have_attribute("data-drawn", "true", timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("figure", has=labs).screenshot(path=ARTIFACTS / f"labs-chart-{size}.png")
    btm.screenshot(path=ARTIFACTS / f"btm-chart-{size}.png")

    boxes = labs.evaluate(READ_BOXES)
    tags = boxes["tags"]
    assert sorted(tag["text"] for tag in tags) == sorted(
        ["< 50", "< 75", "< 2.12", "< 30", "< 35", "\u2264 60"]
    )
    plot_right = max(plot["x"] + plot["width"] for plot in boxes["plots"])
    chart = boxes["chart"]
    for n, tag in enumerate(tags):
        for other in tags[n + 1 :]:
            assert not _meet(tag, other), (tag, other)
        for title in boxes["titles"]:
            assert not _meet(tag, title), (tag, title)
        # In the right margin, inside the chart.
        assert tag["x"] >= plot_right
        assert tag["x"] + tag["width"] <= chart["x"] + chart["width"] + 1
    # The key under the chart says what each line means.
    key = page.locator(".labs-key")
    expect(key).to_contain_text("below 35 mL/min/1.73 m²: no zoledronic acid; no alendronate")
    expect(key).to_contain_text("at or below 60 mL/min/1.73 m²: reduced kidney function")

    ticks = btm.evaluate(READ_BOXES)["ticks"]
    assert ticks["y2"], "the P1NP axis has ticks"
    assert _round_ticks(ticks["y"]), ticks
    assert _round_ticks(ticks["y2"]), ticks
