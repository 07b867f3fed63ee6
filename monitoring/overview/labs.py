"""The patient page's labs, as a clinician reads them: each analyte in one unit (the site's SI or
conventional choice), the value as entered (below a converted one, and on hover), and a flag in
words where a result crosses one of the rules' thresholds (`monitoring.domain.thresholds`,
compared as the rules compare them: the canonical value rounded to 0.01)."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Protocol

from monitoring import domain
from monitoring.domain import thresholds
from monitoring.domain.columns import LAB_JUDGED_PLACES
from monitoring.domain.rounding import round_2
from monitoring.domain.rules import kidney
from monitoring.domain.rules.context import same_date_rank
from monitoring.models import LabResult
from monitoring.overview.kidney_to_measure import CreatinineToMeasure
from monitoring.records import selectors
from patients.models import Patient

KIDNEY = (domain.Analyte.EGFR, domain.Analyte.CRCL)
HALF_HUNDREDTH = Decimal("0.005")

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


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


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
    analyte: domain.Analyte,
    value: Decimal,
    unit: str | None = None,
    *,
    zoledronic: bool = False,
) -> LabFlag | None:
    """The flag of a canonical `value` of `analyte` against the rules' thresholds, or None; its
    note gives the threshold in `unit` (the canonical unit by default). A kidney function of 35
    to 60 asks for a check of the zoledronic acid dose only when `zoledronic` (acid planned or
    active): to anyone else it is reduced kidney function (nurse10 5)."""
    unit = unit or domain.CANONICAL_UNIT[analyte]

    def below(limit: Decimal) -> str:
        return f"below {threshold_words(analyte, limit, unit)}"

    value = round_2(value)
    high = high_flag(analyte, value, unit)
    if high is not None:
        return high
    if analyte is domain.Analyte.VITAMIN_D_25OH:
        if value < thresholds.VITD_DEFICIENT_BELOW:
            return LabFlag("deficient", below(thresholds.VITD_DEFICIENT_BELOW), "danger")
        if value < thresholds.VITD_SUFFICIENT_FROM:
            return LabFlag("insufficient", below(thresholds.VITD_SUFFICIENT_FROM), "warning")
    elif analyte is domain.Analyte.CALCIUM:
        if value < thresholds.CALCIUM_LOW_BELOW:
            return LabFlag("low", below(thresholds.CALCIUM_LOW_BELOW), "danger")
    elif analyte in KIDNEY:
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


def high_flag(analyte: domain.Analyte, value: Decimal, unit: str) -> LabFlag | None:
    """The "high" flag of a canonical `value` rounded as the rules round it, as CA-HIGH and
    VITD-HIGH judge it, or None; its note gives the threshold in `unit`."""
    for limited, limit, level, asks in HIGH_LIMITS:
        if analyte is limited and value > limit:
            words = threshold_words_above(analyte, limit, unit)
            return LabFlag("high", f"above {words}: {asks}", level, above=True)
    return None


def shown_threshold_above(analyte: domain.Analyte, limit: Decimal, unit: str) -> Decimal:
    """A rules' "above" threshold of `analyte` (canonical) as written in `unit`: unchanged in the
    canonical unit, else the greatest value with `LAB_JUDGED_PLACES` decimals in `unit` that the
    rules do not flag, as `shown_threshold` writes a "below" one; the conventional number where
    there is one (420 nmol/L of vitamin D is above 250 nmol/L, 100 ng/mL, not 249.61: the
    conversion read as a bug, as 49.91 did, phys13 #15a). Words only: the rules are unchanged."""
    if unit == domain.CANONICAL_UNIT[analyte]:
        return limit
    conventional = CONVENTIONAL_THRESHOLDS.get((analyte, unit), {}).get(limit)
    if conventional is not None:
        return conventional
    # round_2(c) > limit exactly when c >= limit + half a hundredth (ties round up, flagged).
    first_flagged = domain.from_canonical(analyte, limit + HALF_HUNDREDTH, unit)
    step = Decimal(1).scaleb(-LAB_JUDGED_PLACES)
    shown = first_flagged.quantize(step, ROUND_FLOOR)
    return shown - step if shown == first_flagged else shown


def threshold_words_above(analyte: domain.Analyte, limit: Decimal, unit: str) -> str:
    """A rules' "above" threshold in `unit` (`shown_threshold_above`) with its unit, and the
    canonical threshold beside it where they differ: "250 nmol/L (100 ng/mL)"."""
    shown = f"{_plain(shown_threshold_above(analyte, limit, unit))} {unit}"
    canonical = domain.CANONICAL_UNIT[analyte]
    return shown if unit == canonical else f"{shown} ({_plain(limit)} {canonical})"


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


def _domain_lab(lab: LabResult) -> domain.LabResult:
    return domain.LabResult(
        date=lab.sample_date, analyte=domain.Analyte(lab.analyte), value=Decimal(lab.value)
    )


def _lower_estimate(
    measured: LabResult, creatinines: Iterable[domain.LabResult], patient: BodyOnRecord
) -> Decimal | None:
    """The clearance estimated from `creatinines` (of `measured`'s sample) when RENAL judges it
    in place of that eGFR (`kidney.judged_kidney_function`: lower than it), else None."""
    judged = kidney.judged_kidney_function(
        _domain_lab(measured), creatinines, _domain_patient(patient)
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
        lab_flag(domain.Analyte.CRCL, clearance, zoledronic=zoledronic)
        if clearance is not None
        else None
    )
    if flag is None or clearance is None:
        return None
    estimate = f"estimated creatinine clearance {_plain(round_2(clearance))} mL/min"
    weight = f"{_plain(Decimal(patient.weight_kg))} kg on record"
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
        f"the creatinine clearance estimated from the same sample, {_plain(round_2(estimate))} "
        f"mL/min, is lower than this {_quoted(lab)}: it is the kidney function the rules judge",
        "info",
    )


