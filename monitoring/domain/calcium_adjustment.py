"""The albumin-adjusted calcium worked out from a total calcium and the albumin of its sample.

CA-LOW judges the calcium "entered albumin-adjusted". Where a laboratory reports the total calcium
and the albumin alone, the entry forms work the adjusted value out with the formula of
`thresholds` (Payne 1973) and store it as the calcium result, in the unit the total was given in:

    adjusted (mmol/L) = total + 0.02 x (40 - albumin in g/L)
    adjusted (mg/dL)  = total + 0.8 x (4.0 - albumin in g/dL)

An albumin in the other unit is converted first (1 g/dL = 10 g/L). The result is rounded to 0.01,
half away from zero, as the rules round a lab value before comparing it with a threshold
(`columns.LAB_JUDGED_PLACES`): the value stored is the value judged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from . import thresholds
from .rounding import round_2
from .types import Analyte
from .units import ACCEPTED_UNITS, normalize_unit

ALBUMIN_UNITS: Final = ("g/L", "g/dL")
"""The albumin units accepted, SI first."""

_G_PER_L_IN_G_PER_DL: Final = Decimal(10)

# The adjustment per g/L of albumin below the reference, in each calcium unit: 0.8 mg/dL per g/dL
# is 0.08 mg/dL per g/L.
_SLOPE_PER_G_L: Final = {
    "mmol/L": thresholds.ADJUSTED_CALCIUM_SLOPE_MMOL_L,
    "mg/dL": thresholds.ADJUSTED_CALCIUM_SLOPE_MG_DL / _G_PER_L_IN_G_PER_DL,
}
assert tuple(_SLOPE_PER_G_L) == ACCEPTED_UNITS[Analyte.CALCIUM]  # noqa: S101  (one per unit)


def albumin_g_l(albumin: Decimal, unit: str) -> Decimal:
    """An albumin in g/L, from `unit` (one of `ALBUMIN_UNITS`); ValueError for another unit."""
    if unit == "g/L":
        return albumin
    if unit == "g/dL":
        return albumin * _G_PER_L_IN_G_PER_DL
    raise ValueError(f"albumin unit {unit!r} is not one of {', '.join(ALBUMIN_UNITS)}")


def albumin_plausible(albumin: Decimal, unit: str) -> bool:
    """Whether an albumin lies in `thresholds.ALBUMIN_PLAUSIBLE_G_L` (bounds included)."""
    low, high = thresholds.ALBUMIN_PLAUSIBLE_G_L
    return low <= albumin_g_l(albumin, unit) <= high


def albumin_range(unit: str) -> tuple[Decimal, Decimal]:
    """`thresholds.ALBUMIN_PLAUSIBLE_G_L` in `unit`, for a refusal to quote in the unit typed."""
    low, high = thresholds.ALBUMIN_PLAUSIBLE_G_L
    if unit == "g/dL":
        return low / _G_PER_L_IN_G_PER_DL, high / _G_PER_L_IN_G_PER_DL
    return low, high


def adjusted_calcium(
    total: Decimal, calcium_unit: str, albumin: Decimal, albumin_unit: str
) -> Decimal:
    """The albumin-adjusted calcium, in `calcium_unit`, rounded to 0.01 (see the module)."""
    slope = _SLOPE_PER_G_L[normalize_unit(calcium_unit)]
    reference = thresholds.ADJUSTED_CALCIUM_REFERENCE_ALBUMIN_G_L
    return round_2(total + slope * (reference - albumin_g_l(albumin, albumin_unit)))
