"""The figures' tick settings and the labels beside their lines, read from their JSON (nurse11 15:
P1NP ticked 10.1 / 20.2 / 30.4 / 40.5; the kidney panel's labels covered each other and the axis
title). tests/browser/test_labs_chart_labels.py reads the same from Chromium."""

import datetime as dt
import itertools
from typing import Any

import plotly.graph_objects as go
import pytest

from monitoring import domain
from monitoring.models import Scanner
from monitoring.overview import charts
from monitoring.overview.charts.labs import MARGIN, TAG_FONT_PX, TAG_GAP_PX, tag_shifts
from monitoring.overview.print_layout import for_print
from monitoring.overview.summary_fit import BMD_LEAST_HEIGHT_PX
from patients.models import Patient
from tests.monitoring.app.test_charts import AS_OF, _history, lab, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def labs_near_the_lines(patient: Patient) -> Patient:
    """eGFR between the 30 and 35 lines and far above them, vitamin D, calcium, CTX and P1NP."""
    lab(patient, dt.date(2024, 11, 2), "egfr", "95", "mL/min/1.73m2")
    lab(patient, dt.date(2025, 5, 2), "egfr", "33", "mL/min/1.73m2")
    lab(patient, dt.date(2025, 5, 2), "vitamin_d_25oh", "25", "ng/mL")
    lab(patient, dt.date(2025, 5, 2), "calcium", "2.30", "mmol/L")
    lab(patient, dt.date(2025, 5, 2), "ctx", "0.45", "ng/mL")
    lab(patient, dt.date(2025, 5, 2), "p1np", "45", "µg/L")
    return patient


def _axes(layout: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: axis for name, axis in layout.items() if name.startswith(("xaxis", "yaxis"))}


def test_no_axis_takes_another_axis_ticks(labs_near_the_lines: Patient) -> None:
    """An axis drawn over another (`overlaying`) picks its own round ticks: plotly.js 3 syncs it
    to the other axis's tick positions unless told otherwise."""
    figures = charts.patient_figures(_history(labs_near_the_lines), {}, as_of=AS_OF, static=False)
    overlaying = [
        (name, axis)
        for key in ("bmd_figure", "btm_figure", "labs_figure")
        if figures[key] is not None
        for name, axis in _axes(figures[key]["layout"]).items()
        if "overlaying" in axis
    ]
    assert overlaying  # the P1NP axis
    for name, axis in overlaying:
        assert axis.get("tickmode") in {"auto", "linear", "array"}, name
    btm = figures["btm_figure"]
    assert btm["layout"]["yaxis2"]["tickmode"] == "auto"
    go.Figure(btm)


def test_every_date_reads_yyyy_mm_dd(labs_near_the_lines: Patient) -> None:
    """nurse13 #10: the date axes' ticks and hover, and every trace's hover text naming its date,
    read 2025-05-02, as every date of the app, never plotly's "May 2 2025" or "May 2025"."""
    scanner = Scanner.objects.create(site=labs_near_the_lines.site, name="Hologic Horizon A")
    scan(labs_near_the_lines, scanner, dt.date(2024, 11, 2), "0.900", "-1.8")
    scan(labs_near_the_lines, scanner, dt.date(2025, 5, 2), "0.880", "-2.1")
    figures = charts.patient_figures(_history(labs_near_the_lines), {}, as_of=AS_OF, static=False)
    drawn = [figures[key] for key in ("bmd_figure", "btm_figure", "labs_figure")]
    assert all(drawn)
    for figure in drawn:
        date_axes = [a for a in _axes(figure["layout"]).values() if a.get("type") == "date"]
        assert date_axes
        for axis in date_axes:
            assert axis["tickformat"] == axis["hoverformat"] == "%Y-%m-%d"
        for trace in figure["data"]:
            hover = trace.get("hovertemplate", "")
            assert "%{x}" not in hover
            assert "%{x|" not in hover.replace("%{x|%Y-%m-%d}", ""), hover
        go.Figure(figure)


def _tags(figure: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in figure["layout"]["annotations"] if a.get("hovertext")]


