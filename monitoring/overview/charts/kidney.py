"""The kidney panel of the labs chart beside its measured results: the creatinine clearance each
creatinine gives by Cockcroft-Gault, and a ring on the kidney function the rules judge of each
sample.

nurse14 #2: the panel drew an eGFR of 40 alone, above the "< 35 no zoledronic acid" line, while
RENAL judged the clearance of 28.2 mL/min estimated from the creatinine of the same sample (a
woman of 65, 54 kg), as the labs table said: a nurse reading the chart against its lines read
zoledronic acid as allowed. Which value is judged is the rules' decision
(`domain.rules.kidney.kidney_function_by_sample`), not worked out again here; the estimates are
those the labs table's creatinine rows give (`kidney.computed_clearance`).

followups14: a creatinine newer than the kidney function judged whose estimate is below a planned
or active drug's limit raises "Kidney function to measure" (phys14 #1); its point and the key say
so (`kidney_to_measure`, RENAL's own decision), where they called it information only."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from monitoring import domain
from monitoring.domain.rules import kidney
from monitoring.overview.charts.lab_series import Series
from monitoring.overview.kidney_to_measure import CreatinineToMeasure
from monitoring.overview.lab_texts import unit_notation
from monitoring.overview.lab_values import plain, shown_result
from monitoring.overview.labs import lab_flag

A = domain.Analyte
Judged = dict[dt.date, kidney.KidneyFunction]

ESTIMATE_NAME = "Cockcroft-Gault clearance"
ESTIMATE_STYLE = ("#CC79A7", "triangle-up-open", "dot")  # the measured clearance's colour
JUDGED_NAME = "Judged by the rules"
JUDGED_STYLE = ("#000000", "circle-open")
# The key's words for the ring and the estimates (under the chart, after the lines' meanings).
RING_NOTE = "Ringed: the kidney function the rules judge of each sample"
ESTIMATE_NOTE = (
    "a Cockcroft-Gault clearance (dotted) lower than the eGFR of its sample is judged in its "
    "place, as the drug labels set their limits in creatinine clearance"
)
ESTIMATE_DOTTED = (
    "Dotted: the Cockcroft-Gault clearance of each creatinine (age, sex and weight on record)"
)
INFORMATION_ONLY = "information only: the rules judge a measured creatinine clearance or eGFR"
ESTIMATE_ALONE_NOTE = f"{ESTIMATE_DOTTED}, {INFORMATION_ONLY}"


def judged_by_sample(history: domain.History, labs: Iterable[domain.LabResult]) -> Judged:
    """The kidney function the rules judge of each sample date of `labs` (the rules' decision)."""
    return kidney.kidney_function_by_sample(labs, history.patient)


def _measured_words(judged: kidney.KidneyFunction) -> str:
    if judged.analyte is A.EGFR:
        return f"the eGFR {plain(judged.value)} mL/min/1.73 m²"
    return f"the creatinine clearance {plain(judged.value)} mL/min"


def measured_words(lab: domain.LabResult, flag_word: str, judged: Judged) -> str:
    """What a measured eGFR or clearance says on hover: its flag, or, where the rules judge the
    lower estimate of its sample in its place, that it is not judged (the table's "see
    creatinine")."""
    day = judged.get(lab.date)
    if day is not None and day.estimated and lab.analyte is A.EGFR:
        return "not judged: the rules judge the lower Cockcroft-Gault estimate of the same sample"
    return flag_word


def _estimate_verdict(
    lab: domain.LabResult,
    judged: kidney.KidneyFunction | None,
    to_measure: CreatinineToMeasure | None,
) -> str:
    if to_measure is not None and to_measure.is_of(lab.date, lab.value):
        return to_measure.words  # RENAL_FUNCTION_UNKNOWN: the rules' decision, not information
    if judged is None:
        return "information only: the rules judge a measured clearance or eGFR"
    if judged.estimated and judged.creatinine == lab.value and judged.egfr is not None:
        egfr = f"the eGFR {plain(judged.egfr)} mL/min/1.73 m²"
        return f"judged: lower than {egfr} of the same sample"
    return f"information only: {_measured_words(judged)} of the same sample is judged"


def estimate_series(
    history: domain.History,
    labs: Iterable[domain.LabResult],
    judged: Judged,
    system: domain.UnitSystem,
    to_measure: CreatinineToMeasure | None = None,
) -> Series | None:
    """The Cockcroft-Gault clearance of each creatinine of `labs` (none without a weight on
    record), each saying on hover its flag, whether the rules judge it (or, for `to_measure`,
    that it asks for kidney function to be measured), and what it is from."""
    patient = history.patient
    creatinine_unit = domain.display_unit(A.CREATININE, system)
    days: list[dt.date] = []
    values: list[Decimal] = []
    words: list[str] = []
    for lab in labs:
        if lab.analyte is not A.CREATININE:
            continue
        estimate = kidney.computed_clearance(lab, patient)
        if estimate is None or patient.weight_kg is None:
            continue
        flag = lab_flag(domain.LabResult(date=lab.date, analyte=A.CRCL, value=estimate))
        creatinine = unit_notation(str(shown_result(lab, creatinine_unit)))
        source = f"from creatinine {creatinine} and {plain(patient.weight_kg)} kg on record"
        verdict = _estimate_verdict(lab, judged.get(lab.date), to_measure)
        days.append(lab.date)
        values.append(estimate)
        said = " · ".join(word for word in (flag.word if flag else "", verdict) if word)
        words.append(f"{said}<br>{source}")
    if not days:
        return None
    colour, symbol, dash = ESTIMATE_STYLE
    return Series(
        A.CRCL,
        ESTIMATE_NAME,
        "mL/min",
        colour,
        symbol,
        tuple(days),
        tuple(values),
        tuple(words),
        dash=dash,
    )


def _judged_words(judged: kidney.KidneyFunction) -> str:
    if judged.estimated and judged.egfr is not None:
        quoted = (
            f"creatinine clearance {plain(judged.value)} mL/min, estimated by Cockcroft-Gault "
            f"(lower than the eGFR {plain(judged.egfr)} mL/min/1.73 m² of the same sample)"
        )
    else:
        quoted = _measured_words(judged).removeprefix("the ")
    flag = lab_flag(domain.LabResult(date=judged.date, analyte=judged.analyte, value=judged.value))
    return f"{quoted}: {flag.word}, {flag.note}" if flag else quoted


def judged_series(judged: Judged) -> Series | None:
    """A ring on the kidney function the rules judge of each sample."""
    if not judged:
        return None
    colour, symbol = JUDGED_STYLE
    return Series(
        A.CRCL,
        JUDGED_NAME,
        "",
        colour,
        symbol,
        tuple(judged),
        tuple(function.value for function in judged.values()),
        tuple(_judged_words(function) for function in judged.values()),
        ring=True,
    )


def added_series(
    history: domain.History,
    labs: Iterable[domain.LabResult],
    judged: Judged,
    system: domain.UnitSystem,
    *,
    measured: list[Series],
    to_measure: CreatinineToMeasure | None = None,
) -> list[Series]:
    """What the kidney panel draws beside its `measured` traces: the estimates, and the ring
    where the panel has more than one kind of kidney function to choose from (an eGFR alone is
    the one judged, and its chart stays as it was)."""
    estimates = estimate_series(history, labs, judged, system, to_measure)
    drawn = [*measured, estimates] if estimates is not None else measured
    ring = judged_series(judged) if len(drawn) > 1 else None
    return [one for one in (estimates, ring) if one is not None]


def key_note(series: Iterable[Series], to_measure: CreatinineToMeasure | None = None) -> str:
    """What the key under the chart says of the ring and the estimates, if the panel draws them,
    and of the creatinine that asks for kidney function to be measured (`to_measure`)."""
    by_name = {one.name: one for one in series}
    estimates = by_name.get(ESTIMATE_NAME)
    if estimates is None:
        return RING_NOTE if JUDGED_NAME in by_name else ""
    speaks = to_measure if to_measure is not None and to_measure.date in estimates.days else None
    if JUDGED_NAME in by_name:
        notes = [RING_NOTE, ESTIMATE_NOTE]
        return "; ".join([*notes, speaks.key_words] if speaks is not None else notes)
    if speaks is None:
        return ESTIMATE_ALONE_NOTE
    # No kidney function measured: the estimate that speaks is not information; any other is.
    others = [f"the others are {INFORMATION_ONLY}"] if len(estimates.days) > 1 else []
    return "; ".join([ESTIMATE_DOTTED, speaks.key_words, *others])
