"""The range a new lab value must lie in, for the entry forms and the imports alike.

The rules read any stored value within `thresholds.LAB_PLAUSIBLE_RANGES`, so records entered
before stay readable. A new value must also clear a floor below which it is a unit or typing error,
not a patient: a 25-OH vitamin D of 0, a calcium of 0.57 mmol/L that is 2.3 mg/dL, a creatinine of
2.5 µmol/L; and stay under a ceiling above which no equation's result is a patient (eGFR).

A refusal quotes the range in the unit the value was typed in (converted with the same factors as
the value, then rounded: `entry_range`), so a calcium in mg/dL is never told its range in mmol/L,
nor told "4.01 to 20 mg/dL"; the value is judged against the range as shown.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Final

from monitoring import domain
from monitoring.domain import thresholds
from monitoring.domain.columns import LAB_JUDGED_PLACES

ENTRY_MINIMUM: Final = MappingProxyType(
    {
        domain.Analyte.VITAMIN_D_25OH: Decimal(1),  # ng/mL
        domain.Analyte.CALCIUM: Decimal("1.0"),  # mmol/L
        domain.Analyte.EGFR: Decimal(1),  # mL/min/1.73m2
        domain.Analyte.CRCL: Decimal(1),  # mL/min
        domain.Analyte.CREATININE: Decimal(10),  # µmol/L
    }
)

ENTRY_MAXIMUM: Final = MappingProxyType(
    {
        # Design choice (the spec fixes no plausible range): young adults read about 90 to 130
        # mL/min/1.73m2 and the CKD-EPI and MDRD equations do not give results much above 150 to
        # 200; an eGFR over 200 is a typo (250 for 25), not a patient. Hyperfiltration (pregnancy,
        # early diabetes) stays under it. Stored values up to the rules' 250 stay readable.
        domain.Analyte.EGFR: Decimal(200),  # mL/min/1.73m2
    }
)

# Significant figures of a bound converted to another unit: a round number in the unit typed
# (nurse13 #9 read "4.01 to 20 mg/dL"), without pretending to the factor's precision.
_SHOWN_DIGITS: Final = 2


def _round_bound(value: Decimal, *, low: bool, reading: tuple[Decimal, Decimal]) -> Decimal:
    """A bound converted to the unit typed, to `_SHOWN_DIGITS` significant figures: the nearest
    (1.0 mmol/L is 4.008 mg/dL: 4), or inwards where the nearest lies outside `reading`, the
    range the rules read in that unit (300 ng/mL is 748.8 nmol/L: 740, not 750), so that every
    value accepted stays readable."""
    if value == 0:
        return value
    step = Decimal(1).scaleb(value.adjusted() - _SHOWN_DIGITS + 1)
    rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    if not reading[0] <= rounded <= reading[1]:
        rounded = value.quantize(step, rounding=ROUND_CEILING if low else ROUND_FLOOR)
    # 4.0 reads 4, without turning 740 into 7.4E+2.
    return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral() else rounded.normalize()


def entry_range(analyte: str, unit: str) -> tuple[Decimal, Decimal]:
    """The range a new value of `analyte` typed in `unit` must lie in, in that unit: round
    numbers in every unit (1 to 5 mmol/L, 4 to 20 mg/dL), as its refusal shows them."""
    kind = domain.Analyte(analyte)
    reading_low, reading_high = thresholds.LAB_PLAUSIBLE_RANGES[kind]
    low = max(reading_low, ENTRY_MINIMUM.get(kind, reading_low))
    high = min(reading_high, ENTRY_MAXIMUM.get(kind, reading_high))
    if domain.normalize_unit(unit) == domain.CANONICAL_UNIT[kind]:
        return low, high
    reading = (
        domain.from_canonical(kind, reading_low, unit),
        domain.from_canonical(kind, reading_high, unit),
    )
    return (
        _round_bound(domain.from_canonical(kind, low, unit), low=True, reading=reading),
        _round_bound(domain.from_canonical(kind, high, unit), low=False, reading=reading),
    )


def entry_range_missed(
    analyte: str, value: Decimal, unit: str
) -> tuple[Decimal, Decimal, str] | None:
    """(low, high, unit) of the range `value` in `unit` falls outside (`entry_range`), in that
    `unit`; None inside it. Judged in the unit typed, so a refused value is always outside the
    range its message shows, and an accepted one inside."""
    low, high = entry_range(analyte, unit)
    return None if low <= value <= high else (low, high, unit)


# The results the rules judge against a threshold, after rounding to 0.01 (`LAB_JUDGED_PLACES`).
JUDGED_ANALYTES: Final = frozenset(
    {
        domain.Analyte.VITAMIN_D_25OH,
        domain.Analyte.CALCIUM,
        domain.Analyte.EGFR,
        domain.Analyte.CRCL,
    }
)


def too_many_places(analyte: str, value: Decimal) -> bool:
    """Whether a new `value` of `analyte` has more decimals than the rules judge: a result they
    compare with a threshold has at most `LAB_JUDGED_PLACES` (19.995 ng/mL would be read as
    20.00, not deficient, while every page says deficient below 20 ng/mL). The entry forms ask
    it; an import keeps the column's 3 decimals, as the history format does."""
    # Trailing zeros are no decimals: 20.000 is 20.
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    return domain.Analyte(analyte) in JUDGED_ANALYTES and places > LAB_JUDGED_PLACES


# Why, in the entry forms' words: the rules would judge another value than the one typed.
TOO_MANY_PLACES = (
    f"at most {LAB_JUDGED_PLACES} decimals: the rules round this result to 0.01 before comparing "
    "it with its thresholds, so a further decimal would not be judged as typed"
)


def entry_problem(analyte: str, value: Decimal, unit: str) -> str | None:
    """What an entry form says beside a new lab value it refuses (decimals, range); None if fine."""
    if too_many_places(analyte, value):
        return f"Enter {TOO_MANY_PLACES}."
    missed = entry_range_missed(analyte, value, unit)
    if missed is None:
        return None
    low, high, shown_unit = missed
    return (
        f"{value} {unit} is outside the plausible range ({low} to {high} {shown_unit}). "
        "Check the value and the unit."
    )
