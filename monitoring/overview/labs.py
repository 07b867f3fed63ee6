"""The patient page's labs, as a clinician reads them: each analyte in one unit (the site's SI or
conventional choice), written as `lab_values.shown_result` writes every result (as typed, or
converted at the precision laboratories report, its number agreeing with its flag), the value as
entered below a converted one (and on hover), and a flag in words where a result crosses one of
the rules' thresholds (`monitoring.domain.thresholds`), judged as the rules judge it
(`domain.lab_limits`)."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from monitoring import domain
from monitoring.domain import lab_limits, thresholds
from monitoring.domain.rounding import round_2
from monitoring.domain.rules import kidney
from monitoring.domain.rules.context import same_date_rank
from monitoring.models import LabResult
from monitoring.overview.kidney_to_measure import CreatinineToMeasure
from monitoring.overview.lab_values import (
    ShownValue,
    plain,
    shown_result,
    threshold_words,
    threshold_words_above,
)
from monitoring.records import selectors
from patients.models import Patient

KIDNEY = (domain.Analyte.EGFR, domain.Analyte.CRCL)

# Kidney function below which a drug label contraindicates the drug (or warns), as the RENAL rule.
KIDNEY_LIMITS: tuple[tuple[Decimal, str], ...] = (
    (thresholds.RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW, "no risedronate or ibandronate"),
    (thresholds.DENOSUMAB_HYPOCALCEMIA_RISK_BELOW, "denosumab: hypocalcaemia risk"),
    (thresholds.ZOLEDRONIC_CONTRAINDICATED_BELOW, "no zoledronic acid"),
    (thresholds.ALENDRONATE_CONTRAINDICATED_BELOW, "no alendronate"),
)
ZOLEDRONIC_DOSE_CHECK = "check the zoledronic acid dose"
# The same band for a patient with no zoledronic acid planned or active (nurse10 5).
KIDNEY_REDUCED = "reduced kidney function"
# Its words in the labs table, after the flag's word "reduced" (so not "reduced reduced").
KIDNEY_REDUCED_NOTE = "kidney function at or below"
# What a creatinine's flag says is low or reduced: "▼ low clearance" (`creatinine_flag`).
CLEARANCE_WORD = "clearance"


@dataclass(frozen=True)
class LabFlag:
    """A result outside a threshold: `word` says it, `note` says why, `level` picks the badge.
    An "info" flag judges nothing: it says what a result would read as and why it is not."""

    word: str
    note: str
    level: str  # "danger", "warning" or "info"
    above: bool = False  # a result above a threshold (nurse13 #1): its icon points up

    @property
    def judged(self) -> bool:
        """Whether the flag says the result crosses a threshold the rules apply to it."""
        return self.level != "info"

    @property
    def badge_class(self) -> str:
        return {"danger": "text-bg-danger", "warning": "text-bg-warning"}.get(
            self.level, "text-bg-light border"
        )

    @property
    def icon(self) -> str:
        if self.above:
            return {"danger": "▲", "warning": "△"}.get(self.level, "ⓘ")
        return {"danger": "▼", "warning": "▽"}.get(self.level, "ⓘ")


def lab_flag(
    lab: domain.LabResult,
    unit: str | None = None,
    *,
    zoledronic: bool = False,
) -> LabFlag | None:
    """The flag of `lab` against the rules' thresholds, judged as the rules judge it
    (`domain.lab_limits`), or None; its note gives the threshold in `unit` (the canonical unit
    by default). A kidney function of 35 to 60 asks for a check of the zoledronic acid dose only
    when `zoledronic` (acid planned or active): to anyone else it is reduced kidney function
    (nurse10 5)."""
    analyte = lab.analyte
    unit = unit or domain.CANONICAL_UNIT[analyte]

    def below(limit: Decimal) -> str:
        return f"below {threshold_words(analyte, limit, unit)}"

    high = high_flag(lab, unit)
    if high is not None:
        return high
    if analyte is domain.Analyte.VITAMIN_D_25OH:
        if lab_limits.below(lab, thresholds.VITD_DEFICIENT_BELOW):
            return LabFlag("deficient", below(thresholds.VITD_DEFICIENT_BELOW), "danger")
        if lab_limits.below(lab, thresholds.VITD_SUFFICIENT_FROM):
            return LabFlag("insufficient", below(thresholds.VITD_SUFFICIENT_FROM), "warning")
    elif analyte is domain.Analyte.CALCIUM:
        if lab_limits.below(lab, thresholds.CALCIUM_LOW_BELOW):
            return LabFlag("low", below(thresholds.CALCIUM_LOW_BELOW), "danger")
    elif analyte in KIDNEY:
        value = round_2(lab.value)
        notes = [note for limit, note in KIDNEY_LIMITS if value < limit]
        if notes:
            return LabFlag("low", "; ".join(notes), "danger")
        if value <= thresholds.ZOLEDRONIC_DOSE_CHECK_MAX:
            # The note follows the word "reduced" on the page: it does not say it again
            # (clinicians read "reduced reduced kidney function").
            limit = threshold_words(analyte, thresholds.ZOLEDRONIC_DOSE_CHECK_MAX, unit)
            reduced = f"{KIDNEY_REDUCED_NOTE} {limit}"
            return LabFlag("reduced", ZOLEDRONIC_DOSE_CHECK if zoledronic else reduced, "warning")
    return None


# The high results CA-HIGH and VITD-HIGH judge (nurse13 #1; `domain.rules.high_labs`), highest
# first: (analyte, above this canonical value, level, what the alert asks).
HIGH_LIMITS: tuple[tuple[domain.Analyte, Decimal, str, str], ...] = (
    (domain.Analyte.CALCIUM, thresholds.CALCIUM_SEVERE_ABOVE, "danger", "urgent correction"),
    (domain.Analyte.CALCIUM, thresholds.CALCIUM_HIGH_ABOVE, "danger", "physician review today"),
    (domain.Analyte.VITAMIN_D_25OH, thresholds.VITD_TOXIC_ABOVE, "danger", "toxic range"),
    (domain.Analyte.VITAMIN_D_25OH, thresholds.VITD_HIGH_ABOVE, "warning", "hold supplements"),
)


def high_flag(lab: domain.LabResult, unit: str) -> LabFlag | None:
    """The "high" flag of `lab` as CA-HIGH and VITD-HIGH judge it (`domain.lab_limits`), or
    None; its note gives the threshold in `unit`."""
    for limited, limit, level, asks in HIGH_LIMITS:
        if lab.analyte is limited and lab_limits.above(lab, limit):
            words = threshold_words_above(lab.analyte, limit, unit)
            return LabFlag("high", f"above {words}: {asks}", level, above=True)
    return None


class BodyOnRecord(Protocol):
    """What the Cockcroft-Gault clearance of a creatinine needs of a patient (patients.Patient)."""

    sex: str
    birth_date: dt.date
    weight_kg: Decimal | None


def _domain_patient(patient: BodyOnRecord) -> domain.Patient:
    weight = patient.weight_kg
    return domain.Patient(
        mrn="",
        sex=domain.Sex(patient.sex),
        birth_date=patient.birth_date,
        weight_kg=Decimal(weight) if weight is not None else None,
    )


def domain_lab(lab: LabResult) -> domain.LabResult:
    """A stored result as the rules read it: converted from the value as entered
    (`assessment.history`), which it keeps."""
    analyte = domain.Analyte(lab.analyte)
    entered = Decimal(lab.entered_value)
    return domain.LabResult(
        date=lab.sample_date,
        analyte=analyte,
        value=domain.to_canonical(analyte, entered, lab.entered_unit),
        fasting=lab.fasting,
        entered_value=entered,
        entered_unit=domain.normalize_unit(lab.entered_unit),
    )


def _lower_estimate(
    measured: LabResult, creatinines: Iterable[domain.LabResult], patient: BodyOnRecord
) -> Decimal | None:
    """The clearance estimated from `creatinines` (of `measured`'s sample) when RENAL judges it
    in place of that eGFR (`kidney.judged_kidney_function`: lower than it), else None."""
    judged = kidney.judged_kidney_function(
        domain_lab(measured), creatinines, _domain_patient(patient)
    )
    return judged.value if judged.estimated else None


def creatinine_flag(
    value: Decimal,
    day: dt.date,
    patient: BodyOnRecord,
    *,
    zoledronic: bool = False,
    measured: LabResult | None = None,
    to_measure: CreatinineToMeasure | None = None,
) -> LabFlag | None:
    """The flag of a creatinine (canonical `value` sampled on `day`) as the kidney-function flags
    would flag its Cockcroft-Gault estimate (`domain.rules.kidney`), its note saying it is an
    estimate; None without a weight (no estimate) or when the estimate flags nothing.

    `measured` is the creatinine clearance or eGFR of the same sample RENAL would judge, if there
    is one. An eGFR gives way to a lower estimate (phys13 F3: the labels' limits are creatinine
    clearances), which is then flagged as the kidney function judged, saying so; beside a measured
    clearance, or a lower eGFR, the estimate is information only, not a second verdict on the
    same blood draw (nurse11 F11: "reduced kidney function" beside an unflagged eGFR 72).

    `to_measure` is the creatinine RENAL reads as speaking last (newer than the kidney function
    judged, its estimate below a planned or active drug's limit): if it is this one, the flag says
    what the rules decided, kidney function to measure before the dose, not "an estimate"."""
    if patient.weight_kg is None:
        return None
    creatinine = domain.LabResult(date=day, analyte=domain.Analyte.CREATININE, value=value)
    clearance = kidney.computed_clearance(creatinine, _domain_patient(patient))
    flag = (
        lab_flag(
            domain.LabResult(date=day, analyte=domain.Analyte.CRCL, value=clearance),
            zoledronic=zoledronic,
        )
        if clearance is not None
        else None
    )
    if flag is None or clearance is None:
        return None
    estimate = f"estimated creatinine clearance {plain(round_2(clearance))} mL/min"
    weight = f"{plain(Decimal(patient.weight_kg))} kg on record"
    if measured is not None and _lower_estimate(measured, (creatinine,), patient) is None:
        beside = (
            f": the {_quoted(measured)} of the same sample is"
            if measured.analyte == domain.Analyte.CRCL
            else f", not lower than the {_quoted(measured)} of the same sample, which is"
        )
        return LabFlag(
            "estimate",
            f"{estimate} (Cockcroft-Gault){beside} the kidney function the rules judge",
            "info",
        )
    # The badge names the clearance (nurse14 #5: "▼ low" on a creatinine of 150 µmol/L read as
    # a low creatinine). Not "high creatinine": the rules judge no creatinine range, and a
    # creatinine within it gives a low clearance in a small, elderly woman.
    word = f"{flag.word} {CLEARANCE_WORD}"
    if to_measure is not None and to_measure.is_of(day, value):
        said = f"{estimate} (Cockcroft-Gault, {weight}), {to_measure.words}"
        return LabFlag(word, said, flag.level)
    if measured is not None:
        judged = (
            f"{estimate} (Cockcroft-Gault, {weight}), lower than the {_quoted(measured)} of the "
            "same sample: the kidney function the rules judge"
        )
        return LabFlag(word, f"{judged}: {flag.note}", flag.level)
    computed = (
        f"{estimate} (Cockcroft-Gault, an estimate: the rules judge a measured clearance or eGFR)"
    )
    return LabFlag(word, f"{computed}: {flag.note}", flag.level)


def egfr_gives_way(lab: LabResult, estimate: Decimal) -> LabFlag:
    """The flag of an eGFR whose sample's creatinine gives a lower estimated clearance, which
    RENAL judges in its place (`creatinine_flag`): information, pointing to it."""
    return LabFlag(
        "see creatinine",
        f"the creatinine clearance estimated from the same sample, {plain(round_2(estimate))} "
        f"mL/min, is lower than this {_quoted(lab)}: it is the kidney function the rules judge",
        "info",
    )


def _kidney_rank(lab: LabResult) -> tuple[int, Decimal]:
    return same_date_rank(domain_lab(lab), kidney.MEASURED_KIDNEY)


def measured_kidney_by_day(labs: Iterable[LabResult]) -> dict[dt.date, LabResult]:
    """The measured kidney function of each sample date, as RENAL chooses between several on one
    date (`same_date_rank`: the creatinine clearance wins over the eGFR, then the lowest value;
    docs/clinical-rules.md, RENAL)."""
    chosen: dict[dt.date, LabResult] = {}
    for lab in labs:
        if lab.analyte not in KIDNEY:
            continue
        held = chosen.get(lab.sample_date)
        if held is None or _kidney_rank(lab) > _kidney_rank(held):
            chosen[lab.sample_date] = lab
    return chosen


def _quoted(lab: LabResult) -> str:
    if lab.analyte == domain.Analyte.CRCL:
        return f"creatinine clearance {plain(Decimal(lab.value))} mL/min"
    return f"eGFR {plain(Decimal(lab.value))} mL/min/1.73 m²"


@dataclass(frozen=True)
class LabRow:
    """One result as the labs table shows it (`lab` for its date, links and fasting)."""

    lab: LabResult
    value: Decimal
    unit: str
    entered: str
    flag: LabFlag | None
    converted: bool = False  # entered in another unit: the table shows `entered` below it
    # A calcium worked out from the total calcium and albumin: "adjusted from total 2.1, albumin
    # 30 g/L" (`LabResult.adjusted_from_words`), beside the value.
    adjusted_from: str = ""
    # Shown as entered, in another unit than the site's: no conversion reads on the side of a
    # threshold the rules judge it on (`lab_values.shown_result`; nurse14 #3).
    in_own_unit: bool = False


def lab_rows(
    labs: Iterable[LabResult],
    system: domain.UnitSystem,
    patient: BodyOnRecord | None = None,
    *,
    zoledronic: bool = False,
    to_measure: CreatinineToMeasure | None = None,
) -> list[LabRow]:
    """Each result in its analyte's unit under `system` (the value as entered when it was entered
    in that unit), newest first; a creatinine flagged by the clearance estimated from it with
    `patient`'s age, sex and weight (`creatinine_flag`), as information only where its sample
    has a measured clearance or eGFR, as kidney function to measure where it is `to_measure`;
    `zoledronic` as `lab_flag` reads it."""
    labs = list(labs)
    measured = measured_kidney_by_day(labs)
    creatinines: dict[dt.date, list[domain.LabResult]] = {}
    for lab in labs:
        if lab.analyte == domain.Analyte.CREATININE:
            creatinines.setdefault(lab.sample_date, []).append(domain_lab(lab))
    rows = []
    for lab in labs:
        analyte = domain.Analyte(lab.analyte)
        result = domain_lab(lab)
        # Written as every page writes it (`lab_values`); its flag in the unit it is shown in
        # (its own, where no conversion reads on the side the rules judge it).
        shown = shown_result(result, domain.display_unit(analyte, system))
        judged = measured.get(lab.sample_date)
        lower = (
            _lower_estimate(lab, creatinines.get(lab.sample_date, ()), patient)
            if patient is not None and lab is judged
            else None
        )
        if analyte is domain.Analyte.CREATININE and patient is not None:
            flag = creatinine_flag(
                result.value,
                lab.sample_date,
                patient,
                zoledronic=zoledronic,
                measured=judged,
                to_measure=to_measure,
            )
        elif lower is not None:
            flag = egfr_gives_way(lab, lower)
        else:
            flag = lab_flag(result, shown.unit, zoledronic=zoledronic)
        adjusted_from = lab.adjusted_from_words()
        value = shown.value
        if adjusted_from and not shown.converted:
            # An adjusted calcium reads to 0.01 as worked out (2.30, beside a total of 2.1).
            value = round_2(value)
        rows.append(
            LabRow(
                lab=lab,
                value=value,
                unit=shown.unit,
                entered=f"{plain(Decimal(lab.entered_value))} {lab.entered_unit}",
                flag=flag,
                converted=shown.converted,
                adjusted_from=adjusted_from,
                in_own_unit=shown.unit != domain.display_unit(analyte, system),
            )
        )
    return rows[::-1]


class TableReadings:
    """How the labs table shows a result a rule's text quotes, found by analyte, date and the
    value as the rules round it (`lab_texts.in_site_units`): a calcium of 8.4 mg/dL entered is
    quoted as 2.10 mmol/L, a creatinine of 0.9 mg/dL as 79.58 µmol/L, where the table shows
    8.4 mg/dL and 80 µmol/L.

    `rows` is read on the first look-up only (most texts quote no value needing it); a template
    passes the object as it is (`do_not_call_in_templates`).
    """

    do_not_call_in_templates = True

    def __init__(self, rows: Callable[[], Iterable[LabRow]]) -> None:
        self._rows = rows
        self._shown: dict[tuple[str, dt.date, Decimal], ShownValue] | None = None

    def __call__(self, analyte: domain.Analyte, day: dt.date, quoted: Decimal) -> ShownValue | None:
        if self._shown is None:
            self._shown = {
                (row.lab.analyte, row.lab.sample_date, round_2(domain_lab(row.lab).value)): (
                    ShownValue(row.value, row.unit, row.converted)
                )
                for row in self._rows()
            }
        return self._shown.get((str(analyte), day, round_2(quoted)))


def patient_lab_readings(patient: Patient) -> TableReadings:
    """The readings of the patient's labs table, for a page that quotes a rule's text outside it
    (an alert's acknowledgement, a letter): every page then shows a result as entered, where a
    conversion back from the rules' rounded value would read 55 nmol/L as 55.01. The labs are
    read on the first look-up only, from the whole record when the page has read it."""
    units = domain.UnitSystem(patient.site.lab_units)

    def rows() -> list[LabRow]:
        labs = getattr(patient, "valid_labs", None)
        if labs is None:
            labs = selectors.patient_labs(patient=patient)
        return lab_rows(labs, units, patient)

    return TableReadings(rows)
