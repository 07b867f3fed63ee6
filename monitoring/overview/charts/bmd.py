"""The BMD chart: BMD per site with LSC error bars, above T-scores with the WHO bands, the
treatment periods, the doses and the projected T-score (an estimate, dashed)."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.domain import thresholds
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


def bmd_points(
    history: domain.History, *, as_of: dt.date
) -> dict[domain.Site, list[tuple[dt.date, Decimal, Decimal, Decimal]]]:
    """Per site, in date order: (date, BMD, T-score, LSC of that scanner and site)."""
    points: dict[domain.Site, list[tuple[dt.date, Decimal, Decimal, Decimal]]] = {}
    for scan in sorted(history.dexa_scans, key=lambda s: s.date):
        if scan.date > as_of:
            continue
        for site, m in scan.sites.items():
            points.setdefault(site, []).append(
                (scan.date, m.bmd, m.t_score, _lsc(history, scan.scanner, site))
            )
    return {site: points[site] for site in SITE_STYLE if site in points}


def projection_lines(
    points: Mapping[domain.Site, Sequence[tuple[dt.date, Decimal, Decimal, Decimal]]],
    projections: Iterable[Mapping[str, Any]],
) -> list[tuple[domain.Site, str, list[tuple[str, float]]]]:
    """(site, basis, [(date, T)]) from the current T-score to each crossing date (PROJ)."""
    lines = []
    for projection in projections:
        site = domain.Site(projection["site"])
        if site not in points or not points[site]:
            continue
        day, _bmd, t_score, _lsc_value = points[site][-1]
        line = [(iso(day), num(t_score))]
        for key, level in (("crosses_minus_2_0_on", -2.0), ("crosses_minus_2_5_on", -2.5)):
            if projection.get(key):
                line.append((projection[key], level))
        if len(line) > 1:
            lines.append((site, str(projection.get("basis", "")), line))
    return lines


def bmd_figure(
    history: domain.History, assessment: Mapping[str, Any], *, as_of: dt.date, static: bool = False
) -> Figure | None:
    """BMD per site over time (LSC error bars) above a T-score panel with the WHO bands.

    Shaded: aromatase-inhibitor and bone-therapy periods; marked: doses; dashed: the projected
    T-score (an estimate) from `assessment["projections"]`. None without any scan.
    """
    points = bmd_points(history, as_of=as_of)
    if not points:
        return None
    traces: list[dict[str, Any]] = []
    t_values: list[float] = []
    for site, rows in points.items():
        label, colour, symbol = SITE_STYLE[site]
        dates = [iso(day) for day, *_ in rows]
        t_scores = [num(t) for _d, _b, t, _l in rows]
        t_values += t_scores
        common = {
            "type": "scatter",
            "mode": "lines+markers",
            "x": dates,
            "legendgroup": site.value,
            "line": {"color": colour, "width": 2},
            "marker": {"symbol": symbol, "size": 9, "color": colour},
        }
        traces.append(
            common
            | {
                "name": label,
                "y": [num(bmd) for _d, bmd, _t, _l in rows],
                "yaxis": "y",
                "error_y": {
                    "type": "data",
                    "array": [num(lsc) for *_, lsc in rows],
                    "visible": True,
                    "color": colour,
                    "thickness": 1.5,
                    "width": 5,
                },
                "customdata": [[num(t), num(lsc)] for _d, _b, t, lsc in rows],
                "hovertemplate": f"<b>{label}</b> %{{x|%Y-%m-%d}}<br>BMD %{{y:.3f}} g/cm²"
                "<br>T-score %{customdata[0]:.1f}<br>LSC ±%{customdata[1]:.3f}<extra></extra>",
            }
        )
        traces.append(
            common
            | {
                "name": f"{label} T-score",
                "y": t_scores,
                "yaxis": "y2",
                "showlegend": False,
                "hovertemplate": f"<b>{label}</b> %{{x|%Y-%m-%d}}<br>T-score %{{y:.1f}}"
                "<extra></extra>",
            }
        )
    for site, basis, line in projection_lines(points, assessment.get("projections") or []):
        label, colour, _symbol = SITE_STYLE[site]
        t_values += [t for _d, t in line]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "name": f"{label}: estimate ({BASIS_LABEL.get(basis, basis)})",
                "legendgroup": site.value,
                "x": [day for day, _t in line],
                "y": [t for _d, t in line],
                "yaxis": "y2",
                "line": {"color": colour, "width": 1.5, "dash": "dash"},
                "marker": {"symbol": "x-thin-open", "size": 8, "color": colour},
                "text": ["", *["estimate"] * (len(line) - 1)],
                "textposition": "top right",
                "textfont": {"size": 11, "color": colour},
                "hovertemplate": f"<b>{label}</b>: estimate "
                f"({BASIS_LABEL.get(basis, basis)})<br>T-score %{{y:.1f}} on %{{x|%Y-%m-%d}}"
                "<extra></extra>",
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
    band_label = {
        "xref": "x domain",
        "x": 0.005,
        "yref": "y2",
        "xanchor": "left",
        "showarrow": False,
        "font": {"size": 11, "color": "#5c3a00"},
    }
    annotations = [
        band_label | {"y": -1.75, "text": "Osteopenia (T \u22122.5 to \u22121.0)"},
        band_label | {"y": max(t_low + 0.5, -3.0), "text": "Osteoporosis (T ≤ \u22122.5)"},
        band_label
        | {"x": 0.995, "xanchor": "right", "y": -2.0, "yanchor": "bottom"}
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
