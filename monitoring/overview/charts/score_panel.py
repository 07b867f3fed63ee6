"""The BMD chart's lower panel: the T-score with the WHO bands, or the Z-score where T-score
categories do not apply.

The rules decide who T-score categories are not made for (WHO-CAT, Population: a premenopausal
woman, a man under 50) and store it as the WHO category `not_applicable`; the chart reads that
and decides nothing of its own. For such a patient it draws neither the WHO bands nor the
projected T-score (PROJ's thresholds are T-score categories and its ATAC rates postmenopausal
losses: the specification is silent; the conservative reading, physician11 F7). Its lower panel
shows the Z-scores, with the Z -2.0 line below which a Z-score is below the expected range for
age (ISCD), or, where no scan has a Z-score, the T-scores without bands, since the therapy
triggers still count them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from monitoring import domain
from monitoring.domain import thresholds
from monitoring.overview.charts.style import OSTEOPENIA_FILL, OSTEOPOROSIS_FILL
from monitoring.overview.letter_z_score import Z_POPULATION_BY_SEX

BAND_LABEL_MARGIN_PX = 84
MINUS = "\u2212"


class Panel(StrEnum):
    """What the lower panel shows: T-scores with the WHO bands, Z-scores, or T-scores alone."""

    T_BANDS = "t_bands"
    Z = "z"
    T_PLAIN = "t_plain"


def t_categories_apply(assessment: Mapping[str, Any]) -> bool:
    """Whether the WHO T-score categories apply, as the stored assessment says (WHO-CAT)."""
    return assessment.get("who_category") != domain.WhoCategory.NOT_APPLICABLE


def panel_of(assessment: Mapping[str, Any], *, any_z_score: bool) -> Panel:
    """The lower panel for a patient with `assessment`, whose scans have a Z-score or not."""
    if t_categories_apply(assessment):
        return Panel.T_BANDS
    return Panel.Z if any_z_score else Panel.T_PLAIN


def withheld_note(panel: Panel, sex: str) -> str | None:
    """The one line saying why the chart has no WHO bands and the page no projected T-score."""
    if panel is Panel.T_BANDS:
        return None
    who = Z_POPULATION_BY_SEX.get(
        sex, f"premenopausal woman or man under {thresholds.MALE_T_SCORE_MIN_AGE}"
    )
    return (
        "No WHO bands or projected T-score: T-score categories and the projection's loss rates "
        f"do not apply to a {who}; read the Z-scores."
    )


def t_panel_share(t_range: float) -> float:
    """The lower panel's share of the plot's height: 0.47 for the usual range of 4 score units,
    more for a wider one (up to 0.62), so that a unit keeps about the same height and the band
    labels beside it keep apart."""
    return round(min(max(0.47 * t_range / 4, 0.47), 0.62), 3)


def _margin_label(y: float, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "xref": "paper",
        "x": 1,
        "xanchor": "left",
        "xshift": 4,
        "yref": "y2",
        "showarrow": False,
        "font": {"size": 10, "color": "#5c3a00"},
        "y": y,
        "text": text,
        **extra,
    }


def band_labels() -> list[dict[str, Any]]:
    """The WHO bands' names and the T -2.0 line's, in the right margin beside the T-score panel.

    Inside the plot they met the markers, the estimates' dashed lines and their "estimate" labels
    wherever they were put (a phone's chart is 250 pixels wide); in the margin they meet nothing.
    One word each, at the band's top edge (and the line's height), so that they do not meet each
    other on a short panel either; the bands' T-score ranges are in their hover text and the
    chart's caption.
    """
    return [
        _margin_label(-1.0, "Osteopenia", yanchor="top")
        | {"hovertext": f"Osteopenia: T-score {MINUS}2.5 to {MINUS}1.0"},
        _threshold_label("T"),
        _margin_label(-2.5, "Osteoporosis", yanchor="top")
        | {"hovertext": f"Osteoporosis: T-score \u2264 {MINUS}2.5"},
    ]


def _threshold_label(score: str) -> dict[str, Any]:
    label = _margin_label(-2.0, f"{score} {MINUS}2.0", yanchor="middle")
    label["font"] = {"size": 10, "color": "#444444"}
    if score == "Z":
        label["hovertext"] = (
            f"Z-score {thresholds.Z_BELOW_EXPECTED_MAX} or below: below the expected range for age"
        )
    return label


def _threshold_line() -> dict[str, Any]:
    return {
        "type": "line",
        "xref": "x domain",
        "x0": 0,
        "x1": 1,
        "yref": "y2",
        "y0": -2.0,
        "y1": -2.0,
        "line": {"color": "#666666", "width": 1, "dash": "dot"},
    }


@dataclass(frozen=True)
class PanelDrawing:
    """The lower panel's axis title, its shapes (bands, the -2.0 line) and their margin labels."""

    title: str
    shapes: list[dict[str, Any]]
    labels: list[dict[str, Any]]


def panel_drawing(panel: Panel, low: float) -> PanelDrawing:
    """What `panel` draws on a lower panel whose axis starts at `low`."""
    if panel is Panel.Z:
        return PanelDrawing("Z-score", [_threshold_line()], [_threshold_label("Z")])
    if panel is Panel.T_PLAIN:
        return PanelDrawing("T-score", [_threshold_line()], [_threshold_label("T")])
    band = {"type": "rect", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y2", "layer": "below"}
    shapes = [
        band | {"y0": -2.5, "y1": -1.0, "fillcolor": OSTEOPENIA_FILL, "line": {"width": 0}},
        band | {"y0": low, "y1": -2.5, "fillcolor": OSTEOPOROSIS_FILL, "line": {"width": 0}},
        _threshold_line(),
    ]
    return PanelDrawing("T-score", shapes, band_labels())
