"""RENAL's kidney function, and the serum creatinine it shows beside it.

Decisions: the spec (RENAL) defines kidney function as the most recent creatinine clearance
(`crcl`) or eGFR of the last 12 months, crcl winning on the same date; the RENAL alerts and
their severities, HYPOCALCEMIA_RISK_RENAL and the kidney words' ruling-out of drugs read
`kidney_function`; RENAL and the safety checklist read it through `KidneyReading`, which also
says when a newer creatinine speaks last (below). Specification vignette 38 (a creatinine and a
weight on file, no crcl or eGFR) expects RENAL_FUNCTION_UNKNOWN: a creatinine alone never makes a
kidney function.

A creatinine of the same sample as the eGFR judged (phys13 F3: a woman of 76, 47 kg, eGFR 40 and
creatinine 110 µmol/L of one blood draw, a Cockcroft-Gault clearance of 28.5 mL/min, while
zoledronic acid read only "check the dose"). The spec is silent on whether the clearance estimated
from it counts as that date's `crcl`. The drug labels state their limits as creatinine clearance
(Cockcroft-Gault), and an eGFR normalised to 1.73 m² overstates it in a small, elderly woman. The
conservative reading, taken here: with the patient's weight on record, the estimate (age on the
sample date, sex and weight as recorded) is that date's creatinine clearance when it is LOWER than
the eGFR of the same date, and so is what RENAL judges (crcl wins on the same date); a higher one
leaves the eGFR judged, as does a missing weight. It only ever lowers the kidney function the spec
names, so a weight out of date (the record keeps no date for it) can never make a drug look safer
than the eGFR says; the messages name the weight used, for the physician to check. A measured
creatinine clearance of that date wins over any estimate.

Information (nurse9 F12, physician9 F13: a creatinine of 400 µmol/L before zoledronic acid read
only "Kidney function not measured"): where RENAL says the kidney function is unknown, or a
creatinine is newer than the crcl/eGFR it judged by, its message adds that creatinine and its
estimate, saying plainly when the estimate is below the drug's limit, and asking for a measured
clearance or eGFR. Without a weight it says the estimate needs one (a same-sample creatinine too).

Which kidney value speaks last (`KidneyReading`, phys14 #1: a woman of 78, 48 kg, eGFR 80 in June
and a creatinine of 160 µmol/L in November, a Cockcroft-Gault estimate of 19.4 mL/min, days
before zoledronic acid: no RENAL alert, the checklist "Passed 80", the worklist "Record dose").
The note above rode on a RENAL message, and with a normal eGFR there was none. The spec (RENAL)
names crcl and eGFR only, and vignette 38 holds that a creatinine alone is not a clearance, so
the creatinine never becomes the kidney function judged. The conservative reading, taken here:
a creatinine newer than the kidney function judged (or with none judged), whose estimate (the
weight on record, age on its date, sex) is below a drug's limit while the kidney function judged
is not, speaks last for that drug. It raises RENAL_FUNCTION_UNKNOWN at high (the kidney function
on file no longer tells whether the drug may be given: a physician decides, and a measured
clearance or eGFR is asked for before the next dose), for a course planned or active; and the
pre-treatment checklist (monitoring/records/safety.py) shows that estimate with its creatinine's
date, not the older value. Its estimate at or above the limit, or no weight on record, leaves the
decision to the kidney function judged, with the note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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
from .context import Context, CourseStatus, same_date_rank

_ZERO = Decimal(0)
# The results the spec's kidney function is made of, in the order they win on one date.
MEASURED_KIDNEY: tuple[Analyte, ...] = (Analyte.CRCL, Analyte.EGFR)


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
    without a weight (or with no creatinine value)."""
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


def _quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass(frozen=True, slots=True)
class KidneyFunction:
    """The kidney function RENAL judges: the latest crcl/eGFR, `value` rounded as compared; for a
    clearance estimated from a creatinine of the eGFR's sample (module docstring), that
    creatinine, the weight used and the eGFR it is lower than. `KidneyReading.speaks_last` also
    gives one for a newer creatinine's estimate below a drug's limit (no `egfr`): what that
    drug's decision waits on, never the spec's kidney function."""

    value: Decimal
    date: dt.date
    analyte: Analyte  # crcl or egfr
    creatinine: Decimal | None = None
    weight_kg: Decimal | None = None
    egfr: Decimal | None = None

    @property
    def estimated(self) -> bool:
        """Whether `value` is a Cockcroft-Gault estimate, not a measured result."""
        return self.creatinine is not None

    def quoted(self) -> str:
        """ "eGFR 48.00 mL/min/1.73 m² on DATE", "creatinine clearance 48.00 mL/min on DATE":
        always with its unit (nurse10 5: "eGFR 50.00 on DATE" named none). The pages write the
        value as the labs table does (50), as every lab value a rule quotes. An estimate says so
        ("..., estimated by Cockcroft-Gault"); `basis` says from what."""
        if self.estimated:
            return (
                f"creatinine clearance {self.value} mL/min on {self.date.isoformat()}, estimated "
                "by Cockcroft-Gault"
            )
        if self.analyte is Analyte.CRCL:
            name, unit = "creatinine clearance", "mL/min"
        else:
            name, unit = "eGFR", "mL/min/1.73 m²"
        return f"{name} {self.value} {unit} on {self.date.isoformat()}"

    def basis(self) -> str:
        """For an estimate, the sentence saying what it comes from and why it is judged; ""."""
        if self.creatinine is None or self.weight_kg is None or self.egfr is None:
            return ""
        return (
            f"The estimate is from the creatinine {round_2(self.creatinine)} "
            f"{CANONICAL_UNIT[Analyte.CREATININE]} on {self.date.isoformat()} and the weight on "
            f"record, {_quantity(self.weight_kg)} kg; it is lower than the eGFR {self.egfr} "
            "mL/min/1.73 m² of the same sample, and the drug labels set their limits in "
            "creatinine clearance"
        )


