"""Whether a lab result is below or above one of the rules' limits, as the rules judge it: the one
statement of it, which the rules and the pages' flags both call.

A 25-OH vitamin D is judged against the limit in the unit it was entered in, as entered
(`thresholds.VITD_LIMITS_NMOL_L`: 75 nmol/L, not the 74.88 nmol/L that 30 ng/mL converts to, nor
30 ng/mL compared with 74.9 nmol/L converted to 30.01). No conversion, so no rounding
(docs/clinical-rules.md rounds lab values after unit conversion). Every other result is judged in
its canonical unit, rounded to 0.01 (Conventions).
"""

from __future__ import annotations

from decimal import Decimal

from .rounding import round_2
from .thresholds import VITD_LIMITS_NMOL_L
from .types import Analyte, LabResult
from .units import CANONICAL_UNIT, normalize_unit

VITAMIN_D = Analyte.VITAMIN_D_25OH
# The units the guideline writes vitamin D's limits in, each limit's number in that unit.
_VITD_LIMITS_BY_UNIT = {"nmol/L": VITD_LIMITS_NMOL_L}


def as_entered(lab: LabResult) -> tuple[Decimal, str]:
    """The value and unit `lab` was entered in (the canonical ones when it gives none)."""
    if lab.entered_value is not None and lab.entered_unit:
        return lab.entered_value, normalize_unit(lab.entered_unit)
    return lab.value, CANONICAL_UNIT[lab.analyte]


def limit_in(analyte: Analyte, limit: Decimal, unit: str) -> Decimal | None:
    """A rules' `limit` of `analyte` (canonical unit) as its source writes it in `unit`: itself
    in the canonical unit, 75 nmol/L for vitamin D's 30 ng/mL; None where no source writes it
    in `unit` (the rules compare there in the canonical unit)."""
    if unit == CANONICAL_UNIT[analyte]:
        return limit
    if analyte is VITAMIN_D:
        return _VITD_LIMITS_BY_UNIT.get(unit, {}).get(limit)
    return None


def judged_value(lab: LabResult, limit: Decimal) -> tuple[Decimal, Decimal]:
    """The number the rules compare with `limit` and the limit as compared: a vitamin D as
    entered against the limit in its unit; any other result rounded to 0.01 in the canonical
    unit against `limit`."""
    if lab.analyte is VITAMIN_D:
        value, unit = as_entered(lab)
        written = limit_in(VITAMIN_D, limit, unit)
        if written is not None:
            return value, written
    return round_2(lab.value), limit


def below(lab: LabResult, limit: Decimal) -> bool:
    """Whether `lab` is below the rules' `limit` (canonical unit), as the rules judge it."""
    value, compared = judged_value(lab, limit)
    return value < compared


def above(lab: LabResult, limit: Decimal) -> bool:
    """Whether `lab` is above the rules' `limit` (canonical unit), as the rules judge it."""
    value, compared = judged_value(lab, limit)
    return value > compared


def quoted(lab: LabResult) -> tuple[str, str]:
    """A vitamin D as the rules' texts quote it: as entered ("74.9", "nmol/L"), the unit its
    limits are then written in; any other result rounded to 0.01 in its canonical unit."""
    if lab.analyte is VITAMIN_D:
        value, unit = as_entered(lab)
        return _plain(value), unit
    return str(round_2(lab.value)), CANONICAL_UNIT[lab.analyte]


def quoted_limit(lab: LabResult, limit: Decimal) -> str:
    """`limit` (canonical) as a text quoting `lab` (`quoted`) writes it, in the same unit."""
    _, unit = quoted(lab)
    written = limit_in(lab.analyte, limit, unit)
    return _plain(written if written is not None else limit)


def _plain(value: Decimal) -> str:
    """30.000 -> "30", 74.90 -> "74.9" (never "3E+1")."""
    return format(value.normalize(), "f")
