"""The labs chart: vitamin D, calcium and kidney function (eGFR, creatinine clearance) over time,
one panel each, in the site's units, with the rules' thresholds drawn as labelled dashed lines.

Colour is never the only cue: each analyte has its own marker symbol and legend name, each line
says in words what it marks, and a flagged result says its flag on hover (the table beside the
chart says it too).

A line is tagged with its threshold alone ("< 35") in the right margin, where nothing else is
drawn, the tags of close lines moved apart; what each means is in the key under the chart
(`threshold_key`) and on hover. Written in full on the plot, the kidney panel's three labels
("below 35 …: no zoledronic acid; no alendronate", "below 30 …: no risedronate or ibandronate;
denosumab: hypocalcaemia risk", "at or below 60 …") were wider than the plot on the patient
page's narrow column and covered each other and the axis title (nurse11 15).

The kidney panel draws, beside the measured eGFR and clearance, the Cockcroft-Gault clearance of
each creatinine and a ring on the value the rules judge of each sample (`charts.kidney`,
nurse14 #2); its axis then names both units, mL/min/1.73 m² and mL/min."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.domain import thresholds
from monitoring.overview.charts import kidney
from monitoring.overview.charts.lab_series import Series
from monitoring.overview.charts.style import FONT, Figure, config, date_axis, num
from monitoring.overview.kidney_to_measure import CreatinineToMeasure, creatinine_to_measure
from monitoring.overview.lab_texts import unit_notation
from monitoring.overview.lab_values import shown_result, shown_threshold, threshold_words
from monitoring.overview.labs import KIDNEY_LIMITS, KIDNEY_REDUCED, lab_flag

A = domain.Analyte


@dataclass(frozen=True)
class Panel:
    title: str
    analytes: tuple[tuple[domain.Analyte, str, str, str], ...]  # analyte, name, colour, symbol
    # (canonical threshold, "below" or "at or below", what it means)
    lines: tuple[tuple[Decimal, str, str], ...]
    # The kidney panel: the creatinines' Cockcroft-Gault clearances and the judged ring too.
    kidney: bool = False


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
        kidney=True,
    ),
)
_GAP = 0.08
PANEL_PX = 220  # the height of a panel (and its share of the gap)
MARGIN = {"l": 80, "r": 56, "t": 20, "b": 40}  # the right margin holds the lines' tags
TAG_FONT_PX = 10
TAG_GAP_PX = TAG_FONT_PX + 3  # the least distance between the middles of two tags
RELATION_SIGN = {"below": "<", "at or below": "\u2264"}


def _range(values: list[Decimal]) -> list[float]:
    """The results and the lines with a margin: not from zero, where a change would look flat."""
    low, high = num(min(values)), num(max(values))
    margin = max((high - low) * 0.15, high * 0.05)
    return [max(low - margin, 0.0), high + margin]


def _label(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _line_words(analyte: domain.Analyte, limit: Decimal, unit: str, line_unit: str) -> str:
    """A line's threshold as the flags write it ("50 nmol/L (20 ng/mL)"), where the panel has
    one unit; the bare number where it has two (kidney function, whose axis names them)."""
    if line_unit:
        return threshold_words(analyte, limit, unit)
    return _label(shown_threshold(analyte, limit, unit))


@dataclass(frozen=True)
class Line:
    """A threshold as one panel draws it: its level in the panel's unit, its tag and its words."""

    level: Decimal
    tag: str  # "< 35"
    words: str  # "below 35 mL/min/1.73 m²: no zoledronic acid; no alendronate"


