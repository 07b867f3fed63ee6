"""Lab units: the accepted unit strings per analyte and conversion to the canonical (first) unit.

The conversion factors are `_CONVERSIONS` below (listed in `docs/history-format.md`). µ may be
written as the micro sign (U+00B5), the Greek small letter mu (U+03BC) or a plain `u`, and a unit
in any letter case ("ng/ml", "NMOL/L"): `normalize_unit` writes it as accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from .errors import HistoryError
from .types import Analyte

MICRO: Final = "\u00b5"
_MICRO_VARIANTS: Final = ("\u03bc", "u")

_ONE: Final = Decimal(1)

# Per analyte and unit, (multiplier, divisor) to reach the canonical unit. Dividing by the published
# factor (not multiplying by a rounded inverse) keeps 74.88 nmol/L exactly 30 ng/mL.
_CONVERSIONS: Final[dict[Analyte, dict[str, tuple[Decimal, Decimal]]]] = {
    Analyte.CTX: {"ng/mL": (_ONE, _ONE), "pg/mL": (_ONE, Decimal(1000))},
    Analyte.P1NP: {f"{MICRO}g/L": (_ONE, _ONE), "ng/mL": (_ONE, _ONE)},
    Analyte.BSAP: {f"{MICRO}g/L": (_ONE, _ONE)},
    Analyte.UNTX: {"nmol BCE/mmol creatinine": (_ONE, _ONE)},
    Analyte.VITAMIN_D_25OH: {"ng/mL": (_ONE, _ONE), "nmol/L": (_ONE, Decimal("2.496"))},
    Analyte.CALCIUM: {"mmol/L": (_ONE, _ONE), "mg/dL": (_ONE, Decimal("4.008"))},
    Analyte.EGFR: {"mL/min/1.73m2": (_ONE, _ONE)},
    Analyte.CRCL: {"mL/min": (_ONE, _ONE)},
    Analyte.CREATININE: {f"{MICRO}mol/L": (_ONE, _ONE), "mg/dL": (Decimal("88.42"), _ONE)},
}

ACCEPTED_UNITS: Final[Mapping[Analyte, tuple[str, ...]]] = MappingProxyType(
    {analyte: tuple(units) for analyte, units in _CONVERSIONS.items()}
)
"""Accepted unit strings per analyte, canonical unit first (µ written as the micro sign)."""

CANONICAL_UNIT: Final[Mapping[Analyte, str]] = MappingProxyType(
    {analyte: units[0] for analyte, units in ACCEPTED_UNITS.items()}
)


class UnitSystem(StrEnum):
    """The units a clinician reads labs in; the values are stored in the canonical unit."""

    SI = "si"
    CONVENTIONAL = "conventional"


# Where SI and conventional units differ; every other analyte reads in its canonical unit.
_SYSTEM_UNITS: Final[dict[UnitSystem, dict[Analyte, str]]] = {
    UnitSystem.SI: {
        Analyte.VITAMIN_D_25OH: "nmol/L",
        Analyte.CALCIUM: "mmol/L",
        Analyte.CREATININE: f"{MICRO}mol/L",
    },
    UnitSystem.CONVENTIONAL: {
        Analyte.VITAMIN_D_25OH: "ng/mL",
        Analyte.CALCIUM: "mg/dL",
        Analyte.CREATININE: "mg/dL",
    },
}


def display_unit(analyte: Analyte, system: UnitSystem) -> str:
    """The one unit `analyte` is shown in under `system` (an accepted unit of the analyte)."""
    return _SYSTEM_UNITS[system].get(analyte, CANONICAL_UNIT[analyte])


def from_canonical(analyte: Analyte, value: Decimal, unit: str) -> Decimal:
    """Convert a canonical `value` of `analyte` to `unit` (one of its accepted units), at full
    decimal precision: the inverse of `to_canonical`, from the same factors."""
    multiplier, divisor = _CONVERSIONS[analyte][normalize_unit(unit)]
    if divisor != _ONE:
        value = value * divisor
    if multiplier != _ONE:
        value = value / multiplier
    return value


def _micro(unit: str) -> str:
    """`unit` with a leading µ variant (Greek mu or `u`) written as the micro sign."""
    for variant in _MICRO_VARIANTS:
        if unit.startswith(variant + "g/") or unit.startswith(variant + "mol/"):
            return MICRO + unit[len(variant) :]
    return unit


def _folded(unit: str) -> str:
    # lower(), not casefold(): casefold() turns the micro sign into the Greek mu.
    return _micro(unit.lower())


def _accepted_by_folded() -> dict[str, str]:
    """Each accepted unit by its letters in lower case, where no other accepted unit folds to
    the same: every one today (a pair that differed only in case, mg and Mg, would be left
    out and need its exact case)."""
    units = {unit for conversions in _CONVERSIONS.values() for unit in conversions}
    folds: dict[str, set[str]] = {}
    for unit in units:
        folds.setdefault(_folded(unit), set()).add(unit)
    return {folded: next(iter(same)) for folded, same in folds.items() if len(same) == 1}


_ACCEPTED_BY_FOLDED: Final = MappingProxyType(_accepted_by_folded())


def normalize_unit(unit: str) -> str:
    """Return `unit` written as the accepted unit it names, whatever its letters' case and its µ
    (micro sign, Greek mu or `u`): "ng/ml" is ng/mL, "UMOL/L" µmol/L (nurse14 #14: a lab's
    export in lower case was refused). Any other unit comes back with only its µ written as the
    micro sign, and is refused where it is not accepted."""
    micro = _micro(unit)
    return _ACCEPTED_BY_FOLDED.get(_folded(micro), micro)


def to_canonical(
    analyte: Analyte | str, value: Decimal, unit: str, *, path: str = "unit"
) -> Decimal:
    """Convert `value` in `unit` to the canonical unit of `analyte`, at full decimal precision.

    Raise `HistoryError` (at `path`) for an unknown analyte or a unit not accepted for it.
    """
    try:
        known = Analyte(analyte)
    except ValueError:
        raise HistoryError(path, f"unknown analyte {analyte!r}") from None
    conversions = _CONVERSIONS[known]
    conversion = conversions.get(normalize_unit(unit))
    if conversion is None:
        accepted = ", ".join(ACCEPTED_UNITS[known])
        raise HistoryError(path, f"unit {unit!r} is not accepted for {known} (use {accepted})")
    multiplier, divisor = conversion
    if multiplier != _ONE:
        value = value * multiplier
    if divisor != _ONE:
        value = value / divisor
    return value
