"""Plotly figures of a patient's BMD, T-scores and bone turnover markers, as plain dicts.

Built from the domain history (`monitoring.assessment.history.history_from_records`) and the stored
assessment
JSON (history-format.md). Plain dicts, not `plotly.graph_objects`: its validation costs ~16 ms a
figure on every page view; the tests validate the dicts instead. The page emits a figure with
`json_script` and `static/js/charts.js` draws it. Colour is never the only cue: every site has its
own marker symbol and legend name, bands and periods carry text labels, and estimates are dashed
and say so.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.domain import thresholds

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


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _num(value: Decimal) -> float:
    return float(value)


def _periods(
    courses: Iterable[Any], *, as_of: dt.date, fill: str, row: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Shaded rectangles (and their text labels) for the started part of each course."""
    shapes: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    for course in courses:
        if course.start_date is None or course.start_date > as_of:
            continue
        end = course.stop_date or as_of
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": _iso(course.start_date),
                "x1": _iso(end),
                "y0": 0,
                "y1": 1,
                "fillcolor": fill,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        labels.append(
            {
                "x": _iso(course.start_date),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "yshift": 2 + 16 * row,
                "showarrow": False,
                "text": f"{DRUG_LABEL.get(str(course.drug), str(course.drug))} "
                f"{_iso(course.start_date)} to {'now' if course.stop_date is None else _iso(end)}",
                "font": {"size": 11},
            }
        )
    return shapes, labels


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
        line = [(_iso(day), _num(t_score))]
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
        dates = [_iso(day) for day, *_ in rows]
        t_scores = [_num(t) for _d, _b, t, _l in rows]
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
                "y": [_num(bmd) for _d, bmd, _t, _l in rows],
                "yaxis": "y",
                "error_y": {
                    "type": "data",
                    "array": [_num(lsc) for *_, lsc in rows],
                    "visible": True,
                    "color": colour,
                    "thickness": 1.5,
                    "width": 5,
                },
                "customdata": [[_num(t), _num(lsc)] for _d, _b, t, lsc in rows],
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
                "x": [_iso(day) for _drug, day in dose_dates],
                "y": [t_low + 0.15] * len(dose_dates),
                "yaxis": "y2",
                "marker": {"symbol": "triangle-up", "size": 11, "color": "#333333"},
                "text": [DRUG_LABEL.get(drug, drug) for drug, _day in dose_dates],
                "hovertemplate": "%{text} dose %{x|%Y-%m-%d}<extra></extra>",
            }
        )

    ai_shapes, ai_labels = _periods(history.aromatase_inhibitors, as_of=as_of, fill=AI_FILL, row=0)
    tx_shapes, tx_labels = _periods(history.bone_therapy, as_of=as_of, fill=THERAPY_FILL, row=1)
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


BTM_ANALYTES: dict[domain.Analyte, tuple[str, str, str, str, str]] = {
    domain.Analyte.CTX: ("CTX", "ng/mL", "#0072B2", "circle", "y"),
    domain.Analyte.P1NP: ("P1NP", "µg/L", "#D55E00", "square", "y2"),
}


def btm_points(
    history: domain.History, *, as_of: dt.date
) -> dict[domain.Analyte, list[domain.LabResult]]:
    """CTX and P1NP results on or before `as_of`, in date order."""
    points: dict[domain.Analyte, list[domain.LabResult]] = {}
    for lab in sorted(history.labs, key=lambda lab: lab.date):
        if lab.analyte in BTM_ANALYTES and lab.date <= as_of:
            points.setdefault(lab.analyte, []).append(lab)
    return points


def btm_figure(history: domain.History, *, as_of: dt.date, static: bool = False) -> Figure | None:
    """CTX (left axis) and P1NP (right axis) over time, with each bone-therapy start marked."""
    points = btm_points(history, as_of=as_of)
    if not points:
        return None
    traces = []
    for analyte, labs in points.items():
        name, unit, colour, symbol, axis = BTM_ANALYTES[analyte]
        fasting = [
            ("fasting" if lab.fasting else "not fasting") if analyte == domain.Analyte.CTX else ""
            for lab in labs
        ]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{name} ({unit})",
                "x": [_iso(lab.date) for lab in labs],
                "y": [_num(lab.value) for lab in labs],
                "yaxis": axis,
                "line": {"color": colour, "width": 2, "dash": "solid" if axis == "y" else "dot"},
                "marker": {"symbol": symbol, "size": 9, "color": colour},
                "text": fasting,
                "hovertemplate": f"<b>{name}</b> %{{x|%Y-%m-%d}}<br>%{{y}} {unit} %{{text}}"
                "<extra></extra>",
            }
        )
    shapes = []
    annotations = []
    starts = [
        (course.drug, course.start_date)
        for course in history.bone_therapy
        if course.start_date is not None and course.start_date <= as_of
    ]
    for row, (drug, start) in enumerate(starts):
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": _iso(start),
                "x1": _iso(start),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#333333", "width": 1.5, "dash": "dashdot"},
            }
        )
        annotations.append(
            {
                "x": _iso(start),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 2 + 16 * (row % 2),
                "showarrow": False,
                "text": f"{DRUG_LABEL.get(str(drug), str(drug))} start {_iso(start)}",
                "font": {"size": 11},
            }
        )
    layout = {
        "font": FONT,
        "margin": {"l": 60, "r": 60, "t": 50, "b": 40},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.15, "yanchor": "top"},
        "xaxis": {"type": "date"},
        "yaxis": {"title": {"text": "CTX (ng/mL)"}, "rangemode": "tozero"},
        "yaxis2": {
            "title": {"text": "P1NP (µg/L)"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
        "shapes": shapes,
        "annotations": annotations,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return {"data": traces, "layout": layout, "config": config(static=static)}


def patient_figures(
    history: domain.History, assessment: Mapping[str, Any] | None, *, as_of: dt.date, static: bool
) -> dict[str, Any]:
    """The page context of a patient's charts: both figures and the rows of their data tables."""
    points = bmd_points(history, as_of=as_of)
    projections = (assessment or {}).get("projections") or []
    return {
        "bmd_figure": bmd_figure(history, assessment or {}, as_of=as_of, static=static),
        "btm_figure": btm_figure(history, as_of=as_of, static=static),
        "btm_rows": [
            {"date": lab.date, "analyte": BTM_ANALYTES[analyte][0], "value": lab.value}
            | {"unit": BTM_ANALYTES[analyte][1], "fasting": lab.fasting, "is_ctx": analyte == "ctx"}
            for analyte, labs in btm_points(history, as_of=as_of).items()
            for lab in labs
        ],
        "projection_rows": [
            {
                "site": site.value,
                "basis": BASIS_LABEL.get(basis, basis),
                "from_date": line[0][0],
                "from_t": line[0][1],
                "cross_2_0": next((day for day, t in line[1:] if t == -2.0), None),
                "cross_2_5": next((day for day, t in line[1:] if t == -2.5), None),
            }
            for site, basis, line in projection_lines(points, projections)
        ],
    }
