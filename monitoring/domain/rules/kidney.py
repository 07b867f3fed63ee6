"""RENAL's kidney function, and the serum creatinine it shows beside it as information.

Decisions: the spec (RENAL) defines kidney function as the most recent creatinine clearance
(`crcl`) or eGFR of the last 12 months, crcl winning on the same date; every decision (the RENAL
alerts and their severities, HYPOCALCEMIA_RISK_RENAL, the kidney words' ruling-out of drugs, the
safety checklist) reads that alone, and specification vignette 38 (a creatinine and a weight on
file, no crcl or eGFR) expects RENAL_FUNCTION_UNKNOWN. A creatinine never replaces it.

Information (nurse9 F12, physician9 F13: a creatinine of 400 µmol/L before zoledronic acid read
only "Kidney function not measured"): where RENAL says the kidney function is unknown, or a
creatinine is newer than the crcl/eGFR it judged by, its message adds that creatinine and the
clearance estimated from it by Cockcroft-Gault (the equation the zoledronic acid label's limits
use; age on the sample date, sex and weight as recorded), saying plainly when the estimate is
below the drug's limit, and asking for a measured clearance or eGFR. Without a weight it says the
estimate needs one. The conservative reading: the decision stays on what the spec names, and a
dangerous creatinine is not silent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..dates import age_in_years
from ..rounding import round_1, round_2
from ..thresholds import (
    COCKCROFT_GAULT_AGE_FROM,
    COCKCROFT_GAULT_DIVISOR,
    COCKCROFT_GAULT_FEMALE_FACTOR,
)
from ..types import Analyte, BoneTherapyDrug, LabResult, Patient, Sex
from ..units import CANONICAL_UNIT, from_canonical
from .context import Context

_ZERO = Decimal(0)


def cockcroft_gault(*, creatinine: Decimal, age: int, sex: Sex, weight_kg: Decimal) -> Decimal:
    """The creatinine clearance (mL/min, unrounded, never below 0) of a serum `creatinine` in the
    unit the rules store it in (µmol/L), by Cockcroft & Gault 1976."""
    mg_dl = from_canonical(Analyte.CREATININE, creatinine, "mg/dL")
    clearance = (
        Decimal(COCKCROFT_GAULT_AGE_FROM - age) * weight_kg / (COCKCROFT_GAULT_DIVISOR * mg_dl)
    )
    if sex is Sex.F:
        clearance *= COCKCROFT_GAULT_FEMALE_FACTOR
    return max(clearance, _ZERO)


def computed_clearance(lab: LabResult, patient: Patient) -> Decimal | None:
    """The Cockcroft-Gault estimate of creatinine result `lab`, rounded to 0.1 mL/min; None
    without a weight (or with no creatinine value). Information only (module docstring)."""
    if patient.weight_kg is None or lab.value <= _ZERO:
        return None
    return round_1(
        cockcroft_gault(
            creatinine=lab.value,
            age=age_in_years(patient.birth_date, lab.date),
            sex=patient.sex,
            weight_kg=patient.weight_kg,
        )
    )


@dataclass(frozen=True, slots=True)
class KidneyFunction:
    """The kidney function RENAL judges: the latest crcl/eGFR, `value` rounded as compared."""

    value: Decimal
    date: dt.date
    analyte: Analyte  # crcl or egfr

    def quoted(self) -> str:
        """ "eGFR 48.00 mL/min/1.73 m² on DATE", "creatinine clearance 48.00 mL/min on DATE":
        always with its unit (nurse10 5: "eGFR 50.00 on DATE" named none). The pages write the
        value as the labs table does (50), as every lab value a rule quotes."""
        if self.analyte is Analyte.CRCL:
            name, unit = "creatinine clearance", "mL/min"
        else:
            name, unit = "eGFR", "mL/min/1.73 m²"
        return f"{name} {self.value} {unit} on {self.date.isoformat()}"


def kidney_function(ctx: Context) -> KidneyFunction | None:
    """The spec's kidney function: the latest crcl or eGFR of the last 12 months, or None."""
    measured = ctx.recent_lab(Analyte.CRCL, Analyte.EGFR)
    if measured is None:
        return None
    return KidneyFunction(round_2(measured.value), measured.date, measured.analyte)


def newer_creatinine(ctx: Context) -> LabResult | None:
    """The latest creatinine of the last 12 months when it is newer than the kidney function (or
    there is none); with several on its date the highest (the lowest estimate)."""
    recent = [
        lab
        for lab in ctx.labs.get(Analyte.CREATININE, ())
        if lab.date >= ctx.lab_window_start and lab.value > _ZERO
    ]
    if not recent:
        return None
    creatinine = max(recent, key=lambda lab: (lab.date, lab.value))
    measured = ctx.recent_lab(Analyte.CRCL, Analyte.EGFR)
    if measured is not None and creatinine.date <= measured.date:
        return None
    return creatinine


def creatinine_note(ctx: Context, drug: BoneTherapyDrug, limit: Decimal) -> str:
    """Information for a RENAL message about `drug` (its kidney limit in mL/min): the newer
    creatinine and its Cockcroft-Gault estimate, "" when there is no newer creatinine."""
    creatinine = newer_creatinine(ctx)
    if creatinine is None:
        return ""
    quoted = (
        f"Creatinine {round_2(creatinine.value)} {CANONICAL_UNIT[Analyte.CREATININE]} on "
        f"{creatinine.date.isoformat()}"
    )
    estimate = computed_clearance(creatinine, ctx.history.patient)
    if estimate is None:
        return (
            f"{quoted} is on file, but an estimated clearance (Cockcroft-Gault) needs the "
            "patient's weight: record it, and enter a measured creatinine clearance or eGFR"
        )
    gives = f"{quoted} gives an estimated clearance of {estimate} mL/min (Cockcroft-Gault)"
    if estimate < limit:
        name = drug.replace("_", " ")
        before = "infusion" if drug is BoneTherapyDrug.ZOLEDRONIC_ACID else "next dose"
        return (
            f"{gives}, below {name}'s {limit} mL/min limit: enter a measured creatinine "
            f"clearance or eGFR before the {before}"
        )
    return f"{gives}: the decision rests on a measured creatinine clearance or eGFR"