def _same_day_creatinine(labs: Iterable[LabResult], day: dt.date) -> LabResult | None:
    """The creatinine of `day` (with several, the highest: the lowest estimate), or None."""
    same = [
        lab
        for lab in labs
        if lab.analyte is Analyte.CREATININE and lab.date == day and lab.value > _ZERO
    ]
    return max(same, key=lambda lab: lab.value) if same else None


def judged_kidney_function(
    measured: LabResult, labs: Iterable[LabResult], patient: Patient
) -> KidneyFunction:
    """The kidney function RENAL judges when `measured` is the latest crcl/eGFR: `measured`
    itself, or for an eGFR the lower Cockcroft-Gault estimate of a creatinine of its sample
    (module docstring). The safety checklist shows the value this returns."""
    value = round_2(measured.value)
    if measured.analyte is Analyte.EGFR:
        creatinine = _same_day_creatinine(labs, measured.date)
        estimate = computed_clearance(creatinine, patient) if creatinine is not None else None
        if creatinine is not None and estimate is not None and estimate < value:
            return KidneyFunction(
                estimate,
                measured.date,
                Analyte.CRCL,
                creatinine=creatinine.value,
                weight_kg=patient.weight_kg,
                egfr=value,
            )
    return KidneyFunction(value, measured.date, measured.analyte)


def kidney_function(ctx: Context) -> KidneyFunction | None:
    """The spec's kidney function: the latest crcl or eGFR of the last 12 months (an eGFR's lower
    same-sample estimate in its place, `judged_kidney_function`), or None."""
    measured = ctx.recent_lab(*MEASURED_KIDNEY)
    if measured is None:
        return None
    return judged_kidney_function(
        measured, ctx.labs.get(Analyte.CREATININE, ()), ctx.history.patient
    )


def kidney_function_by_sample(
    labs: Iterable[LabResult], patient: Patient
) -> dict[dt.date, KidneyFunction]:
    """The kidney function RENAL judges of each sample date with a crcl or eGFR: what
    `kidney_function` gives while that sample is the latest (the result `Context.recent_lab`
    chooses on its date, or an eGFR's lower same-sample estimate in its place). For the pages,
    which show it beside every sample (the labs chart rings it)."""
    labs = list(labs)
    chosen: dict[dt.date, LabResult] = {}
    for lab in labs:
        if lab.analyte not in MEASURED_KIDNEY:
            continue
        held = chosen.get(lab.date)
        if held is None or same_date_rank(lab, MEASURED_KIDNEY) > same_date_rank(
            held, MEASURED_KIDNEY
        ):
            chosen[lab.date] = lab
    creatinines = [lab for lab in labs if lab.analyte is Analyte.CREATININE]
    return {
        day: judged_kidney_function(measured, creatinines, patient)
        for day, measured in sorted(chosen.items())
    }


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
    measured = ctx.recent_lab(*MEASURED_KIDNEY)
    if measured is not None and creatinine.date <= measured.date:
        return None
    return creatinine


