"""The BMD chart: BMD per site with LSC error bars, above T-scores with the WHO bands, the
treatment periods, the doses and the projected T-score (an estimate, dashed)."""

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.domain import thresholds
from monitoring.overview.charts.projection import Projection, last_points, projections
from monitoring.overview.charts.style import (
    AI_FILL,
    BASIS_LABEL,
    DRUG_LABEL,
    FONT,
    OSTEOPENIA_FILL,
    OSTEOPOROSIS_FILL,
    SITE_STYLE,
    THERAPY_FILL,
    Figure,
    config,
    iso,
    num,
    periods,
)


def _lsc(history: domain.History, scanner: str, site: domain.Site) -> Decimal:
    known = history.scanners.get(scanner)
    if known is not None and site in known.lsc:
        return known.lsc[site]
    return thresholds.DEFAULT_LSC_G_CM2[site]


Point = tuple[dt.date, Decimal, Decimal, Decimal, str]  # date, BMD, T-score, LSC, scanner


def bmd_points(history: domain.History, *, as_of: dt.date) -> dict[domain.Site, list[Point]]:
    """Per site, in date order: (date, BMD, T-score, LSC of that scanner and site, scanner)."""
    points: dict[domain.Site, list[Point]] = {}
    for scan in sorted(history.dexa_scans, key=lambda s: s.date):
        if scan.date > as_of:
            continue
        for site, m in scan.sites.items():
            points.setdefault(site, []).append(
                (scan.date, m.bmd, m.t_score, _lsc(history, scan.scanner, site), scan.scanner)
            )
    return {site: points[site] for site in SITE_STYLE if site in points}


@dataclass(frozen=True)
class BmdSeries:
    """What the BMD chart and the projection table under it are drawn from: read once a page,
    since both need the same points and projections (the page drew them twice before)."""

    points: dict[domain.Site, list[Point]]
    projections: list[Projection]


def bmd_series(
    history: domain.History, assessment: Mapping[str, Any], *, as_of: dt.date
) -> BmdSeries:
    """The scan points per site and the chart's projections of `assessment["projections"]`."""
    points = bmd_points(history, as_of=as_of)
    stored = assessment.get("projections") or []
    return BmdSeries(points, projections(history, last_points(points), stored, as_of=as_of))


def broken_at_scanner_changes[T](rows: Sequence[Point], values: Sequence[T]) -> list[T | None]:
    """`values` (one per row) with a gap (None) wherever the scanner changes: BMDs of two
    scanners are not comparable, so the chart does not join them."""
    out: list[T | None] = []
    for n, (row, value) in enumerate(zip(rows, values, strict=True)):
        if n and row[4] != rows[n - 1][4]:
            out.append(None)
        out.append(value)
    return out


def label_dates(taken: Iterable[dt.date]) -> dt.date | None:
    """The middle of the widest gap between the dates the T-score panel marks, where a band's
    label can sit without covering a marker (None with fewer than two dates)."""
    days = sorted(set(taken))
    if len(days) < 2:
        return None
    start, end = max(itertools.pairwise(days), key=lambda pair: (pair[1] - pair[0]).days)
    return start + (end - start) / 2


def bmd_figure(
    history: domain.History, assessment: Mapping[str, Any], *, as_of: dt.date, static: bool = False
) -> Figure | None:
    """BMD per site over time (LSC error bars) above a T-score panel with the WHO bands.

    Shaded: aromatase-inhibitor and bone-therapy periods; marked: doses; dashed: the projected
    T-score (an estimate) from `assessment["projections"]`. None without any scan.
    """
    series = bmd_series(history, assessment, as_of=as_of)
    return bmd_figure_of(history, series, as_of=as_of, static=static)


