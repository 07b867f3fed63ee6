"""nurse9 F12, physician9 F13: RENAL's kidney function is the latest crcl/eGFR only (the spec;
vignette 38); a serum creatinine newer than it, or alone, is quoted in the RENAL message with its
Cockcroft-Gault estimate, saying when the estimate is below the drug's limit (rules/kidney.py).
phys14 #1: such a creatinine whose estimate is below the drug's limit, while the kidney function
judged is not, speaks last: RENAL_FUNCTION_UNKNOWN at high (test_kidney_speaks_last.py)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain import (
    AlertCode,
    Analyte,
    Assessment,
    BoneTherapyDrug,
    RecommendationCode,
    Severity,
    Sex,
    assess,
    parse_history,
)
from monitoring.domain.rounding import round_1
from monitoring.domain.rules.kidney import cockcroft_gault

from .builders import d, history, lab, patient, therapy

AS_OF = d("2026-12-07")
# The builders' woman: born 1965-09-15 (61 on 2026-12-06), 64 kg.
UNKNOWN = (
    "No creatinine clearance or eGFR in the last 12 months for zoledronic acid: measure it before "
    "the infusion"
)
BELOW_400 = (
    "Creatinine 400.00 µmol/L on 2026-12-06 gives an estimated clearance of 13.2 mL/min "
    "(Cockcroft-Gault), below zoledronic acid's 35 mL/min limit: enter a measured creatinine "
    "clearance or eGFR before the infusion"
)


def _renal(result: Assessment) -> dict[AlertCode, tuple[Severity, str]]:
    renal = {
        AlertCode.RENAL_CONTRAINDICATION,
        AlertCode.RENAL_DOSE_CHECK,
        AlertCode.RENAL_FUNCTION_UNKNOWN,
        AlertCode.HYPOCALCEMIA_RISK_RENAL,
    }
    return {a.code: (a.severity, a.message) for a in result.alerts if a.code in renal}


def _assess(
    *labs: object, drug: BoneTherapyDrug = BoneTherapyDrug.ZOLEDRONIC_ACID, **who: object
) -> dict[AlertCode, tuple[Severity, str]]:
    course = therapy(drug, None)
    return _renal(
        assess(history(patient=patient(**who), labs=labs, bone_therapy=(course,)), as_of=AS_OF)
    )


@pytest.mark.parametrize(
    ("creatinine", "age", "sex", "weight", "clearance"),
    [
        # Hand-worked: (140 - age) x kg / (72 x mg/dL), x 0.85 for a woman; µmol/L / 88.42.
        ("88.42", 40, Sex.M, "72", "100"),  # 1 mg/dL, 100 x 72 / 72
        ("88.42", 40, Sex.F, "72", "85"),
        ("176.84", 80, Sex.M, "60", "25"),  # 2 mg/dL: 60 x 60 / 144
    ],
)
def test_cockcroft_gault_by_hand(
    creatinine: str, age: int, sex: Sex, weight: str, clearance: str
) -> None:
    got = cockcroft_gault(
        creatinine=Decimal(creatinine), age=age, sex=sex, weight_kg=Decimal(weight)
    )
    assert got == Decimal(clearance)


def test_creatinine_400_alone_leaves_the_kidney_function_unknown_and_says_its_estimate() -> None:
    # The spec (RENAL; vignette 38): a creatinine alone leaves the kidney function unknown; the
    # estimate is quoted, so a dangerous creatinine is not silent (nurse9 F12), and below the
    # drug's limit it speaks last: high, as beside an older eGFR (phys14 #1).
    renal = _assess(lab("2026-12-06", Analyte.CREATININE, "400"))
    assert renal == {
        AlertCode.RENAL_FUNCTION_UNKNOWN: (
            Severity.HIGH,
            f"{UNKNOWN}. {BELOW_400}.",
        )
    }


def test_a_man_s_estimate_is_not_reduced_by_the_womens_factor() -> None:
    renal = _assess(lab("2026-12-06", Analyte.CREATININE, "400"), sex=Sex.M)
    severity, message = renal[AlertCode.RENAL_FUNCTION_UNKNOWN]
    assert severity is Severity.HIGH
    assert "gives an estimated clearance of 15.5 mL/min (Cockcroft-Gault)" in message


def test_a_normal_creatinine_is_quoted_but_the_kidney_function_stays_unknown() -> None:
    renal = _assess(lab("2026-12-07", Analyte.CREATININE, "75"))
    assert set(renal) == {AlertCode.RENAL_FUNCTION_UNKNOWN}
    message = renal[AlertCode.RENAL_FUNCTION_UNKNOWN][1]
    assert "Creatinine 75.00 µmol/L on 2026-12-07 gives an estimated clearance of" in message
    assert "below" not in message
    assert "the decision rests on a measured creatinine clearance or eGFR" in message


@pytest.mark.parametrize(("value", "unit"), [("400", "µmol/L"), ("4.524", "mg/dL")])
def test_either_unit_as_entered_gives_the_same_estimate(value: str, unit: str) -> None:
    data = {
        "as_of": "2026-12-07",
        "patient": {"mrn": "U1", "sex": "F", "birth_date": "1965-09-15", "weight_kg": 64},
        "labs": [
            {"date": "2026-12-06", "analyte": "creatinine", "value": Decimal(value), "unit": unit}
        ],
        "bone_therapy": [{"drug": "zoledronic_acid", "dental_review_date": "2026-01-01"}],
    }
    renal = _renal(assess(parse_history(data), as_of=AS_OF))
    severity, message = renal[AlertCode.RENAL_FUNCTION_UNKNOWN]
    assert severity is Severity.HIGH
    assert "estimated clearance of 13.2 mL/min" in message


def test_a_newer_creatinine_does_not_override_an_older_egfr_but_is_quoted() -> None:
    # physician9 F13: the eGFR 25 decides; the newer creatinine rides along as information.
    renal = _assess(
        lab("2026-11-20", Analyte.EGFR, "25"),
        lab("2026-12-06", Analyte.CREATININE, "400"),
        drug=BoneTherapyDrug.DENOSUMAB,
    )
    severity, message = renal[AlertCode.HYPOCALCEMIA_RISK_RENAL]
    assert severity is Severity.HIGH
    assert message.startswith("eGFR 25.00 mL/min/1.73 m² on 2026-11-20 (< 30)")
    assert (
        "Creatinine 400.00 µmol/L on 2026-12-06 gives an estimated clearance of 13.2 mL/min "
        "(Cockcroft-Gault), below denosumab's 30 mL/min limit: enter a measured creatinine "
        "clearance or eGFR before the next dose." in message
    )


def test_a_newer_creatinine_never_changes_the_kidney_function_judged() -> None:
    # phys14 #1 replaced "a newer creatinine never raises a decision": the eGFR 40 still decides
    # the dose check, and the creatinine's estimate of 13 (below 35) raises its own alert
    # asking for a measured value, which carries the creatinine once.
    renal = _assess(
        lab("2026-11-20", Analyte.EGFR, "40"), lab("2026-12-06", Analyte.CREATININE, "400")
    )
    assert set(renal) == {AlertCode.RENAL_DOSE_CHECK, AlertCode.RENAL_FUNCTION_UNKNOWN}
    assert renal[AlertCode.RENAL_DOSE_CHECK] == (
        Severity.WARNING,
        "eGFR 40.00 mL/min/1.73 m² on 2026-11-20 (35 to 60): check the zoledronic acid dose.",
    )
    severity, message = renal[AlertCode.RENAL_FUNCTION_UNKNOWN]
    assert severity is Severity.HIGH
    assert "and is newer than the eGFR 40.00 mL/min/1.73 m² on 2026-11-20" in message


def test_a_newer_creatinine_above_the_limit_leaves_the_older_egfr_deciding() -> None:
    # 75 µmol/L: an estimate of 70.4 mL/min, above every limit: the eGFR 80 decides, no alert.
    assert (
        _assess(lab("2026-11-20", Analyte.EGFR, "80"), lab("2026-12-06", Analyte.CREATININE, "75"))
        == {}
    )


def test_a_measured_kidney_function_of_the_same_date_or_newer_is_not_annotated() -> None:
    # A measured clearance of the creatinine's sample wins over its estimate (rules/kidney.py);
    # an eGFR of that sample gives way to a lower estimate (test_kidney_same_sample.py).
    renal = _assess(
        lab("2026-12-06", Analyte.CRCL, "80"), lab("2026-12-06", Analyte.CREATININE, "400")
    )
    assert renal == {}
    for measured in (Analyte.EGFR, Analyte.CRCL):
        renal = _assess(
            lab("2026-12-07", measured, "40"), lab("2026-12-06", Analyte.CREATININE, "400")
        )
        assert set(renal) == {AlertCode.RENAL_DOSE_CHECK}
        assert "Creatinine" not in renal[AlertCode.RENAL_DOSE_CHECK][1]


def test_without_a_weight_the_alert_says_the_estimate_needs_one() -> None:
    renal = _assess(lab("2026-12-06", Analyte.CREATININE, "400"), weight_kg=None)
    assert renal == {
        AlertCode.RENAL_FUNCTION_UNKNOWN: (
            Severity.WARNING,
            f"{UNKNOWN}. Creatinine 400.00 µmol/L on 2026-12-06 is on file, but an estimated "
            "clearance (Cockcroft-Gault) needs the patient's weight: record it, and enter a "
            "measured creatinine clearance or eGFR.",
        )
    }


def test_a_creatinine_older_than_12_months_is_not_quoted() -> None:
    renal = _assess(lab("2025-12-06", Analyte.CREATININE, "400"))
    assert renal == {AlertCode.RENAL_FUNCTION_UNKNOWN: (Severity.WARNING, f"{UNKNOWN}.")}


def test_the_kidney_words_of_the_advice_ignore_a_creatinine() -> None:
    dmab = therapy(
        BoneTherapyDrug.DENOSUMAB, "2026-01-10", stop="2026-07-10", doses=("2026-01-10",)
    )
    result = assess(
        history(labs=(lab("2026-12-06", Analyte.CREATININE, "400"),), bone_therapy=(dmab,)),
        as_of=AS_OF,
    )
    (rec,) = [
        r for r in result.recommendations if r.code is RecommendationCode.START_FOLLOW_ON_THERAPY
    ]
    assert "contraindicated" not in rec.message
    assert "Kidney function" not in rec.message


creatinines = st.decimals(min_value=Decimal(20), max_value=Decimal(2000), places=1)


@given(
    low=creatinines,
    high=creatinines,
    age=st.integers(min_value=18, max_value=110),
    weight=st.decimals(min_value=Decimal(25), max_value=Decimal(300), places=1),
)
def test_a_higher_creatinine_or_age_never_gives_a_higher_clearance(
    low: Decimal, high: Decimal, age: int, weight: Decimal
) -> None:
    low, high = min(low, high), max(low, high)
    for sex in Sex:

        def clearance(creatinine: Decimal, years: int, sex: Sex = sex) -> Decimal:
            return cockcroft_gault(creatinine=creatinine, age=years, sex=sex, weight_kg=weight)

        assert clearance(high, age) <= clearance(low, age)
        assert clearance(low, age + 1) <= clearance(low, age)
        assert clearance(low, age) >= 0
    women = cockcroft_gault(creatinine=low, age=age, sex=Sex.F, weight_kg=weight)
    assert women <= cockcroft_gault(creatinine=low, age=age, sex=Sex.M, weight_kg=weight)


@given(creatinine=creatinines, egfr=st.integers(min_value=5, max_value=150))
def test_a_same_sample_creatinine_never_raises_the_kidney_function_judged(
    creatinine: Decimal, egfr: int
) -> None:
    """phys13 F3: the estimate of the eGFR's sample is judged only when lower (rules/kidney.py),
    so the decision is the eGFR's or one at least as severe, and the eGFR's when not lower."""
    alone = _assess(lab("2026-12-06", Analyte.EGFR, str(egfr)))
    both = _assess(
        lab("2026-12-06", Analyte.EGFR, str(egfr)),
        dataclasses.replace(lab("2026-12-06", Analyte.CREATININE, "1"), value=creatinine),
    )
    estimate = round_1(
        cockcroft_gault(creatinine=creatinine, age=61, sex=Sex.F, weight_kg=Decimal(64))
    )
    if estimate >= egfr:
        assert both == alone
    for code, (severity, _) in alone.items():
        if code is not AlertCode.RENAL_DOSE_CHECK:  # a contraindication may replace it
            assert both[code][0].rank >= severity.rank
