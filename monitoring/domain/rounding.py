"""Decimal rounding, half away from zero, as `docs/clinical-rules.md` (Conventions) asks."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

# ROUND_HALF_UP in the decimal module rounds ties away from zero (-2.05 -> -2.1).
TENTH: Final = Decimal("0.1")
HUNDREDTH: Final = Decimal("0.01")
THOUSANDTH: Final = Decimal("0.001")

# The quantum constants are built once here; the rounding mode is passed positionally, which
# skips keyword parsing in the C `quantize` (these run about 20 times per assessment).


def round_to(value: Decimal, step: Decimal) -> Decimal:
    """Round `value` to a multiple of `step` (a power of ten), ties away from zero."""
    return value.quantize(step, ROUND_HALF_UP)


def round_1(value: Decimal) -> Decimal:
    """Round to 0.1 (T-scores, FRAX, BMI, percentages)."""
    return value.quantize(TENTH, ROUND_HALF_UP)


def round_2(value: Decimal) -> Decimal:
    """Round to 0.01 (lab values after unit conversion)."""
    return value.quantize(HUNDREDTH, ROUND_HALF_UP)


def round_3(value: Decimal) -> Decimal:
    """Round to 0.001 (BMD differences in g/cm²)."""
    return value.quantize(THOUSANDTH, ROUND_HALF_UP)