def bmd_figure_of(
    history: domain.History, series: BmdSeries, *, as_of: dt.date, static: bool = False
) -> Figure | None:
    """`bmd_figure` of a series already read (the page shows its projections in a table too)."""
    points = series.points
    if not points:
        return None
    traces: list[dict[str, Any]] = []
    t_values: list[float] = []
    for site, rows in points.items():
        label, colour, symbol = SITE_STYLE[site]
        dates = broken_at_scanner_changes(rows, [iso(row[0]) for row in rows])
        t_scores = [num(row[2]) for row in rows]
        t_values += t_scores
        common = {
            "type": "scatter",
            "mode": "lines+markers",
            "connectgaps": False,
            "x": dates,
            "legendgroup": site.value,
            "line": {"color": colour, "width": 2},
            "marker": {"symbol": symbol, "size": 9, "color": colour},
        }
        traces.append(
            common
            | {
                "name": label,
                "y": broken_at_scanner_changes(rows, [num(row[1]) for row in rows]),
                "yaxis": "y",
                "error_y": {
                    "type": "data",
                    "array": broken_at_scanner_changes(rows, [num(row[3]) for row in rows]),
                    "visible": True,
                    "color": colour,
                    "thickness": 1.5,
                    "width": 5,
                },
                "customdata": broken_at_scanner_changes(
                    rows, [[num(row[2]), num(row[3])] for row in rows]
                ),
                "hovertemplate": f"<b>{label}</b> %{{x|%Y-%m-%d}}<br>BMD %{{y:.3f}} g/cm²"
                "<br>T-score %{customdata[0]:.1f}<br>LSC ±%{customdata[1]:.3f}<extra></extra>",
            }
        )
        traces.append(
            common
            | {
                "name": f"{label} T-score",
                "y": broken_at_scanner_changes(rows, t_scores),
                "yaxis": "y2",
                "showlegend": False,
                "hovertemplate": f"<b>{label}</b> %{{x|%Y-%m-%d}}<br>T-score %{{y:.1f}}"
                "<extra></extra>",
            }
        )
    drawn = [projection for projection in series.projections if projection.line]
    marked_days = [row[0] for rows in points.values() for row in rows]
    for projection in drawn:
        label, colour, _symbol = SITE_STYLE[projection.site]
        basis = BASIS_LABEL.get(projection.basis, projection.basis)
        line = [(iso(day), num(t)) for day, t in projection.line]
        t_values += [t for _d, t in line]
        marked_days += [day for day, _t in projection.line]
        traces.append(
            {
                "type": "scatter",
                # One line's ends are labelled "estimate"; with several, the labels could collide,
                # so the legend and the dashes say it.
                "mode": "lines+markers+text" if len(drawn) == 1 else "lines+markers",
                "name": f"{label}: estimate ({basis})",
                "legendgroup": projection.site.value,
                "x": [day for day, _t in line],
                "y": [t for _d, t in line],
                "yaxis": "y2",
                "line": {"color": colour, "width": 1.5, "dash": "dash"},
                "marker": {"symbol": "x-thin-open", "size": 8, "color": colour},
                "text": ["", *[""] * (len(line) - 2), "estimate"],
                "textposition": "top left",
                "textfont": {"size": 11, "color": colour},
                "hovertemplate": f"<b>{label}</b>: estimate ({basis})"
                "<br>T-score %{y:.1f} on %{x|%Y-%m-%d}<extra></extra>",
            }
        )
    t_low = min([*t_values, -3.0]) - 0.5
    t_high = max([*t_values, 0.0]) + 0.5

    dose_dates = [
        (str(course.drug), day)
        for course in history.bone_therapy
        for day in course.doses
        if day <= as_of
    ]
    marked_days += [day for _drug, day in dose_dates]
    if dose_dates:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Dose given",
                "x": [iso(day) for _drug, day in dose_dates],
                "y": [t_low + 0.15] * len(dose_dates),
                "yaxis": "y2",
                "marker": {"symbol": "triangle-up", "size": 11, "color": "#333333"},
                "text": [DRUG_LABEL.get(drug, drug) for drug, _day in dose_dates],
                "hovertemplate": "%{text} dose %{x|%Y-%m-%d}<extra></extra>",
            }
        )

    ai_shapes, ai_labels = periods(history.aromatase_inhibitors, as_of=as_of, fill=AI_FILL, row=0)
    tx_shapes, tx_labels = periods(history.bone_therapy, as_of=as_of, fill=THERAPY_FILL, row=1)
    band = {"type": "rect", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y2", "layer": "below"}
    shapes = [
        band | {"y0": -2.5, "y1": -1.0, "fillcolor": OSTEOPENIA_FILL, "line": {"width": 0}},
        band | {"y0": t_low, "y1": -2.5, "fillcolor": OSTEOPOROSIS_FILL, "line": {"width": 0}},
        {
            "type": "line",
            "xref": "x domain",
            "x0": 0,
            "x1": 1,
            "yref": "y2",
            "y0": -2.0,
            "y1": -2.0,
            "line": {"color": "#666666", "width": 1, "dash": "dot"},
        },
        *ai_shapes,
        *tx_shapes,
    ]
    # The bands' labels sit between markers (in the widest gap between marked dates), not on them.
    label_day = label_dates(marked_days)
    band_label = {
        "xref": "x" if label_day else "x domain",
        "x": iso(label_day) if label_day else 0.005,
        "yref": "y2",
        "xanchor": "center" if label_day else "left",
        "showarrow": False,
        "font": {"size": 11, "color": "#5c3a00"},
    }
    annotations = [
        # On two lines: half as wide, so that on a phone the label fits between the markers.
        band_label | {"y": -1.75, "text": "Osteopenia<br>T \u22122.5 to \u22121.0"},
        band_label | {"y": max(t_low + 0.5, -3.0), "text": "Osteoporosis<br>T ≤ \u22122.5"},
        band_label
        | {"xref": "x domain", "x": 0.995, "xanchor": "right", "y": -2.0, "yanchor": "bottom"}
        | {"text": "T \u22122.0", "font": {"size": 10, "color": "#444444"}},
        *ai_labels,
        *tx_labels,
    ]
    layout = {
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
        "hovermode": "closest",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.12, "yanchor": "top"},
        "xaxis": {"type": "date", "anchor": "y2", "title": {"text": ""}, "showgrid": True},
        "yaxis": {
            "domain": [0.55, 1],
            "title": {"text": "BMD (g/cm²)"},
            "tickformat": ".2f",
            "zeroline": False,
        },
        "yaxis2": {
            "domain": [0, 0.47],
            "title": {"text": "T-score"},
            "range": [t_low, t_high],
            "dtick": 0.5,
            "zeroline": False,
        },
        "shapes": shapes,
        "annotations": annotations,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return {"data": traces, "layout": layout, "config": config(static=static)}
