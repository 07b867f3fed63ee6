"""phys14 #1: a creatinine newer than the kidney function judged (or with none judged) whose
Cockcroft-Gault estimate is below a drug's limit, while that kidney function is not, speaks last
for the drug (rules/kidney.py, `KidneyReading`): RENAL_FUNCTION_UNKNOWN at high, naming the
creatinine, its date and estimate and asking for a measured clearance or eGFR before the next dose.
It never becomes the kidney function itself (vignette 38: a creatinine alone is not a clearance)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.domain import (
    AlertCode,
    Analyte,
    BoneTherapyDrug,
    Severity,
    Sex,
    assess,
)
from monitoring.domain.rounding import round_1
from monitoring.domain.rules.context import build_context
from monitoring.domain.rules.kidney import cockcroft_gault, kidney_reading
from monitoring.domain.rules.labs import KIDNEY_LIMITS

from .builders import d, history, lab, patient, therapy

AS_OF = d("2026-12-07")
RENAL_CODES = frozenset(
    {
        AlertCode.RENAL_CONTRAINDICATION,
        AlertCode.RENAL_DOSE_CHECK,
        AlertCode.RENAL_FUNCTION_UNKNOWN,
        AlertCode.HYPOCALCEMIA_RISK_RENAL,
    }
)
# phys14's T14-01: a woman born 1948-02-01 (78 on 2026-11-20), 48 kg, on zoledronic acid.
T14 = {"birth_date": d("1948-02-01"), "weight_kg": Decimal(48)}
T14_LABS = (lab("2026-06-01", Analyte.EGFR, "80"), lab("2026-11-20", Analyte.CREATININE, "160"))
# By hand: 160 / 88.42 = 1.8095 mg/dL; (140 - 78) x 48 / (72 x 1.8095) x 0.85 = 19.42 mL/min.
T14_MESSAGE = (
    "Creatinine 160.00 µmol/L on 2026-11-20 gives an estimated clearance of 19.4 mL/min "
    "(Cockcroft-Gault, weight on record 48 kg), below zoledronic acid's 35 mL/min limit, and is "
    "newer than the eGFR 80.00 mL/min/1.73 m² on 2026-06-01: measure the creatinine clearance or "
    "eGFR again before the infusion, as a creatinine alone is not a clearance."
)


def _zoledronic_acid() -> object:
    return therapy(
        BoneTherapyDrug.ZOLEDRONIC_ACID, "2026-06-10", doses=("2026-06-10",), dental="2026-05-20"
    )


def _renal(*labs: object, course: object, **who: object) -> dict[AlertCode, tuple[Severity, str]]:
    h = history(patient=patient(**who), labs=labs, bone_therapy=(course,))
    return {
        a.code: (a.severity, a.message)
        for a in assess(h, as_of=AS_OF).alerts
        if a.code in RENAL_CODES
    }


def test_phys14_t14_01_a_normal_older_egfr_no_longer_silences_the_creatinine() -> None:
    assert _renal(*T14_LABS, course=_zoledronic_acid(), **T14) == {
        AlertCode.RENAL_FUNCTION_UNKNOWN: (Severity.HIGH, T14_MESSAGE)
    }


def test_the_reading_names_the_estimate_as_the_value_that_speaks_last() -> None:
    h = history(patient=patient(**T14), labs=T14_LABS, bone_therapy=(_zoledronic_acid(),))
    reading = kidney_reading(build_context(h, AS_OF))
    assert reading.judged is not None
    assert (reading.judged.value, reading.judged.date) == (Decimal("80.00"), d("2026-06-01"))
    spoken = reading.speaks_last(Decimal(35))
    assert spoken is not None
    assert (spoken.value, spoken.date, spoken.analyte) == (
        Decimal("19.4"),
        d("2026-11-20"),
        Analyte.CRCL,
    )
    assert spoken.estimated
    assert spoken.quoted() == (
        "creatinine clearance 19.4 mL/min on 2026-11-20, estimated by Cockcroft-Gault"
    )
    # Above the estimate, the kidney function judged speaks: a limit of 15 mL/min.
    assert reading.speaks_last(Decimal(15)) == reading.judged


@pytest.mark.parametrize(
    ("drug", "limit", "before"),
    [
        (BoneTherapyDrug.ZOLEDRONIC_ACID, "35", "infusion"),
        (BoneTherapyDrug.ALENDRONATE, "35", "next dose"),
        (BoneTherapyDrug.RISEDRONATE, "30", "next dose"),
        (BoneTherapyDrug.IBANDRONATE, "30", "next dose"),
        (BoneTherapyDrug.DENOSUMAB, "30", "next dose"),
    ],
)
def test_every_drug_s_limit_is_the_one_the_estimate_is_set_against(
    drug: BoneTherapyDrug, limit: str, before: str
) -> None:
    course = therapy(drug, "2026-06-10", doses=("2026-06-10",), dental="2026-05-20")
    renal = _renal(*T14_LABS, course=course, **T14)
    severity, message = renal[AlertCode.RENAL_FUNCTION_UNKNOWN]
    assert severity is Severity.HIGH
    assert f"below {drug.replace('_', ' ')}'s {limit} mL/min limit" in message
    assert f"again before the {before}" in message
    assert set(renal) == {AlertCode.RENAL_FUNCTION_UNKNOWN}


def test_an_estimate_between_the_limits_speaks_only_for_the_stricter_drugs() -> None:
    # 130 µmol/L: (140 - 78) x 48 / (72 x 130 / 88.42) x 0.85 = 23.9; 110: 28.2; 95: 32.7 mL/min.
    labs = (lab("2026-06-01", Analyte.EGFR, "80"), lab("2026-11-20", Analyte.CREATININE, "95"))
    for drug, speaks in (
        (BoneTherapyDrug.ALENDRONATE, True),  # 32.7 < 35
        (BoneTherapyDrug.RISEDRONATE, False),  # 32.7 >= 30
        (BoneTherapyDrug.DENOSUMAB, False),
    ):
        course = therapy(drug, "2026-06-10", doses=("2026-06-10",), dental="2026-05-20")
        renal = _renal(*labs, course=course, **T14)
        assert (AlertCode.RENAL_FUNCTION_UNKNOWN in renal) is speaks, drug


def test_a_stopped_course_gets_no_next_dose_to_measure_before() -> None:
    course = therapy(
        BoneTherapyDrug.ZOLEDRONIC_ACID,
        "2026-06-10",
        stop="2026-09-01",
        doses=("2026-06-10",),
        dental="2026-05-20",
    )
    assert _renal(*T14_LABS, course=course, **T14) == {}


def test_without_a_weight_there_is_no_estimate_and_the_egfr_decides() -> None:
    assert _renal(*T14_LABS, course=_zoledronic_acid(), **(T14 | {"weight_kg": None})) == {}


def test_a_kidney_function_measured_after_the_creatinine_speaks_last_again() -> None:
    labs = (*T14_LABS, lab("2026-11-25", Analyte.EGFR, "70"))
    assert _renal(*labs, course=_zoledronic_acid(), **T14) == {}


def test_a_contraindication_already_judged_is_not_repeated_by_the_creatinine() -> None:
    labs = (lab("2026-06-01", Analyte.EGFR, "30"), lab("2026-11-20", Analyte.CREATININE, "160"))
    renal = _renal(*labs, course=_zoledronic_acid(), **T14)
    assert set(renal) == {AlertCode.RENAL_CONTRAINDICATION}
    severity, message = renal[AlertCode.RENAL_CONTRAINDICATION]
    assert severity is Severity.CRITICAL
    assert "Creatinine 160.00 µmol/L on 2026-11-20 gives an estimated clearance" in message


def test_an_oral_bisphosphonate_past_its_start_is_asked_for_a_value_by_a_low_creatinine() -> None:
    """With no kidney function on file a course of years asks for none (physician10 F4), but a
    creatinine below its limit speaks for it as for a course being started."""
    course = therapy(BoneTherapyDrug.ALENDRONATE, "2022-01-10", dental=None)
    assert _renal(lab("2026-11-20", Analyte.CREATININE, "75"), course=course, **T14) == {}
    renal = _renal(lab("2026-11-20", Analyte.CREATININE, "160"), course=course, **T14)
    severity, message = renal[AlertCode.RENAL_FUNCTION_UNKNOWN]
    assert severity is Severity.HIGH
    assert message.startswith(
        "No creatinine clearance or eGFR in the last 12 months for alendronate"
    )
    assert "below alendronate's 35 mL/min limit" in message


DRUGS = st.sampled_from(sorted(KIDNEY_LIMITS))
CREATININES = st.decimals(min_value=Decimal(40), max_value=Decimal(900), places=0)
WEIGHTS = st.decimals(min_value=Decimal(35), max_value=Decimal(130), places=0)
AGES = st.integers(min_value=40, max_value=95)
MEASURED = st.sampled_from([Analyte.EGFR, Analyte.CRCL])


def _with_and_without(
    drug: BoneTherapyDrug,
    measured: Analyte,
    kidney: int,
    creatinine: Decimal,
    weight: Decimal,
    age: int,
    days_newer: int,
) -> tuple[dict[AlertCode, tuple[Severity, str]], dict[AlertCode, tuple[Severity, str]], Decimal]:
    """RENAL's alerts with the newer creatinine and without it, and the creatinine's estimate."""
    who = {"birth_date": dt.date(2026 - age, 1, 1), "weight_kg": weight, "sex": Sex.F}
    course = therapy(drug, "2026-06-10", doses=("2026-06-10",), dental="2026-05-20")
    measured_on = AS_OF - dt.timedelta(days=200)
    older = dataclasses.replace(lab("2026-01-01", measured, "1"), date=measured_on)
    older = dataclasses.replace(older, value=Decimal(kidney))
    newer = dataclasses.replace(
        lab("2026-01-01", Analyte.CREATININE, "1"),
        date=measured_on + dt.timedelta(days=days_newer),
        value=creatinine,
    )
    # Born on 1 January, she is `age` on every day of 2026 after it, the creatinine's date too.
    estimate = round_1(cockcroft_gault(creatinine=creatinine, age=age, sex=Sex.F, weight_kg=weight))
    both = _renal(older, newer, course=course, **who)
    alone = _renal(older, course=course, **who)
    return both, alone, estimate


@settings(max_examples=150, deadline=None)
@given(
    drug=DRUGS,
    measured=MEASURED,
    kidney=st.integers(min_value=5, max_value=140),
    creatinine=CREATININES,
    weight=WEIGHTS,
    age=AGES,
    days_newer=st.integers(min_value=1, max_value=200),
)
def test_a_newer_creatinine_below_the_limit_is_never_silent_and_never_lowers_a_decision(
    drug: BoneTherapyDrug,
    measured: Analyte,
    kidney: int,
    creatinine: Decimal,
    weight: Decimal,
    age: int,
    days_newer: int,
) -> None:
    """The invariant phys14 #1 broke: with a planned or active course, a newer creatinine whose
    estimate is below the drug's limit leaves a RENAL alert at high or above; any newer creatinine
    keeps every alert of the measured value alone at its severity or higher; and one at or above
    the limit (or beside a kidney function already below it) adds no alert."""
    both, alone, estimate = _with_and_without(
        drug, measured, kidney, creatinine, weight, age, days_newer
    )
    limit = KIDNEY_LIMITS[drug]
    if estimate < limit:
        assert any(severity.rank >= Severity.HIGH.rank for severity, _m in both.values())
        if kidney >= limit:
            severity, message = both[AlertCode.RENAL_FUNCTION_UNKNOWN]
            assert severity is Severity.HIGH
            assert f"gives an estimated clearance of {estimate} mL/min" in message
    else:
        assert set(both) == set(alone)
    for code, (severity, _message) in alone.items():
        assert both[code][0].rank >= severity.rank
