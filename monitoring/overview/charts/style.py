"""What every chart shares: colours and symbols, labels, fonts, plotly's config and the shading
of treatment periods."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from monitoring import domain

Figure = dict[str, Any]

# Okabe-Ito colours (distinguishable with common colour-vision deficiencies), plus a symbol each.
SITE_STYLE: dict[domain.Site, tuple[str, str, str]] = {
    domain.Site.LUMBAR_SPINE: ("Lumbar spine", "#0072B2", "circle"),
    domain.Site.TOTAL_HIP: ("Total hip", "#D55E00", "square"),
    domain.Site.FEMORAL_NECK: ("Femoral neck", "#009E73", "diamond"),
    domain.Site.RADIUS_33: ("1/3 radius", "#CC79A7", "triangle-up"),
}
BASIS_LABEL = {"own_trend": "own trend", "atac_median": "ATAC median loss"}
DRUG_LABEL = {
    "anastrozole": "Anastrozole",
    "letrozole": "Letrozole",
    "exemestane": "Exemestane",
    "alendronate": "Alendronate",
    "risedronate": "Risedronate",
    "ibandronate": "Ibandronate",
    "zoledronic_acid": "Zoledronic acid",
    "denosumab": "Denosumab",
}
AI_FILL = "rgba(120, 120, 120, 0.12)"
THERAPY_FILL = "rgba(0, 114, 178, 0.10)"
OSTEOPENIA_FILL = "rgba(230, 159, 0, 0.18)"
OSTEOPOROSIS_FILL = "rgba(213, 94, 0, 0.18)"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def config(*, static: bool = False) -> dict[str, Any]:
    """Plotly's config: no logo or link-out; a static (non-interactive) plot for printing."""
    if static:
        return {"staticPlot": True, "responsive": True}
    return {
        "responsive": True,
        "displaylogo": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    }


def iso(day: dt.date) -> str:
    return day.isoformat()


def num(value: Decimal) -> float:
    return float(value)


SHORTEST_DATE_AXIS_DAYS = 90


# Ticks and hover read yyyy-mm-dd as every date of the app, never plotly's "Nov 1 2026" or
# "Nov 2026" (nurse13 #10). Ten characters a tick: in a smaller font than the chart's, so that
# two years' ticks on a phone's chart do not touch (plotly chooses the ticks' angle before its
# margins narrow the plot, so it does not tilt them for that).
DATE_FORMAT = "%Y-%m-%d"
DATE_AXIS = {
    "type": "date",
    "tickformat": DATE_FORMAT,
    "hoverformat": DATE_FORMAT,
    "tickfont": {"size": 11},
}


def date_axis(days: Iterable[dt.date]) -> dict[str, Any]:
    """A date x-axis over `days` (what the chart draws), its dates yyyy-mm-dd. Where they span
    less than about three months (one sample, or a few days apart) the axis spans three months
    around them: left to itself, plotly zooms in to the hour and labels its ticks
    "23:59:59.999" (a clinician saw exactly that)."""
    drawn = sorted(days)
    if not drawn or (drawn[-1] - drawn[0]).days >= SHORTEST_DATE_AXIS_DAYS:
        return dict(DATE_AXIS)
    middle = drawn[0] + (drawn[-1] - drawn[0]) / 2
    half = dt.timedelta(days=SHORTEST_DATE_AXIS_DAYS // 2)
    return DATE_AXIS | {"range": [iso(middle - half), iso(middle + half)]}


PERIOD_ROW_PX = 16  # one row of period labels above the plot


def periods(
    courses: Iterable[Any],
    *,
    as_of: dt.date,
    fill: str,
    first_row: int,
    span: tuple[dt.date, dt.date],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Shaded rectangles (and their text labels) for the started part of each course.

    Each label has a row of its own above the plot, from `first_row` up: two courses in a row (a
    switch of aromatase inhibitor) would otherwise write their labels over each other. A label
    reads from its course's start, or, for a course that starts in the later half of the chart's
    dates (`span`), back from its end, so that it stays on a narrow screen's chart.
    """
    shapes: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    middle = span[0] + (span[1] - span[0]) / 2
    for course in courses:
        if course.start_date is None or course.start_date > as_of:
            continue
        end = course.stop_date or as_of
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": iso(course.start_date),
                "x1": iso(end),
                "y0": 0,
                "y1": 1,
                "fillcolor": fill,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        from_start = course.start_date <= middle
        labels.append(
            {
                "x": iso(course.start_date if from_start else end),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "xanchor": "left" if from_start else "right",
                "yanchor": "bottom",
                "yshift": 2 + PERIOD_ROW_PX * (first_row + len(labels)),
                "showarrow": False,
                "text": f"{DRUG_LABEL.get(str(course.drug), str(course.drug))} "
                f"{iso(course.start_date)} to {'now' if course.stop_date is None else iso(end)}",
                "font": {"size": 11},
            }
        )
    return shapes, labels
