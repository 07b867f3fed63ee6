"""phys14 #9 and #11 in the rules.

#9: RECORD_FRAX for a woman of 35, premenopausal on exemestane, asked for a score FRAX cannot
give (it covers ages 40 to 90 and is not validated before the menopause). The recommendation
stays (its code, rule and sources: the vignettes are unchanged) and says why FRAX does not apply.
#11: alendronate at eGFR 32 (RENAL_CONTRAINDICATION) earned SCHED-STABLE-ON-THERAPY's 24 months;
a course the kidney function rules out is to stop, so the risk category's interval applies.
"""

from __future__ import annotations

import pytest

from monitoring.domain import (
    Analyte,
    BoneTherapyDrug,
    MenopausalStatus,
    RecommendationCode,
    RuleId,
    Sex,
    assess,
    kidney_stop,
)
from monitoring.domain.frax_scope import frax_form_warning, frax_not_applicable, frax_withheld

from .builders import ai, d, history, lab, patient, scan, therapy

AS_OF = d("2026-12-07")
ALN = BoneTherapyDrug.ALENDRONATE
PRE = MenopausalStatus.PREMENOPAUSAL


def _record_frax(**who: object) -> tuple[str, tuple[RuleId, ...]]:
    h = history(patient=patient(**who), aromatase_inhibitors=(ai("2026-06-01"),))
    (rec,) = [
        r
        for r in assess(h, as_of=AS_OF).recommendations
        if r.code is RecommendationCode.RECORD_FRAX
    ]
    return rec.message, rec.rules


def test_a_premenopausal_woman_of_35_is_told_why_frax_does_not_apply() -> None:
    message, rules = _record_frax(birth_date=d("1991-06-01"), menopausal_status=PRE)
    assert message == (
        "FRAX covers ages 40 to 90 (age 35); FRAX is not validated before the menopause: no "
        "FRAX score is needed."
    )
    assert rules == (RuleId.ALWAYS,)
    assert frax_withheld(message)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (
            {"birth_date": d("1980-03-10"), "menopausal_status": PRE},
            "FRAX is not validated before the menopause: no FRAX score is needed.",
        ),
        (
            {"birth_date": d("1988-01-01"), "sex": Sex.M},
            "FRAX covers ages 40 to 90 (age 38): no FRAX score is needed.",
        ),
    ],
)
def test_each_reason_alone(who: dict[str, object], message: str) -> None:
    assert _record_frax(**who)[0] == message


@pytest.mark.parametrize(
    "who",
    [
        {"birth_date": d("1986-12-07")},  # 40 today, postmenopausal
        {"birth_date": d("1930-01-01")},  # 96: the calculator computes 90, still asked for
        {"birth_date": d("1970-01-01"), "sex": Sex.M, "menopausal_status": PRE},  # ignored
    ],
)
def test_frax_is_asked_for_where_it_applies(who: dict[str, object]) -> None:
    message, _ = _record_frax(**who)
    assert message.startswith("Record a FRAX score.")
    assert not frax_withheld(message)
    assert frax_not_applicable(sex=Sex.F, menopausal_status=None, age=40) is None


@pytest.mark.parametrize(
    ("age", "status", "said"),
    [
        (39, None, "FRAX covers ages 40 to 90 (age 39: the calculator computes 40)"),
        (91, None, "FRAX covers ages 40 to 90 (age 91: the calculator computes 90)"),
        (45, PRE, "FRAX is not validated before the menopause"),
    ],
)
def test_the_form_warns_outside_40_to_90_and_before_the_menopause(
    age: int, status: MenopausalStatus | None, said: str
) -> None:
    warning = frax_form_warning(sex=Sex.F, menopausal_status=status, age=age)
    assert warning is not None
    assert warning == f"{said}. The result can be saved; read it with care."


@pytest.mark.parametrize("age", [40, 65, 90])
def test_the_form_says_nothing_from_40_to_90(age: int) -> None:
    assert frax_form_warning(sex=Sex.F, menopausal_status=None, age=age) is None


def _on_alendronate(egfr: str) -> object:
    """SHOW-17: alendronate since 2021-11-13, two scans on one scanner with no loss."""
    return history(
        patient=patient(birth_date=d("1964-12-22")),
        aromatase_inhibitors=(ai("2021-06-16"),),
        dexa_scans=(
            scan("2021-09-24", lumbar_spine=("0.794", "-2.3"), total_hip=("0.702", "-2.0")),
            scan("2026-05-21", lumbar_spine=("0.805", "-2.2"), total_hip=("0.714", "-1.9")),
        ),
        labs=(lab("2026-11-07", Analyte.EGFR, egfr),),
        bone_therapy=(therapy(ALN, "2021-11-13"),),
    )


def _repeat_dexa_rules(egfr: str) -> tuple[RuleId, ...]:
    result = assess(_on_alendronate(egfr), as_of=AS_OF)  # type: ignore[arg-type]
    (rec,) = [r for r in result.recommendations if r.code is RecommendationCode.REPEAT_DEXA]
    return rec.rules


def test_a_course_the_kidney_function_rules_out_is_not_stable_on_therapy() -> None:
    result = assess(_on_alendronate("32"), as_of=AS_OF)  # type: ignore[arg-type]
    assert result.next_dexa_due == d("2027-05-21")  # SCHED-HIGH's 12 months, not 24
    assert _repeat_dexa_rules("32") == (RuleId.SCHED_HIGH,)
    assert _repeat_dexa_rules("35") == (RuleId.SCHED_STABLE_ON_THERAPY,)


def test_the_letters_are_told_what_to_stop_and_what_is_left() -> None:
    stop = kidney_stop(_on_alendronate("32"), AS_OF)  # type: ignore[arg-type]
    assert stop is not None
    assert stop.drugs == (ALN,)
    assert stop.kidney == "eGFR 32.00 mL/min/1.73 m² on 2026-11-07"
    assert stop.allowed == "risedronate, ibandronate or denosumab"
    low = kidney_stop(_on_alendronate("25"), AS_OF)  # type: ignore[arg-type]
    assert low is not None
    assert low.allowed == "denosumab, with close calcium checks, on specialist advice"
    assert kidney_stop(_on_alendronate("35"), AS_OF) is None  # type: ignore[arg-type]
