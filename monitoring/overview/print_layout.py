"""Charts laid out for a printed A4 sheet rather than a screen.

On screen a chart fills its box and redraws when the window changes. On paper the box is narrower
than the screen the page was opened on, so a responsive chart printed with its x-axis labels cut
off and its legend over the plot. A printout's chart has a fixed size that fits the sheet (the
sheet is 186 mm wide inside its margins: 700 CSS pixels), its legend in a band below the x-axis,
and no controls.
"""

from collections.abc import Mapping
from typing import Any

PRINT_WIDTH_PX = 700
PRINT_HEIGHT_PX = {"bmd_figure": 240, "btm_figure": 150}
LEGEND_BAND_PX = 30


def for_print(figures: Mapping[str, Any]) -> dict[str, Any]:
    """The page's figures (`bmd_figure`, `btm_figure`) with a fixed print size and layout."""
    printed: dict[str, Any] = {}
    for name, height in PRINT_HEIGHT_PX.items():
        figure = figures.get(name)
        if figure is not None:
            printed[name] = _printed(figure, height)
    return printed


def _printed(figure: Mapping[str, Any], height: int) -> dict[str, Any]:
    layout = dict(figure["layout"])
    margin = dict(layout.get("margin", {}))
    layout |= {
        "width": PRINT_WIDTH_PX,
        "height": height + LEGEND_BAND_PX,
        "autosize": False,
        "font": {**layout.get("font", {}), "size": 10},
        "margin": margin | {"t": 18, "b": LEGEND_BAND_PX + 16, "r": 10},
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
    return {
        **figure,
        "layout": layout,
        "config": {"staticPlot": True, "responsive": False, "displayModeBar": False},
    }
