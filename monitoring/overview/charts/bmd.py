"""The BMD chart: BMD per site with LSC error bars, above T-scores with the WHO bands (or Z-scores,
where T-score categories do not apply: `score_panel`), the treatment periods, the doses and the
projected T-score (an estimate, dashed)."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.domain import thresholds
from monitoring.overview.charts.projection import Projection, last_points, projections
from monitoring.overview.charts.score_panel import (
    BAND_LABEL_MARGIN_PX,
    Panel,
    panel_drawing,
    panel_of,
    t_panel_share,
)
from monitoring.overview.charts.style import (
    AI_FILL,
    BASIS_LABEL,
    DRUG_LABEL,
    FONT,
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


# date, BMD, T-score, LSC, scanner, Z-score
Point = tuple[dt.date, Decimal, Decimal, Decimal, str, Decimal | None]


def bmd_points(history: domain.History, *, as_of: dt.date) -> dict[domain.Site, list[Point]]:
    """Per site, in date order: (date, BMD, T-score, LSC of that scanner and site, scanner,
    Z-score or None)."""
    points: dict[domain.Site, list[Point]] = {}
    for scan in sorted(history.dexa_scans, key=lambda s: s.date):
        if scan.date > as_of:
            continue
        for site, m in scan.sites.items():
            points.setdefault(site, []).append(
                (
                    scan.date,
                    m.bmd,
                    m.t_score,
                    _lsc(history, scan.scanner, site),
                    scan.scanner,
                    m.z_score,
                )
            )
    return {site: points[site] for site in SITE_STYLE if site in points}


@dataclass(frozen=True)
class BmdSeries:
    """What the BMD chart and the projection table under it are drawn from: read once a page,
    since both need the same points and projections (the page drew them twice before)."""

    points: dict[domain.Site, list[Point]]
    projections: list[Projection]
    panel: Panel = Panel.T_BANDS


def bmd_series(
    history: domain.History, assessment: Mapping[str, Any], *, as_of: dt.date
) -> BmdSeries:
    """The scan points per site, the lower panel and the chart's projections of
    `assessment["projections"]`: none where T-score categories do not apply (`score_panel`)."""
    points = bmd_points(history, as_of=as_of)
    any_z_score = any(row[5] is not None for rows in points.values() for row in rows)
    panel = panel_of(assessment, any_z_score=any_z_score)
    if panel is not Panel.T_BANDS:
        return BmdSeries(points, [], panel)
    stored = assessment.get("projections") or []
    return BmdSeries(points, projections(history, last_points(points), stored, as_of=as_of), panel)


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


def _site_traces(
    site: domain.Site, rows: Sequence[Point], panel: Panel
) -> tuple[list[dict[str, Any]], list[float]]:
    """A site's BMD trace and its lower-panel trace (T-scores, or Z-scores on a Z panel, a gap
    where a scan has none), with the scores that panel's range must hold."""
    label, colour, symbol = SITE_STYLE[site]
    score = "Z-score" if panel is Panel.Z else "T-score"
    scores = [
        (None if row[5] is None else num(row[5])) if panel is Panel.Z else num(row[2])
        for row in rows
    ]
    z_hover = "<br>Z-score %{customdata[2]}" if panel is Panel.Z else ""
    common = {
        "type": "scatter",
        "mode": "lines+markers",
        "connectgaps": False,
        "x": broken_at_scanner_changes(rows, [iso(row[0]) for row in rows]),
        "legendgroup": site.value,
        "line": {"color": colour, "width": 2},
        "marker": {"symbol": symbol, "size": 9, "color": colour},
    }
    bmd = common | {
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
            rows,
            [
                [num(row[2]), num(row[3]), "not recorded" if row[5] is None else str(row[5])]
                for row in rows
            ],
        ),
        "hovertemplate": f"<b>{label}</b> %{{x|%Y-%m-%d}}<br>BMD %{{y:.3f}} g/cm²"
        f"<br>T-score %{{customdata[0]:.1f}}{z_hover}<br>LSC ±%{{customdata[1]:.3f}}"
        "<extra></extra>",
    }
    lower = common | {
        "name": f"{label} {score}",
        "y": broken_at_scanner_changes(rows, scores),
        "yaxis": "y2",
        "showlegend": False,
        "hovertemplate": f"<b>{label}</b> %{{x|%Y-%m-%d}}<br>{score} %{{y:.1f}}<extra></extra>",
    }
    return [bmd, lower], [value for value in scores if value is not None]


def bmd_figure(
    history: domain.History, assessment: Mapping[str, Any], *, as_of: dt.date, static: bool = False
) -> Figure | None:
    """BMD per site over time (LSC error bars) above a T-score panel with the WHO bands, or a
    Z-score panel where T-score categories do not apply (`score_panel`).

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
        site_traces, scores = _site_traces(site, rows, series.panel)
        traces += site_traces
        t_values += scores
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
    drawing = panel_drawing(series.panel, t_low)
    shapes = [*drawing.shapes, *ai_shapes, *tx_shapes]
    annotations = [*drawing.labels, *ai_labels, *tx_labels]
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
            "title": {"text": drawing.title},
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
