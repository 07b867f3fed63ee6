"""The one place a lab result and a rules' threshold are written for a reader, in a given unit:
the labs table and its chart, the rules' texts (alerts, recommendations, letters, printouts, the
acknowledgement page) and the safety checklist all write a result through `shown_result`.

- A result entered in the unit shown reads as typed: "74.9 nmol/L", "9.1 mg/dL".
- A result converted reads at the precision laboratories report in that unit (`REPORTED_PLACES`:
  25-OH vitamin D in whole nmol/L or to 0.1 ng/mL, creatinine in whole µmol/L or to 0.01 mg/dL,
  calcium to 0.01 mmol/L or 0.1 mg/dL), rounded half away from zero: nurse14 #6, "279.55 nmol/L"
  for 112 ng/mL invited a nurse to copy a precision never measured. The stored values keep
  theirs; the rules judge them, not these words.
- Its number agrees with its flag (nurse14 #3): never below a threshold the page writes while
  the rules judge it not below, nor the reverse. Where the rounding would put it on the other side
  of one (29.9 ng/mL, insufficient, is 74.63 nmol/L, which rounds to 75), it takes the decimals
  it needs ("74.6"). Where even the exact conversion is on the other side, which happens only
  between the two numbers a guideline writes for one limit (74.9 nmol/L is below 75 nmol/L and
  30.01 ng/mL; `thresholds.VITD_LIMITS_NMOL_L`), it reads as entered, in its own unit.

Thresholds read as `shown_threshold` writes them: the canonical one in the canonical unit; for
vitamin D the number its source writes in the other unit (50 and 75 nmol/L, phys13 #15a), the one
the rules judge a result entered in that unit against (`domain.lab_limits`); for calcium in mg/dL
the least value with `LAB_JUDGED_PLACES` decimals the rules do not flag (phys10 F5: 8.48).
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from monitoring import domain
from monitoring.domain import lab_limits, thresholds
from monitoring.domain.columns import LAB_JUDGED_PLACES
from monitoring.domain.rounding import round_to
from monitoring.domain.units import MICRO

A = domain.Analyte
HALF_HUNDREDTH = Decimal("0.005")

# Decimals laboratories report a result with, by analyte and unit: what a converted result is
# rounded to (a result typed in the unit shown reads as typed). Others: 0.01.
REPORTED_PLACES: dict[tuple[domain.Analyte, str], int] = {
    (A.VITAMIN_D_25OH, "nmol/L"): 0,
    (A.VITAMIN_D_25OH, "ng/mL"): 1,
    (A.CALCIUM, "mmol/L"): 2,
    (A.CALCIUM, "mg/dL"): 1,
    (A.CREATININE, f"{MICRO}mol/L"): 0,
    (A.CREATININE, "mg/dL"): 2,
    (A.CTX, "ng/mL"): 3,  # from pg/mL: 0.345 ng/mL
}
_DEFAULT_PLACES = 2
# More decimals than this and a conversion that still reads across a line is written as entered.
_MOST_PLACES = 6

# The rules' thresholds a flag names, by analyte (canonical unit): below which, above which.
BELOW_LIMITS: dict[domain.Analyte, tuple[Decimal, ...]] = {
    A.VITAMIN_D_25OH: (thresholds.VITD_DEFICIENT_BELOW, thresholds.VITD_SUFFICIENT_FROM),
    A.CALCIUM: (thresholds.CALCIUM_LOW_BELOW,),
}
ABOVE_LIMITS: dict[domain.Analyte, tuple[Decimal, ...]] = {
    A.VITAMIN_D_25OH: (thresholds.VITD_HIGH_ABOVE, thresholds.VITD_TOXIC_ABOVE),
    A.CALCIUM: (thresholds.CALCIUM_HIGH_ABOVE, thresholds.CALCIUM_SEVERE_ABOVE),
}


def plain(value: Decimal) -> str:
    """30.000 -> "30", 2.360 -> "2.36" (never "3E+1")."""
    return format(value.normalize(), "f")


def shown_threshold(analyte: domain.Analyte, limit: Decimal, unit: str) -> Decimal:
    """A rules' "below" threshold of `analyte` (canonical) as written in `unit`: itself in the
    canonical unit; the number its source writes in `unit` where it has one (vitamin D's 50 and
    75 nmol/L, which the rules judge a result entered in nmol/L against); else the least value
    with `LAB_JUDGED_PLACES` decimals in `unit` the rules do not flag (phys10 F5: calcium's 2.12
    mmol/L reads 8.48 mg/dL, as 8.48 mg/dL is 2.1158, 2.12 as the rules round it)."""
    written = lab_limits.limit_in(analyte, limit, unit)
    if written is not None:
        return written
    # round_2(c) < limit exactly when c < limit - half a hundredth (ties round up, unflagged).
    first_unflagged = domain.from_canonical(analyte, limit - HALF_HUNDREDTH, unit)
    return first_unflagged.quantize(Decimal(1).scaleb(-LAB_JUDGED_PLACES), ROUND_CEILING)


def shown_threshold_above(analyte: domain.Analyte, limit: Decimal, unit: str) -> Decimal:
    """A rules' "above" threshold of `analyte` (canonical) as written in `unit`, as
    `shown_threshold` writes a "below" one: the number of its source where it has one (vitamin
    D's 250 and 375 nmol/L, nurse13 #1), else the greatest value with `LAB_JUDGED_PLACES`
    decimals in `unit` that the rules do not flag."""
    written = lab_limits.limit_in(analyte, limit, unit)
    if written is not None:
        return written
    # round_2(c) > limit exactly when c >= limit + half a hundredth (ties round up, flagged).
    first_flagged = domain.from_canonical(analyte, limit + HALF_HUNDREDTH, unit)
    step = Decimal(1).scaleb(-LAB_JUDGED_PLACES)
    shown = first_flagged.quantize(step, ROUND_FLOOR)
    return shown - step if shown == first_flagged else shown


def _with_canonical(analyte: domain.Analyte, shown: Decimal, unit: str, limit: Decimal) -> str:
    words = f"{plain(shown)} {unit}"
    canonical = domain.CANONICAL_UNIT[analyte]
    return words if unit == canonical else f"{words} ({plain(limit)} {canonical})"


def threshold_words(analyte: domain.Analyte, limit: Decimal, unit: str) -> str:
    """A rules' "below" threshold in `unit` (`shown_threshold`) with its unit, and the canonical
    threshold beside it where they differ: "50 nmol/L (20 ng/mL)", "20 ng/mL"."""
    return _with_canonical(analyte, shown_threshold(analyte, limit, unit), unit, limit)


def threshold_words_above(analyte: domain.Analyte, limit: Decimal, unit: str) -> str:
    """A rules' "above" threshold in `unit` (`shown_threshold_above`), as `threshold_words`."""
    return _with_canonical(analyte, shown_threshold_above(analyte, limit, unit), unit, limit)


@dataclass(frozen=True)
class ShownValue:
    """A result as a page writes it: `value` in `unit`; `converted` from the unit entered."""

    value: Decimal
    unit: str
    converted: bool

    @property
    def number(self) -> str:
        return plain(self.value)

    def __str__(self) -> str:
        return f"{self.number} {self.unit}"


def agrees(lab: domain.LabResult, value: Decimal, unit: str) -> bool:
    """Whether `value` written in `unit` for `lab` reads on the side of every threshold the page
    writes in `unit` that the rules judge `lab` on (`domain.lab_limits`)."""
    analyte = lab.analyte
    for limit in BELOW_LIMITS.get(analyte, ()):
        if (value < shown_threshold(analyte, limit, unit)) is not lab_limits.below(lab, limit):
            return False
    for limit in ABOVE_LIMITS.get(analyte, ()):
        if (value > shown_threshold_above(analyte, limit, unit)) is not lab_limits.above(
            lab, limit
        ):
            return False
    return True


def shown_result(lab: domain.LabResult, unit: str) -> ShownValue:
    """`lab` as a page writes it in `unit` (module doc): as typed in that unit; converted at the
    precision laboratories report, with the decimals its flag needs; as entered where no
    conversion agrees with its flag."""
    entered, entered_unit = lab_limits.as_entered(lab)
    if entered_unit == unit:
        return ShownValue(entered, unit, converted=False)
    analyte = lab.analyte
    exact = domain.from_canonical(
        analyte, domain.to_canonical(analyte, entered, entered_unit), unit
    )
    places = REPORTED_PLACES.get((analyte, unit), _DEFAULT_PLACES)
    for more in range(places, max(places, _MOST_PLACES) + 1):
        value = round_to(exact, Decimal(1).scaleb(-more))
        if agrees(lab, value, unit):
            return ShownValue(value, unit, converted=True)
    return ShownValue(entered, entered_unit, converted=False)


def entered_result(analyte: domain.Analyte, value: Decimal, unit: str) -> domain.LabResult:
    """A result of `analyte` entered as `value` in `unit`, as the domain holds it (its date does
    not matter to how it is written)."""
    return domain.LabResult(
        date=domain.DATE_MIN,
        analyte=analyte,
        value=domain.to_canonical(analyte, value, unit),
        entered_value=value,
        entered_unit=domain.normalize_unit(unit),
    )
