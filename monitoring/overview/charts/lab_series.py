"""One trace of the labs chart: a measure's points in its unit, each with the words it says on
hover after its value (its flag, and for kidney function whether the rules judge it)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.overview.charts.style import iso, num
from monitoring.overview.lab_texts import unit_notation

MARKER_PX = 9
RING_PX = 18  # around a marker of MARKER_PX


@dataclass(frozen=True)
class Series:
    """A panel's trace. `analyte` and `unit` are whose thresholds the panel's lines are drawn
    and written in (a Cockcroft-Gault estimate is a creatinine clearance, in mL/min). A `ring`
    marks values of other traces: it adds no unit to the panel, and its words say the unit."""

    analyte: domain.Analyte
    name: str
    unit: str
    colour: str
    symbol: str
    days: tuple[dt.date, ...]
    values: tuple[Decimal, ...]
    words: tuple[str, ...]
    dash: str = "solid"
    ring: bool = False
    # Each value as the labs table writes it, with its unit (`lab_values.shown_result`), for the
    # hover; empty: the drawn value in the trace's unit.
    written: tuple[str, ...] = ()

    @property
    def legend(self) -> str:
        return self.name if self.ring else f"{self.name} ({unit_notation(self.unit)})"

    def trace(self, axis: str) -> dict[str, Any]:
        """The plotly trace, on y-axis `axis`."""
        common = {
            "type": "scatter",
            "name": self.legend,
            "x": [iso(day) for day in self.days],
            "y": [num(value) for value in self.values],
            "yaxis": axis,
            "text": list(self.words),
        }
        if self.ring:
            return common | {
                "mode": "markers",
                "marker": {
                    "symbol": self.symbol,
                    "size": RING_PX,
                    "color": self.colour,
                    "line": {"width": 2},
                },
                "hovertemplate": f"<b>{self.name}</b> %{{x|%Y-%m-%d}}<br>%{{text}}<extra></extra>",
            }
        value = "%{customdata}" if self.written else f"%{{y}} {unit_notation(self.unit)}"
        return common | {
            "mode": "lines+markers",
            "line": {"color": self.colour, "width": 2, "dash": self.dash},
            "marker": {"symbol": self.symbol, "size": MARKER_PX, "color": self.colour},
            **({"customdata": list(self.written)} if self.written else {}),
            "hovertemplate": f"<b>{self.name}</b> %{{x|%Y-%m-%d}}<br>{value} "
            "%{text}<extra></extra>",
        }
