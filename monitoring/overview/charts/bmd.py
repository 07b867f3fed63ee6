"""The BMD chart: BMD per site with LSC error bars, above T-scores with the WHO bands, the
treatment periods, the doses and the projected T-score (an estimate, dashed)."""

import datetime as dt
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
    PERIOD_ROW_PX,
    SITE_STYLE,
    THERAPY_FILL,
    Figure,
    config,
    date_axis,
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


def chart_span(
    marked: Iterable[dt.date], courses: Iterable[Any], *, as_of: dt.date
) -> tuple[dt.date, dt.date]:
    """The first and last date the chart draws (markers, estimates, doses, treatment periods):
    about the x-axis plotly chooses, enough to tell which half of it a date falls in."""
    days = [*marked]
    for course in courses:
        if course.start_date is not None and course.start_date <= as_of:
            days += [course.start_date, course.stop_date or as_of]
    return min(days, default=as_of), max(days, default=as_of)


BAND_LABEL_MARGIN_PX = 84


def t_panel_share(t_range: float) -> float:
    """The T-score panel's share of the plot's height: 0.47 for the usual range of 4 T-score
    units, more for a wider one (up to 0.62), so that a unit keeps about the same height and the
    band labels beside it keep apart."""
    return round(min(max(0.47 * t_range / 4, 0.47), 0.62), 3)


def band_labels() -> list[dict[str, Any]]:
    """The WHO bands' names and the T -2.0 line's, in the right margin beside the T-score panel.

    Inside the plot they met the markers, the estimates' dashed lines and their "estimate" labels
    wherever they were put (a phone's chart is 250 pixels wide); in the margin they meet nothing.
    One word each, at the band's top edge (and the line's height), so that they do not meet each
    other on a short panel either; the bands' T-score ranges are in their hover text and the
    chart's caption.
    """
    label = {
        "xref": "paper",
        "x": 1,
        "xanchor": "left",
        "xshift": 4,
        "yref": "y2",
        "showarrow": False,
        "font": {"size": 10, "color": "#5c3a00"},
    }
    return [
        label
        | {"y": -1.0, "yanchor": "top", "text": "Osteopenia"}
        | {"hovertext": "Osteopenia: T-score \u22122.5 to \u22121.0"},
        label
        | {"y": -2.0, "yanchor": "middle", "text": "T \u22122.0"}
        | {"font": {"size": 10, "color": "#444444"}},
        label
        | {"y": -2.5, "yanchor": "top", "text": "Osteoporosis"}
        | {"hovertext": "Osteoporosis: T-score \u2264 \u22122.5"},
    ]


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
    t_share = t_panel_share(t_high - t_low)

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

    treatments = [*history.aromatase_inhibitors, *history.bone_therapy]
    span = chart_span(marked_days, treatments, as_of=as_of)
    ai_shapes, ai_labels = periods(
        history.aromatase_inhibitors, as_of=as_of, fill=AI_FILL, first_row=0, span=span
    )
    tx_shapes, tx_labels = periods(
        history.bone_therapy, as_of=as_of, fill=THERAPY_FILL, first_row=len(ai_labels), span=span
    )
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
    annotations = [*band_labels(), *ai_labels, *tx_labels]
    period_rows = len(ai_labels) + len(tx_labels)
    layout = {
        "font": FONT,
        # The right margin holds the bands' labels; the top one, a row per treatment's label.
        "margin": {
            "l": 60,
            "r": BAND_LABEL_MARGIN_PX,
            "t": max(50, 18 + PERIOD_ROW_PX * period_rows),
            "b": 40,
        },
        "hovermode": "closest",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.12, "yanchor": "top"},
        "xaxis": {**date_axis(span), "anchor": "y2", "title": {"text": ""}, "showgrid": True},
        "yaxis": {
            "domain": [t_share + 0.08, 1],
            "title": {"text": "BMD (g/cm²)"},
            "tickformat": ".2f",
            "zeroline": False,
        },
        "yaxis2": {
            "domain": [0, t_share],
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
