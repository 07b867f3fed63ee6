"""The bone turnover marker chart: CTX and P1NP over time, each bone-therapy start marked."""

import datetime as dt

from monitoring import domain
from monitoring.overview.charts.style import DRUG_LABEL, FONT, Figure, config, date_axis, iso, num

BTM_ANALYTES: dict[domain.Analyte, tuple[str, str, str, str, str]] = {
    domain.Analyte.CTX: ("CTX", "ng/mL", "#0072B2", "circle", "y"),
    # Open and larger: on its own axis a P1NP marker can fall exactly on the CTX one of the same
    # sample (each axis scaled to its own values), and must not hide it.
    domain.Analyte.P1NP: ("P1NP", "µg/L", "#D55E00", "square-open", "y2"),
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
    return btm_figure_of(history, btm_points(history, as_of=as_of), as_of=as_of, static=static)


def btm_figure_of(
    history: domain.History,
    points: dict[domain.Analyte, list[domain.LabResult]],
    *,
    as_of: dt.date,
    static: bool = False,
) -> Figure | None:
    """`btm_figure` of points already read (the page lists them in a table too)."""
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
                "x": [iso(lab.date) for lab in labs],
                "y": [num(lab.value) for lab in labs],
                "yaxis": axis,
                "line": {"color": colour, "width": 2, "dash": "solid" if axis == "y" else "dot"},
                "marker": {"symbol": symbol, "size": 9 if axis == "y" else 13, "color": colour},
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
                "x0": iso(start),
                "x1": iso(start),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#333333", "width": 1.5, "dash": "dashdot"},
            }
        )
        annotations.append(
            {
                "x": iso(start),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 2 + 16 * (row % 2),
                "showarrow": False,
                "text": f"{DRUG_LABEL.get(str(drug), str(drug))} start {iso(start)}",
                "font": {"size": 11},
            }
        )
    layout = {
        "font": FONT,
        "margin": {"l": 60, "r": 60, "t": 50, "b": 40},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.15, "yanchor": "top"},
        "xaxis": date_axis(
            [*(lab.date for labs in points.values() for lab in labs), *(s for _, s in starts)]
        ),
        "yaxis": {"title": {"text": "CTX (ng/mL)"}, "rangemode": "tozero"},
        "yaxis2": {
            "title": {"text": "P1NP (µg/L)"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            # Ticks of its own: an overlaying axis otherwise takes the CTX axis's tick positions
            # (plotly.js 3's "sync"), at unround values (10.1, 20.2, 30.4, 40.5: nurse11 15).
            "tickmode": "auto",
        },
        "shapes": shapes,
        "annotations": annotations,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return {"data": traces, "layout": layout, "config": config(static=static)}
