"""The labs chart: vitamin D, calcium and kidney function (eGFR, creatinine clearance) over time,
one panel each, in the site's units, with the rules' thresholds drawn as labelled dashed lines.

Colour is never the only cue: each analyte has its own marker symbol and legend name, each line
says in words what it marks, and a flagged result says its flag on hover (the table beside the
chart says it too)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.domain import thresholds
from monitoring.overview.charts.style import FONT, Figure, config, date_axis, iso, num
from monitoring.overview.labs import (
    KIDNEY_LIMITS,
    KIDNEY_REDUCED,
    lab_flag,
    shown_threshold,
    shown_value,
    threshold_words,
)

A = domain.Analyte


@dataclass(frozen=True)
class Panel:
    title: str
    analytes: tuple[tuple[domain.Analyte, str, str, str], ...]  # analyte, name, colour, symbol
    # (canonical threshold, "below" or "at or below", what it means)
    lines: tuple[tuple[Decimal, str, str], ...]


def _kidney_lines() -> tuple[tuple[Decimal, str, str], ...]:
    """One line per distinct kidney threshold, naming every drug it concerns."""
    notes: dict[Decimal, list[str]] = {}
    for limit, note in KIDNEY_LIMITS:
        notes.setdefault(limit, []).append(note)
    lines = [(limit, "below", "; ".join(found)) for limit, found in sorted(notes.items())]
    # Drawn whatever the patient takes: said as reduced function, with the dose check of
    # zoledronic acid as the one drug it concerns (nurse10 5).
    dose_check = f"{KIDNEY_REDUCED} (zoledronic acid: check the dose)"
    return (*lines, (thresholds.ZOLEDRONIC_DOSE_CHECK_MAX, "at or below", dose_check))


PANELS = (
    Panel(
        "25-OH vitamin D",
        ((A.VITAMIN_D_25OH, "25-OH vitamin D", "#0072B2", "circle"),),
        (
            (thresholds.VITD_DEFICIENT_BELOW, "below", "deficient"),
            (thresholds.VITD_SUFFICIENT_FROM, "below", "insufficient"),
        ),
    ),
    Panel(
        "Adjusted calcium",
        ((A.CALCIUM, "Adjusted calcium", "#D55E00", "square"),),
        ((thresholds.CALCIUM_LOW_BELOW, "below", "low"),),
    ),
    Panel(
        "Kidney function",
        (
            (A.EGFR, "eGFR", "#009E73", "diamond"),
            (A.CRCL, "Creatinine clearance", "#CC79A7", "triangle-up"),
        ),
        _kidney_lines(),
    ),
)
_GAP = 0.08


def _range(values: list[Decimal]) -> list[float]:
    """The results and the lines with a margin: not from zero, where a change would look flat."""
    low, high = num(min(values)), num(max(values))
    margin = max((high - low) * 0.15, high * 0.05)
    return [max(low - margin, 0.0), high + margin]


def _label(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _line_words(analyte: domain.Analyte, limit: Decimal, unit: str, line_unit: str) -> str:
    """A line's threshold as the flags write it ("49.91 nmol/L (20 ng/mL)"), where the panel has
    one unit; the bare number where it has two (kidney function, whose axis names them)."""
    if line_unit:
        return threshold_words(analyte, limit, unit)
    return _label(shown_threshold(analyte, limit, unit))


def labs_figure(
    history: domain.History,
    system: domain.UnitSystem,
    *,
    as_of: dt.date,
    static: bool = False,
) -> Figure | None:
    """Vitamin D, calcium and kidney function over time, each in its own panel (only panels with
    a result). None without any of them."""
    labs = sorted((lab for lab in history.labs if lab.date <= as_of), key=lambda lab: lab.date)
    drawn = [
        panel
        for panel in PANELS
        if any(lab.analyte in {a[0] for a in panel.analytes} for lab in labs)
    ]
    if not drawn:
        return None
    height = (1 - _GAP * (len(drawn) - 1)) / len(drawn)
    traces: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    for row, panel in enumerate(drawn):
        axis = "y" if row == 0 else f"y{row + 1}"
        present = [a for a in panel.analytes if any(lab.analyte is a[0] for lab in labs)]
        units = dict.fromkeys(domain.display_unit(a[0], system) for a in present)
        unit = next(iter(units))
        # A line's label names the unit where the panel has one (kidney function has two).
        line_unit = f" {unit}" if len(units) == 1 else ""
        top = 1 - row * (height + _GAP)
        shown: list[Decimal] = []
        for analyte, name, colour, symbol in present:
            own = domain.display_unit(analyte, system)
            found = [lab for lab in labs if lab.analyte is analyte]
            values = [shown_value(analyte, lab.value, own) for lab in found]
            shown += values
            flags = [lab_flag(analyte, lab.value, own) for lab in found]
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": f"{name} ({own})",
                    "x": [iso(lab.date) for lab in found],
                    "y": [num(value) for value in values],
                    "yaxis": axis,
                    "line": {"color": colour, "width": 2},
                    "marker": {"symbol": symbol, "size": 9, "color": colour},
                    "text": [flag.word if flag else "" for flag in flags],
                    "hovertemplate": f"<b>{name}</b> %{{x|%Y-%m-%d}}<br>%{{y}} {own} %{{text}}"
                    "<extra></extra>",
                }
            )
        for n, (limit, relation, words) in enumerate(panel.lines):
            level = shown_threshold(present[0][0], limit, unit)
            shown.append(level)
            shapes.append(
                {
                    "type": "line",
                    "xref": "x domain",
                    "x0": 0,
                    "x1": 1,
                    "yref": axis,
                    "y0": num(level),
                    "y1": num(level),
                    "line": {"color": "#444444", "width": 1, "dash": "dash"},
                }
            )
            # Alternate sides, so the labels of two close lines do not cover each other.
            right = n % 2 == 0
            annotations.append(
                {
                    "xref": "x domain",
                    "x": 0.995 if right else 0.005,
                    "xanchor": "right" if right else "left",
                    "yref": axis,
                    "y": num(level),
                    "yanchor": "bottom",
                    "showarrow": False,
                    "text": f"{relation} {_line_words(present[0][0], limit, unit, line_unit)}: "
                    f"{words}",
                    "font": {"size": 10, "color": "#333333"},
                }
            )
        layout[f"yaxis{row + 1}" if row else "yaxis"] = {
            "domain": [max(top - height, 0), top],
            "title": {"text": f"{panel.title}<br>({', '.join(units)})"},
            "range": _range(shown),
            "zeroline": False,
        }
    layout |= {
        "font": FONT,
        "height": 220 * len(drawn) + 80,
        "margin": {"l": 80, "r": 20, "t": 20, "b": 40},
        "hovermode": "closest",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.08, "yanchor": "top"},
        "xaxis": {
            **date_axis(lab.date for lab in labs),
            "anchor": f"y{len(drawn)}" if len(drawn) > 1 else "y",
        },
        "shapes": shapes,
        "annotations": annotations,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return {"data": traces, "layout": layout, "config": config(static=static)}