def _kidney_rank(lab: LabResult) -> tuple[int, Decimal]:
    return same_date_rank(_domain_lab(lab), kidney.MEASURED_KIDNEY)


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
        return f"creatinine clearance {_plain(Decimal(lab.value))} mL/min"
    return f"eGFR {_plain(Decimal(lab.value))} mL/min/1.73 m²"


# The vitamin D thresholds in nmol/L as clinicians know them (phys13 #15a; nurse9 F5 before it):
# the spec states VITD in ng/mL (20 and 30, `thresholds.py`), and the source it cites for them,
# the Endocrine Society 2011 guideline (Holick et al.), writes the same limits as "< 20 ng/mL
# (50 nmol/L)" and "30 ng/mL (75 nmol/L)". Words and chart lines only: the rules still convert a
# result to ng/mL (x 1/2.496), round it to 0.01 and compare with 20 and 30 (module doc).
CONVENTIONAL_THRESHOLDS: dict[tuple[domain.Analyte, str], dict[Decimal, Decimal]] = {
    (domain.Analyte.VITAMIN_D_25OH, "nmol/L"): {
        thresholds.VITD_DEFICIENT_BELOW: Decimal(50),
        thresholds.VITD_SUFFICIENT_FROM: Decimal(75),
        # VITD-HIGH's limits, 100 and 150 ng/mL, as clinicians write them in nmol/L (nurse13 #1):
        # a result of 249.62-250 or 374.42-375 nmol/L is flagged beside "above 250 (375)", the
        # flag being the rules' decision from the ng/mL limit written beside it.
        thresholds.VITD_HIGH_ABOVE: Decimal(250),
        thresholds.VITD_TOXIC_ABOVE: Decimal(375),
    },
}


def shown_threshold(analyte: domain.Analyte, limit: Decimal, unit: str) -> Decimal:
    """A rules' "below" threshold of `analyte` (canonical) as written in `unit`: unchanged in the
    canonical unit; the conventional number of its source where it has one
    (`CONVENTIONAL_THRESHOLDS`: 50 and 75 nmol/L of vitamin D); else the least value with
    `LAB_JUDGED_PLACES` decimals in `unit` that the rules do not flag (phys10 F5: calcium's
    2.12 mmol/L reads 8.48 mg/dL).

    The rules convert a result to the canonical unit, round it to 0.01 and compare
    (docs/clinical-rules.md, Conventions), so the exact edge of 20 ng/mL is 49.91 nmol/L
    (19.996 ng/mL reads 20.00, not deficient). phys13 #15a (a second report, after nurse9 F5):
    "< 49.91 nmol/L" and "target >= 74.87 nmol/L" read as a conversion bug to clinicians, who
    know 50 and 75 nmol/L, the numbers the spec's source gives. The pages now write those. Every
    result the rules flag is below them (a deficient one below 49.91, an insufficient one below
    74.87), so the words beside a flag are true; only a result of 49.91-49.99 or 74.87-74.99
    nmol/L, with two decimals that nmol/L reports rarely carry, is judged on the other side of
    the round number, and its flag (the rules' decision, from the ng/mL limit written beside:
    "50 nmol/L (20 ng/mL)") says which. Words only: the rules are unchanged.
    """
    if unit == domain.CANONICAL_UNIT[analyte]:
        return limit
    conventional = CONVENTIONAL_THRESHOLDS.get((analyte, unit), {}).get(limit)
    if conventional is not None:
        return conventional
    # round_2(c) < limit exactly when c < limit - half a hundredth (ties round up, unflagged).
    first_unflagged = domain.from_canonical(analyte, limit - HALF_HUNDREDTH, unit)
    return first_unflagged.quantize(Decimal(1).scaleb(-LAB_JUDGED_PLACES), ROUND_CEILING)