@dataclass(frozen=True, slots=True)
class KidneyReading:
    """Which kidney value speaks last as of a day (module docstring): the kidney function judged
    (`kidney_function`), a creatinine newer than it or with none judged (`newer_creatinine`) and
    that creatinine's Cockcroft-Gault estimate (None without a weight). RENAL and the
    pre-treatment checklist both read this, so the value the checklist shows is the one the
    alert speaks of."""

    judged: KidneyFunction | None
    creatinine: LabResult | None
    estimate: Decimal | None
    weight_kg: Decimal | None

    def creatinine_below(self, limit: Decimal) -> bool:
        """Whether the newer creatinine's estimate is below `limit` (mL/min) while the kidney
        function judged is not below it, or there is none: the creatinine then speaks last."""
        if self.estimate is None or self.estimate >= limit:
            return False
        return self.judged is None or self.judged.value >= limit

    def speaks_last(self, limit: Decimal) -> KidneyFunction | None:
        """The kidney value a decision against `limit` rests on: the newer creatinine's estimate
        when `creatinine_below(limit)`, else the kidney function judged (None with none)."""
        if self.creatinine is None or self.estimate is None or not self.creatinine_below(limit):
            return self.judged
        return KidneyFunction(
            self.estimate,
            self.creatinine.date,
            Analyte.CRCL,
            creatinine=self.creatinine.value,
            weight_kg=self.weight_kg,
        )

    def creatinine_words(self, drug: BoneTherapyDrug, limit: Decimal) -> str:
        """RENAL_FUNCTION_UNKNOWN's message when `creatinine_below(limit)` and a kidney function
        is judged: the creatinine, its date and estimate, the weight used, the older value it
        is newer than and what to do; "" otherwise (with none judged, the message for an unknown
        kidney function carries the creatinine: `creatinine_note`)."""
        if self.judged is None or self.creatinine is None or self.weight_kg is None:
            return ""
        if not self.creatinine_below(limit):
            return ""
        return (
            f"Creatinine {round_2(self.creatinine.value)} {CANONICAL_UNIT[Analyte.CREATININE]} "
            f"on {self.creatinine.date.isoformat()} gives an estimated clearance of "
            f"{self.estimate} mL/min (Cockcroft-Gault, weight on record {_quantity(self.weight_kg)}"
            f" kg), {below_the_limit(drug, limit)}, and is newer than the "
            f"{self.judged.quoted()}: measure the creatinine clearance or eGFR again before the "
            f"{before_the_dose(drug)}, as a creatinine alone is not a clearance"
        )


def before_the_dose(drug: BoneTherapyDrug) -> str:
    """What kidney function is measured before: zoledronic acid's "infusion", another drug's
    "next dose" (the RENAL messages; the pages say it beside the creatinine that speaks last)."""
    return "infusion" if drug is BoneTherapyDrug.ZOLEDRONIC_ACID else "next dose"


def below_the_limit(drug: BoneTherapyDrug, limit: Decimal) -> str:
    """ "below zoledronic acid's 35 mL/min limit"; denosumab's says what its limit is, "(a risk
    of severe hypocalcaemia)": it is no contraindication."""
    risk = " (a risk of severe hypocalcaemia)" if drug is BoneTherapyDrug.DENOSUMAB else ""
    return f"below {drug.replace('_', ' ')}'s {limit} mL/min limit{risk}"


def creatinine_speaks_for(
    ctx: Context, reading: KidneyReading, limits: dict[BoneTherapyDrug, Decimal]
) -> tuple[BoneTherapyDrug, ...]:
    """The drugs of a planned or active course (each with its kidney limit in `limits`) for which
    the newer creatinine of `reading` speaks last (`KidneyReading.creatinine_below`; module
    docstring): RENAL raises RENAL_FUNCTION_UNKNOWN at high for each, and the pages say so beside
    that creatinine, reading this decision rather than making it again. Sorted; () for none."""
    running = {t.drug for t in ctx.therapies if t.status is not CourseStatus.STOPPED}
    return tuple(drug for drug in sorted(running) if reading.creatinine_below(limits[drug]))


def kidney_reading(ctx: Context) -> KidneyReading:
    """Which kidney value speaks last as of `ctx.as_of` (`KidneyReading`)."""
    creatinine = newer_creatinine(ctx)
    patient = ctx.history.patient
    estimate = computed_clearance(creatinine, patient) if creatinine is not None else None
    return KidneyReading(kidney_function(ctx), creatinine, estimate, patient.weight_kg)


def creatinine_note(ctx: Context, drug: BoneTherapyDrug, limit: Decimal) -> str:
    """Information for a RENAL message about `drug` (its kidney limit in mL/min): what an
    estimated kidney function comes from (`KidneyFunction.basis`); a creatinine of the eGFR's
    sample that gives no estimate for want of a weight; or the newer creatinine and its
    Cockcroft-Gault estimate. "" when there is none of these."""
    creatinine = newer_creatinine(ctx)
    if creatinine is None:
        return _same_sample_note(ctx)
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
        return (
            f"{gives}, below {name}'s {limit} mL/min limit: enter a measured creatinine "
            f"clearance or eGFR before the {before_the_dose(drug)}"
        )
    return f"{gives}: the decision rests on a measured creatinine clearance or eGFR"


def _same_sample_note(ctx: Context) -> str:
    """The basis of an estimated kidney function, or the creatinine of the judged eGFR's sample
    that would give one but for the patient's weight; "" otherwise."""
    kidney = kidney_function(ctx)
    if kidney is None:
        return ""
    if kidney.estimated:
        return kidney.basis()
    if kidney.analyte is not Analyte.EGFR or ctx.history.patient.weight_kg is not None:
        return ""
    creatinine = _same_day_creatinine(ctx.labs.get(Analyte.CREATININE, ()), kidney.date)
    if creatinine is None:
        return ""
    return (
        f"Creatinine {round_2(creatinine.value)} {CANONICAL_UNIT[Analyte.CREATININE]} on "
        f"{creatinine.date.isoformat()}, of the same sample, gives no estimated clearance "
        "(Cockcroft-Gault) without the patient's weight: record it, as the drug labels set their "
        "limits in creatinine clearance and a lower estimate would be judged"
    )
