"""The creatinine that speaks last, as the labs chart and table say it (followups14).

Since phys14 #1, a creatinine newer than the kidney function judged (or with none judged) whose
Cockcroft-Gault estimate is below a planned or active drug's limit, while that kidney function is
not, raises RENAL_FUNCTION_UNKNOWN at high: kidney function to measure before the next dose
(`domain.rules.kidney`, the conservative reading where the spec is silent). The chart's hover and
key and the labs table's flag still called its estimate "information only: the rules judge a
measured clearance or eGFR". They now say what the rules decided, read from RENAL's own decision
(`kidney.creatinine_speaks_for`), never made again here; any other estimate stays information.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from monitoring import domain, labels
from monitoring.domain.rounding import round_2
from monitoring.domain.rules import kidney
from monitoring.domain.rules.context import build_context
from monitoring.domain.rules.labs import KIDNEY_LIMITS

# The alert RENAL raises, by its title, inside a sentence: "kidney function to measure".
TO_MEASURE = labels.code_label(domain.AlertCode.RENAL_FUNCTION_UNKNOWN).lower()


@dataclass(frozen=True)
class CreatinineToMeasure:
    """The creatinine RENAL reads as speaking last (`date`, canonical `value` in µmol/L), the
    drugs it speaks for, and whether a kidney function is judged (it is newer than that one)."""

    date: dt.date
    value: Decimal
    drugs: tuple[domain.BoneTherapyDrug, ...]
    newer_than_judged: bool

    def is_of(self, day: dt.date, value: Decimal) -> bool:
        """Whether the creatinine of `day` with canonical `value` is this one (with several on
        its date, RENAL reads the highest: only that one speaks)."""
        return day == self.date and round_2(value) == round_2(self.value)

    @property
    def words(self) -> str:
        """ "below zoledronic acid's 35 mL/min limit: kidney function to measure before the
        infusion", a drug after another."""
        return "; ".join(
            f"{kidney.below_the_limit(drug, KIDNEY_LIMITS[drug])}: {TO_MEASURE} before the "
            f"{kidney.before_the_dose(drug)}"
            for drug in self.drugs
        )

    @property
    def key_words(self) -> str:
        """What the chart's key says of it: its date, what it is newer than, and `words`."""
        newer = (
            "newer than the kidney function judged"
            if self.newer_than_judged
            else "with no creatinine clearance or eGFR in the last 12 months"
        )
        return (
            f"the clearance of the creatinine of {self.date.isoformat()}, {newer}, is {self.words}"
        )


def creatinine_to_measure(history: domain.History, as_of: dt.date) -> CreatinineToMeasure | None:
    """The creatinine that speaks last for a planned or active drug as of `as_of`, as RENAL
    decides it (`kidney.creatinine_speaks_for`), or None."""
    ctx = build_context(history, as_of)
    reading = kidney.kidney_reading(ctx)
    drugs = kidney.creatinine_speaks_for(ctx, reading, KIDNEY_LIMITS)
    if not drugs or reading.creatinine is None:
        return None
    return CreatinineToMeasure(
        date=reading.creatinine.date,
        value=reading.creatinine.value,
        drugs=drugs,
        newer_than_judged=reading.judged is not None,
    )