def threshold_words(analyte: domain.Analyte, limit: Decimal, unit: str) -> str:
    """A rules' threshold in `unit` (`shown_threshold`) with its unit, and the canonical threshold
    beside it where they differ: "50 nmol/L (20 ng/mL)", "20 ng/mL"."""
    shown = f"{_plain(shown_threshold(analyte, limit, unit))} {unit}"
    canonical = domain.CANONICAL_UNIT[analyte]
    return shown if unit == canonical else f"{shown} ({_plain(limit)} {canonical})"


def shown_value(analyte: domain.Analyte, value: Decimal, unit: str) -> Decimal:
    """A canonical `value` in `unit`, rounded to 0.01 as the rules round converted lab values."""
    return round_2(domain.from_canonical(analyte, value, unit))


@dataclass(frozen=True)
class LabRow:
    """One result as the labs table shows it (`lab` for its date, links and fasting)."""

    lab: LabResult
    value: Decimal
    unit: str
    entered: str
    flag: LabFlag | None
    converted: bool = False  # entered in another unit: the table shows `entered` below it
    # A calcium worked out from the total calcium and albumin: "adjusted from total 2.10, albumin
    # 30 g/L" (`LabResult.adjusted_from_words`), beside the value.
    adjusted_from: str = ""


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
            creatinines.setdefault(lab.sample_date, []).append(_domain_lab(lab))
    rows = []
    for lab in labs:
        analyte = domain.Analyte(lab.analyte)
        judged = measured.get(lab.sample_date)
        lower = (
            _lower_estimate(lab, creatinines.get(lab.sample_date, ()), patient)
            if patient is not None and lab is judged
            else None
        )
        if analyte is domain.Analyte.CREATININE and patient is not None:
            flag = creatinine_flag(
                Decimal(lab.value),
                lab.sample_date,
                patient,
                zoledronic=zoledronic,
                measured=judged,
                to_measure=to_measure,
            )
        elif lower is not None:
            flag = egfr_gives_way(lab, lower)
        else:
            flag = lab_flag(
                analyte,
                Decimal(lab.value),
                domain.display_unit(analyte, system),
                zoledronic=zoledronic,
            )
        unit = domain.display_unit(analyte, system)
        entered_unit = domain.normalize_unit(lab.entered_unit)
        adjusted_from = lab.adjusted_from_words()
        if entered_unit == unit:
            # An adjusted calcium reads to 0.01 as worked out (2.30, beside a total of 2.10).
            value = Decimal(lab.entered_value)
            value = round_2(value) if adjusted_from else value
        else:
            value = shown_value(analyte, Decimal(lab.value), unit)
        rows.append(
            LabRow(
                lab=lab,
                value=value,
                unit=unit,
                entered=f"{_plain(Decimal(lab.entered_value))} {lab.entered_unit}",
                flag=flag,
                converted=entered_unit != unit,
                adjusted_from=adjusted_from,
            )
        )
    return rows[::-1]


class TableReadings:
    """The value the labs table shows for a result a rule's text quotes, found by analyte, date
    and the value as the rules round it (`lab_texts.in_site_units`): 20.93 nmol/L entered is
    quoted as 8.39 ng/mL, which converts back to 20.94, where the table shows 20.93.

    `rows` is read on the first look-up only (most texts quote no value needing it); a template
    passes the object as it is (`do_not_call_in_templates`).
    """

    do_not_call_in_templates = True

    def __init__(self, rows: Callable[[], Iterable[LabRow]]) -> None:
        self._rows = rows
        self._shown: dict[tuple[str, dt.date, Decimal], Decimal] | None = None

    def __call__(self, analyte: domain.Analyte, day: dt.date, quoted: Decimal) -> Decimal | None:
        if self._shown is None:
            self._shown = {
                (row.lab.analyte, row.lab.sample_date, round_2(Decimal(row.lab.value))): row.value
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
