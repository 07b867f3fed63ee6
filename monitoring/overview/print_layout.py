"""Charts laid out for a printed A4 sheet rather than a screen.

On screen a chart fills its box and redraws when the window changes. On paper the box is narrower
than the screen the page was opened on, so a responsive chart printed with its x-axis labels cut
off and its legend over the plot. A printout's chart has a fixed size that fits the sheet (the
sheet is 186 mm wide inside its margins: 700 CSS pixels), its legend in a band below the x-axis,
and no controls (nor the estimates in the legend). The BMD chart keeps its right margin, where its
bands are labelled, and a row above the plot for each treatment period's label.
"""

from collections.abc import Mapping
from typing import Any

from monitoring.overview.charts.score_panel import BAND_LABEL_MARGIN_PX

PRINT_WIDTH_PX = 700
# 210: a long list of alerts and recommendations still fits the sheet (bench/printout_pages.py)
PRINT_HEIGHT_PX = {"bmd_figure": 210, "btm_figure": 150}
PRINT_RIGHT_MARGIN_PX = {"bmd_figure": BAND_LABEL_MARGIN_PX, "btm_figure": 10}
LEGEND_BAND_PX = 30
LABEL_HEIGHT_PX = 16  # a line of an 11-pixel label above the plot
# The height of one T-score unit that keeps "Osteopenia" (hung from T -1.0) clear of the T -2.0
# line's label (centred on it) in the margin, 10-pixel labels.
BAND_LABELS_UNIT_PX = 20


def for_print(figures: Mapping[str, Any], *, bmd_height: int | None = None) -> dict[str, Any]:
    """The page's figures (`bmd_figure`, `btm_figure`) with a fixed print size and layout; the BMD
    chart's plot `bmd_height` pixels high where the printout has less room (summary_fit)."""
    heights = PRINT_HEIGHT_PX | ({"bmd_figure": bmd_height} if bmd_height else {})
    printed: dict[str, Any] = {}
    for name, height in heights.items():
        figure = figures.get(name)
        if figure is not None:
            printed[name] = _printed(figure, height, right=PRINT_RIGHT_MARGIN_PX[name])
    return printed


def _top(layout: Mapping[str, Any]) -> int:
    """The top margin: room for the highest label above the plot (a treatment period's, one row
    each), and no more: the sheet has none to spare."""
    above = [
        annotation.get("yshift", 0)
        for annotation in layout.get("annotations", [])
        if annotation.get("yref") == "paper" and annotation.get("y") == 1
    ]
    return max(18, max(above, default=0) + LABEL_HEIGHT_PX)


def _printed(figure: Mapping[str, Any], height: int, *, right: int) -> dict[str, Any]:
    layout = dict(figure["layout"])
    margin = dict(layout.get("margin", {}))
    layout |= {
        "width": PRINT_WIDTH_PX,
        "height": height + LEGEND_BAND_PX,
        "autosize": False,
        "font": {**layout.get("font", {}), "size": 10},
        "margin": margin | {"t": _top(layout), "b": LEGEND_BAND_PX + 16, "r": right},
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
            "font": {"size": 9},
        },
    }
    if "yaxis2" in layout:  # the T-score panel: whole T-scores are enough on a small panel
        layout["yaxis2"] = {**layout["yaxis2"], "dtick": 1}
        layout["annotations"] = _margin_labels_apart(layout)
    return {
        **figure,
        "data": [_without_estimate_legend(trace) for trace in figure["data"]],
        "layout": layout,
        "config": {"staticPlot": True, "responsive": False, "displayModeBar": False},
    }


def _margin_labels_apart(layout: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chart's labels, without the T -2.0 line's in the right margin where a T-score unit of
    the lower panel is too short for it to clear the osteopenia band's label: on most printed
    charts the two touched, and on a summary's chart made shorter (summary_fit) they overlapped.
    The caption names the dotted line, and the printed axis has its tick at -2."""
    annotations = list(layout.get("annotations", []))
    banded = any(a.get("yref") == "y2" and a.get("y") == -1.0 for a in annotations)
    panel = layout["yaxis2"]
    if not banded or "range" not in panel or "domain" not in panel:
        return annotations
    low, high = panel["range"]
    plot_px = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    unit_px = (panel["domain"][1] - panel["domain"][0]) * plot_px / (high - low)
    if unit_px >= BAND_LABELS_UNIT_PX:
        return annotations
    return [a for a in annotations if not (a.get("yref") == "y2" and a.get("y") == -2.0)]


def _without_estimate_legend(trace: Mapping[str, Any]) -> Mapping[str, Any]:
    """A projected T-score's trace out of the printed legend: three long names more wrapped it
    onto the x-axis's labels of the narrow sheet; the dashes, the caption ("dashed lines are an
    estimate") and the table under the chart say what they are."""
    if trace.get("line", {}).get("dash") != "dash":
        return trace
    return {**trace, "showlegend": False}