@dataclass(frozen=True)
class DrawnPanel:
    panel: Panel
    series: list[Series]  # the traces with a point, a ring last
    # The creatinine that asks for kidney function to be measured (the kidney panel's key).
    to_measure: CreatinineToMeasure | None = None

    @property
    def units(self) -> list[str]:
        return list(dict.fromkeys(one.unit for one in self.series if not one.ring))

    @property
    def heading(self) -> str:
        return f"{self.panel.title} ({unit_notation(', '.join(self.units))})"

    @property
    def note(self) -> str:
        """What the key says of the panel beyond its lines (the kidney panel's ring)."""
        return kidney.key_note(self.series, self.to_measure)

    @property
    def lines(self) -> list[Line]:
        analyte, unit = self.series[0].analyte, self.series[0].unit
        # A line's words name the unit where the panel has one (kidney function has two).
        line_unit = f" {unit}" if len(self.units) == 1 else ""
        return [
            Line(
                level=shown_threshold(analyte, limit, unit),
                tag=f"{RELATION_SIGN[relation]} {_label(shown_threshold(analyte, limit, unit))}",
                words=unit_notation(
                    f"{relation} {_line_words(analyte, limit, unit, line_unit)}: {words}"
                ),
            )
            for limit, relation, words in self.panel.lines
        ]


def _measured_series(
    panel: Panel,
    labs: list[domain.LabResult],
    system: domain.UnitSystem,
    judged: kidney.Judged,
) -> list[Series]:
    """A trace for each analyte of `panel` with a result, in its unit, each point saying its
    flag on hover."""
    drawn = []
    for analyte, name, colour, symbol in panel.analytes:
        found = [lab for lab in labs if lab.analyte is analyte]
        if not found:
            continue
        unit = domain.display_unit(analyte, system)
        # Each point as the table writes it (`lab_values`), flagged in the unit it reads in; one
        # that reads as entered, in its own unit (nurse14 #3), is drawn at its exact conversion,
        # its hover text in its own unit.
        written = [shown_result(lab, unit) for lab in found]
        words = []
        for lab, point in zip(found, written, strict=True):
            flag = lab_flag(lab, point.unit)
            word = flag.word if flag else ""
            words.append(kidney.measured_words(lab, word, judged) if panel.kidney else word)
        drawn.append(
            Series(
                analyte,
                name,
                unit,
                colour,
                symbol,
                tuple(lab.date for lab in found),
                tuple(
                    point.value
                    if point.unit == unit
                    else domain.from_canonical(analyte, lab.value, unit)
                    for lab, point in zip(found, written, strict=True)
                ),
                tuple(words),
                written=tuple(unit_notation(str(point)) for point in written),
            )
        )
    return drawn


def _drawn_panels(
    history: domain.History,
    labs: list[domain.LabResult],
    system: domain.UnitSystem,
    as_of: dt.date,
) -> list[DrawnPanel]:
    """The panels with a point, each with its traces."""
    judged = kidney.judged_by_sample(history, labs)
    # RENAL's decision on the latest creatinine, read only where there is one to draw.
    has_creatinine = any(lab.analyte is A.CREATININE for lab in labs)
    to_measure = creatinine_to_measure(history, as_of) if has_creatinine else None
    drawn = []
    for panel in PANELS:
        series = _measured_series(panel, labs, system, judged)
        if panel.kidney:
            series += kidney.added_series(
                history, labs, judged, system, measured=series, to_measure=to_measure
            )
            if series:
                drawn.append(DrawnPanel(panel, series, to_measure))
        elif series:
            drawn.append(DrawnPanel(panel, series))
    return drawn


# What the chart draws from: its panels' analytes, and the creatinines the kidney panel's
# estimates come from.
DRAWN_ANALYTES = frozenset(
    {analyte for panel in PANELS for analyte, *_ in panel.analytes} | {A.CREATININE}
)


def _labs_until(history: domain.History, as_of: dt.date) -> list[domain.LabResult]:
    """The results this chart draws (not the bone turnover markers, which have their own), until
    `as_of`: its date axis spans their dates alone (phys12 F16: a CTX months earlier widened the
    span past `date_axis`'s shortest, and plotly zoomed in on one day's results to the
    millisecond)."""
    return sorted(
        (lab for lab in history.labs if lab.date <= as_of and lab.analyte in DRAWN_ANALYTES),
        key=lambda lab: lab.date,
    )