def test_threshold_tags_sit_in_the_right_margin_and_apart(labs_near_the_lines: Patient) -> None:
    figure = charts.labs_figure(_history(labs_near_the_lines), domain.UnitSystem.SI, as_of=AS_OF)
    assert figure is not None
    go.Figure(figure)
    layout = figure["layout"]
    tags = _tags(figure)
    assert {tag["text"] for tag in tags} == {"< 50", "< 75", "< 2.12", "< 30", "< 35", "≤ 60"}
    plot_px = layout["height"] - MARGIN["t"] - MARGIN["b"]
    for tag in tags:
        # Right of the plot, where nothing else is drawn, and narrower than the margin.
        assert (tag["xref"], tag["x"], tag["xanchor"]) == ("x domain", 1, "left")
        assert tag["xshift"] + len(tag["text"]) * 0.65 * TAG_FONT_PX <= MARGIN["r"]
        # Small text, never over the axis title on the left.
        assert tag["font"]["size"] == TAG_FONT_PX
    for axis in {tag["yref"] for tag in tags}:
        scale = layout["yaxis" if axis == "y" else f"yaxis{axis[1:]}"]
        low, high = scale["range"]
        panel_px = (scale["domain"][1] - scale["domain"][0]) * plot_px
        placed = sorted(
            tag["y"] * panel_px / (high - low) + tag["yshift"]
            for tag in tags
            if tag["yref"] == axis
        )
        assert all(b - a >= TAG_GAP_PX - 0.1 for a, b in itertools.pairwise(placed))


def test_the_key_says_what_each_tag_means(labs_near_the_lines: Patient) -> None:
    history = _history(labs_near_the_lines)
    figure = charts.labs_figure(history, domain.UnitSystem.SI, as_of=AS_OF)
    key = charts.patient_figures(history, {}, as_of=AS_OF, static=False)["labs_key"]
    assert figure is not None
    assert [panel["heading"] for panel in key] == [
        "25-OH vitamin D (nmol/L)",
        "Adjusted calcium (mmol/L)",
        "Kidney function (mL/min/1.73 m²)",
    ]
    assert [line for panel in key for line in panel["lines"]] == [
        tag["hovertext"] for tag in _tags(figure)
    ]
    kidney = key[2]["lines"]
    assert kidney[1] == "below 35 mL/min/1.73 m²: no zoledronic acid; no alendronate"


@pytest.mark.parametrize(
    ("levels", "shifts"),
    [
        ([50.0, 75.0], [0.0, 0.0]),  # far apart: where their lines are
        ([30.0, 35.0, 60.0], [0.0, 3.0, 0.0]),  # 10 px apart at 2 px a unit: 13 px
        ([35.0, 30.0, 31.0], [16.0, 0.0, 11.0]),  # in any order, a run pushed up together
    ],
)
def test_close_tags_move_apart(levels: list[float], shifts: list[float]) -> None:
    assert tag_shifts(levels, 2.0) == shifts


def _margin_labels(figure: dict[str, Any]) -> list[str]:
    return [a["text"] for a in figure["layout"]["annotations"] if a.get("yref") == "y2"]


def test_a_short_printed_t_panel_leaves_the_t_2_label_to_the_caption(patient: Patient) -> None:
    """On a summary's chart at its least height a T-score unit is too short for "Osteopenia"
    (hung from T -1.0) to clear the T -2.0 line's label: the printed chart leaves that one out
    (the caption names the dotted line, the axis ticks -2); the screen's chart keeps it."""
    scanner = Scanner.objects.create(site=patient.site, name="Lunar", lsc_lumbar_spine="0.028")
    scan(patient, scanner, dt.date(2023, 5, 1), "0.930", "-1.0")
    scan(patient, scanner, dt.date(2025, 5, 1), "0.880", "-1.5")
    figure = charts.bmd_figure(_history(patient), {}, as_of=AS_OF)
    assert figure is not None
    assert _margin_labels(figure) == ["Osteopenia", "T \u22122.0", "Osteoporosis"]
    short = for_print({"bmd_figure": figure}, bmd_height=BMD_LEAST_HEIGHT_PX)["bmd_figure"]
    assert _margin_labels(short) == ["Osteopenia", "Osteoporosis"]
    tall = for_print({"bmd_figure": figure}, bmd_height=400)["bmd_figure"]
    assert _margin_labels(tall) == _margin_labels(figure)
    go.Figure(short)
