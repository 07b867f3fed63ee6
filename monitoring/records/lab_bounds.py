"""The range a new lab value must lie in, for the entry forms and the imports alike.

The rules read any stored value within `thresholds.LAB_PLAUSIBLE_RANGES`, so records entered
before stay readable. A new value must also clear a floor below which it is a unit or typing error,
not a patient: a 25-OH vitamin D of 0, a calcium of 0.57 mmol/L that is 2.3 mg/dL, a creatinine of
2.5 µmol/L.
"""

from decimal import Decimal
from types import MappingProxyType
from typing import Final

from monitoring import domain
from monitoring.domain import thresholds

ENTRY_MINIMUM: Final = MappingProxyType(
    {
        domain.Analyte.VITAMIN_D_25OH: Decimal(1),  # ng/mL
        domain.Analyte.CALCIUM: Decimal("1.0"),  # mmol/L
        domain.Analyte.EGFR: Decimal(1),  # mL/min/1.73m2
        domain.Analyte.CRCL: Decimal(1),  # mL/min
        domain.Analyte.CREATININE: Decimal(10),  # µmol/L
    }
)


def entry_range_missed(
    analyte: str, value: Decimal, unit: str
) -> tuple[Decimal, Decimal, str] | None:
    """(low, high, canonical unit) of the range `value` in `unit` falls outside; None inside it."""
    kind = domain.Analyte(analyte)
    low, high = thresholds.LAB_PLAUSIBLE_RANGES[kind]
    low = max(low, ENTRY_MINIMUM.get(kind, low))
    if low <= domain.to_canonical(analyte, value, unit) <= high:
        return None
    return low, high, domain.CANONICAL_UNIT[kind]