def threshold_key(
    history: domain.History, system: domain.UnitSystem, *, as_of: dt.date
) -> list[dict[str, Any]]:
    """What each tagged line of `labs_figure` means, panel by panel, and what its marks say
    (`DrawnPanel.note`): the key under the chart."""
    return [
        {
            "heading": drawn.heading,
            "lines": [line.words for line in drawn.lines],
            "note": drawn.note,
        }
        for drawn in _drawn_panels(history, _labs_until(history, as_of), system, as_of)
    ]


def tag_shifts(levels: list[float], px_per_unit: float) -> list[float]:
    """How far (pixels, up) to move each line's tag so that no two cover each other: from the
    lowest line up, a tag closer than `TAG_GAP_PX` to the one below it moves up."""
    shifts = [0.0] * len(levels)
    below: float | None = None
    for n in sorted(range(len(levels)), key=lambda n: levels[n]):
        wanted = levels[n] * px_per_unit
        placed = wanted if below is None else max(wanted, below + TAG_GAP_PX)
        shifts[n] = round(placed - wanted, 1)
        below = placed
    return shifts


def labs_figure(
    history: domain.History,
    system: domain.UnitSystem,
    *,
    as_of: dt.date,
    static: bool = False,
) -> Figure | None:
    """Vitamin D, calcium and kidney function over time, each in its own panel (only panels with
    a result). None without any of them."""
    labs = _labs_until(history, as_of)
    drawn = _drawn_panels(history, labs, system, as_of)
    if not drawn:
        return None
    height = (1 - _GAP * (len(drawn) - 1)) / len(drawn)
    figure_px = PANEL_PX * len(drawn) + 80
    panel_px = height * (figure_px - MARGIN["t"] - MARGIN["b"])
    traces: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    days: list[dt.date] = []
    for row, panel in enumerate(drawn):
        axis = "y" if row == 0 else f"y{row + 1}"
        top = 1 - row * (height + _GAP)
        shown: list[Decimal] = []
        for series in panel.series:
            shown += series.values
            days += series.days
            traces.append(series.trace(axis))
        lines = panel.lines
        shown += [line.level for line in lines]
        y_range = _range(shown)
        shifts = tag_shifts(
            [num(line.level) for line in lines], panel_px / (y_range[1] - y_range[0])
        )
        for line, shift in zip(lines, shifts, strict=True):
            shapes.append(
                {
                    "type": "line",
                    "xref": "x domain",
                    "x0": 0,
                    "x1": 1,
                    "yref": axis,
                    "y0": num(line.level),
                    "y1": num(line.level),
                    "line": {"color": "#444444", "width": 1, "dash": "dash"},
                }
            )
            annotations.append(
                {
                    "xref": "x domain",
                    "x": 1,
                    "xanchor": "left",
                    "xshift": 4,
                    "yref": axis,
                    "y": num(line.level),
                    "yanchor": "middle",
                    "yshift": shift,
                    "showarrow": False,
                    "text": line.tag,
                    "hovertext": line.words,
                    "font": {"size": TAG_FONT_PX, "color": "#333333"},
                }
            )
        layout[f"yaxis{row + 1}" if row else "yaxis"] = {
            "domain": [max(top - height, 0), top],
            "title": {"text": f"{panel.panel.title}<br>({unit_notation(', '.join(panel.units))})"},
            "range": y_range,
            "zeroline": False,
        }
    layout |= {
        "font": FONT,
        "height": figure_px,
        "margin": MARGIN,
        "hovermode": "closest",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.08, "yanchor": "top"},
        "xaxis": {
            **date_axis(days),
            "anchor": f"y{len(drawn)}" if len(drawn) > 1 else "y",
        },
        "shapes": shapes,
        "annotations": annotations,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return {"data": traces, "layout": layout, "config": config(static=static)}
