"""Plotly figures of a patient's BMD, T-scores and bone turnover markers, as plain dicts.

Built from the domain history (`monitoring.assessment.history.history_from_records`) and the
stored assessment JSON (docs/history-format.md). Plain dicts, not `plotly.graph_objects`: its
validation costs ~16 ms a figure on every page view; the tests validate the dicts instead. The
page emits a figure with `json_script` and `static/js/charts.js` draws it. Colour is never the only
cue: every site has its own marker symbol and legend name, bands and periods carry text labels,
and estimates are dashed and say so.

`bmd`, `btm` and `labs` build one figure each, from what `style` gives every chart;
`patient_figures` here is what the patient page and its printouts ask for.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.overview.charts.bmd import bmd_figure, bmd_figure_of, bmd_series
from monitoring.overview.charts.btm import BTM_ANALYTES, btm_figure, btm_figure_of, btm_points
from monitoring.overview.charts.labs import labs_figure, threshold_key
from monitoring.overview.charts.projection import withheld_note as projection_withheld_note
from monitoring.overview.charts.score_panel import withheld_note
from monitoring.overview.charts.style import BASIS_LABEL, iso, num

__all__ = ["bmd_figure", "btm_figure", "labs_figure", "patient_figures"]


def _iso_or_none(day: dt.date | None) -> str | None:
    return iso(day) if day is not None else None


def _passed(day: dt.date | None, as_of: dt.date) -> bool:
    return day is not None and day < as_of


def _reached(from_t: Decimal, level: Decimal) -> str:
    """What a projection row says of a level its site's T-score has reached already (the rules
    give no crossing date then): the dash read as "never" or "already" (nurse12 F16)."""
    if from_t < level:
        return "already below"
    return "already at it" if from_t == level else ""


def patient_figures(
    history: domain.History,
    assessment: Mapping[str, Any] | None,
    *,
    as_of: dt.date,
    static: bool,
    lab_units: domain.UnitSystem = domain.UnitSystem.SI,
) -> dict[str, Any]:
    """The page context of a patient's charts: the figures and the rows of their data tables
    (the labs chart in `lab_units`). Each chart's points are read once, for its figure and its
    table alike."""
    bmd = bmd_series(history, assessment or {}, as_of=as_of)
    btm = btm_points(history, as_of=as_of)
    return {
        "bmd_figure": bmd_figure_of(history, bmd, as_of=as_of, static=static),
        "btm_figure": btm_figure_of(history, btm, as_of=as_of, static=static),
        "labs_figure": labs_figure(history, lab_units, as_of=as_of, static=static),
        "labs_key": threshold_key(history, lab_units, as_of=as_of),
        # What the BMD chart's lower panel shows, and why it has no bands nor projection (or
        # not every site's: `projection.withheld_note`).
        "bmd_panel": bmd.panel.value,
        "bmd_note": " ".join(
            note
            for note in (
                withheld_note(bmd.panel, str(history.patient.sex)),
                projection_withheld_note(bmd.projections),
            )
            if note
        )
        or None,
        # Newest first, as the Labs table below it (nurse14 #10: the newest CTX sat at the
        # bottom of one table and the top of the next); CTX before P1NP on one day.
        "btm_rows": sorted(
            (
                {"date": lab.date, "analyte": BTM_ANALYTES[analyte][0], "value": lab.value}
                | {
                    "unit": BTM_ANALYTES[analyte][1],
                    "fasting": lab.fasting,
                    "is_ctx": analyte == "ctx",
                }
                for analyte, labs in btm.items()
                for lab in labs
            ),
            key=lambda row: (row["date"], row["is_ctx"]),
            reverse=True,
        ),
        "projection_rows": [
            {
                "site": projection.site.value,
                "basis": BASIS_LABEL.get(projection.basis, projection.basis),
                "from_date": iso(projection.from_date),
                "from_t": num(projection.from_t),
                "cross_2_0": _iso_or_none(projection.crossings.get(Decimal("-2.0"))),
                "cross_2_5": _iso_or_none(projection.crossings.get(Decimal("-2.5"))),
                "reached_2_0": _reached(projection.from_t, Decimal("-2.0")),
                "reached_2_5": _reached(projection.from_t, Decimal("-2.5")),
                # A crossing date before today is an estimate that no scan has confirmed: the
                # table says so rather than print it as if it were ahead (physician7 F16).
                "cross_2_0_passed": _passed(projection.crossings.get(Decimal("-2.0")), as_of),
                "cross_2_5_passed": _passed(projection.crossings.get(Decimal("-2.5")), as_of),
                "drawn_to": iso(projection.line[-1][0]) if projection.line else None,
                "not_drawn": projection.not_drawn,
            }
            for projection in bmd.projections
            if projection.withheld is None
        ],
    }
