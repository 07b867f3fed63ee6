"""phys13 #5 and #10: the start advice with a deficient vitamin D says to replete it first and
check the calcium (as a low calcium says to correct it first); the calcium and vitamin D line
names repletion before the maintenance dose, and opens with correcting a low calcium and checking
it again (the worklist's words), with no recheck date the spec does not give."""

from __future__ import annotations

import dataclasses
import re

from monitoring.domain import (
    AlertCode,
    Analyte,
    Assessment,
    BoneTherapyDrug,
    History,
    Recommendation,
    RecommendationCode,
    RuleId,
    Severity,
    assess,
)

from .builders import AS_OF, ai, history, lab, normal_scan, scan, therapy

SAMPLED = "2025-05-20"
DEFICIENT = lab(SAMPLED, Analyte.VITAMIN_D_25OH, "8.01")  # 20 nmol/L
INSUFFICIENT = lab(SAMPLED, Analyte.VITAMIN_D_25OH, "25")
SUFFICIENT = lab(SAMPLED, Analyte.VITAMIN_D_25OH, "40")
CALCIUM_NORMAL = lab(SAMPLED, Analyte.CALCIUM, "2.25")
CALCIUM_LOW = lab(SAMPLED, Analyte.CALCIUM, "2.02")
KIDNEY = lab(SAMPLED, Analyte.EGFR, "70")
REPLETE_FIRST = "Replete the deficient vitamin D first (VITAMIN_D_DEFICIENT: 25-OH vitamin D 8.01"


def osteoporotic(*labs: object, **extra: object) -> History:
    """T -2.6 at the spine on an AI: BONE_THERAPY_INDICATED, nothing planned."""
    return dataclasses.replace(
        history(
            aromatase_inhibitors=(ai("2024-01-01"),),
            dexa_scans=(scan("2025-03-01", lumbar_spine=("0.800", "-2.6")),),
            labs=labs,
        ),
        **extra,  # type: ignore[arg-type]
    )


def recommendation(a: Assessment, code: RecommendationCode) -> Recommendation:
    (found,) = [r for r in a.recommendations if r.code is code]
    return found


def message(a: Assessment, code: AlertCode) -> tuple[str, Severity]:
    (found,) = [x for x in a.alerts if x.code is code]
    return found.message, found.severity


def test_the_start_advice_says_to_replete_a_deficient_vitamin_d_first() -> None:
    a = assess(osteoporotic(DEFICIENT, CALCIUM_NORMAL, KIDNEY), as_of=AS_OF)
    start = recommendation(a, RecommendationCode.START_BONE_THERAPY)
    assert start.message.startswith(REPLETE_FIRST)
    assert (
        "and check the calcium before zoledronic acid or denosumab is started (hypocalcaemia "
        "risk). Start an antiresorptive (bisphosphonate or denosumab): lowest T-score -2.6"
    ) in start.message
    assert RuleId.VITD in start.rules
    # The spec keeps the deficiency a warning while nothing is planned; it says the same.
    assert message(a, AlertCode.VITAMIN_D_DEFICIENT) == (
        f"25-OH vitamin D 8.01 ng/mL on {SAMPLED} is deficient (< 20); bone-protective therapy "
        "is indicated: replete it before zoledronic acid or denosumab is started "
        "(hypocalcaemia risk).",
        Severity.WARNING,
    )


def test_an_insufficient_vitamin_d_leaves_the_start_advice_as_it_was() -> None:
    a = assess(osteoporotic(INSUFFICIENT, CALCIUM_NORMAL, KIDNEY), as_of=AS_OF)
    start = recommendation(a, RecommendationCode.START_BONE_THERAPY)
    assert start.message.startswith("Start an antiresorptive")
    assert RuleId.VITD not in start.rules


def test_a_low_calcium_and_a_deficient_vitamin_d_are_both_said_first() -> None:
    a = assess(osteoporotic(DEFICIENT, CALCIUM_LOW, KIDNEY), as_of=AS_OF)
    start = recommendation(a, RecommendationCode.START_BONE_THERAPY)
    assert start.message.startswith("Correct the low calcium first (CALCIUM_LOW:")
    assert REPLETE_FIRST in start.message
    assert start.message.index(REPLETE_FIRST) < start.message.index("Start an antiresorptive")
    assert {RuleId.CA_LOW_OTHER, RuleId.VITD} <= set(start.rules)


def test_after_denosumab_the_follow_on_starts_repletion_now_and_is_not_put_off() -> None:
    stopped = therapy(
        BoneTherapyDrug.DENOSUMAB, "2023-01-01", stop="2025-04-01", doses=("2024-10-01",)
    )
    a = assess(
        history(
            aromatase_inhibitors=(ai("2024-01-01"),),
            dexa_scans=(normal_scan(),),
            labs=(DEFICIENT, CALCIUM_NORMAL, KIDNEY),
            bone_therapy=(stopped,),
        ),
        as_of=AS_OF,
    )
    follow_on = recommendation(a, RecommendationCode.START_FOLLOW_ON_THERAPY)
    assert follow_on.message.startswith("Start repleting the deficient vitamin D now (")
    assert "before a zoledronic acid infusion" in follow_on.message
    assert "first" not in follow_on.message.split("Start a bisphosphonate")[0]
    assert RuleId.VITD in follow_on.rules


def test_the_supplement_line_puts_repletion_before_the_maintenance_dose() -> None:
    for result in (DEFICIENT, INSUFFICIENT):
        a = assess(osteoporotic(result, CALCIUM_NORMAL, KIDNEY), as_of=AS_OF)
        line = recommendation(a, RecommendationCode.CALCIUM_VITAMIN_D)
        assert "vitamin D: a repletion course first" in line.message
        assert line.message.endswith("then 800-1000 IU/day to maintain.")
        # The spec and its sources name no loading dose: the only dose is the maintenance one.
        assert re.findall(r"[\d-]+ IU", line.message) == ["800-1000 IU"]
        assert line.rules == (RuleId.ALWAYS, RuleId.VITD)
        assert line.due is None


def test_with_nothing_low_the_supplement_line_is_every_patient_s() -> None:
    a = assess(osteoporotic(SUFFICIENT, CALCIUM_NORMAL, KIDNEY), as_of=AS_OF)
    line = recommendation(a, RecommendationCode.CALCIUM_VITAMIN_D)
    assert line.message == "Calcium 1000-1200 mg/day (diet first) and vitamin D 800-1000 IU/day."
    assert line.rules == (RuleId.ALWAYS,)


def test_a_critical_low_calcium_is_to_be_corrected_and_checked_again() -> None:
    """SHOW-03: denosumab planned, adjusted calcium 2.02 mmol/L, eGFR 25."""
    a = assess(
        osteoporotic(
            SUFFICIENT,
            CALCIUM_LOW,
            lab(SAMPLED, Analyte.EGFR, "25"),
            bone_therapy=(therapy(BoneTherapyDrug.DENOSUMAB, None),),
        ),
        as_of=AS_OF,
    )
    assert message(a, AlertCode.HYPOCALCEMIA)[1] is Severity.CRITICAL
    line = recommendation(a, RecommendationCode.CALCIUM_VITAMIN_D)
    assert line.message == (
        "Correct the low calcium and check it again (HYPOCALCEMIA: adjusted calcium 2.02 mmol/L "
        f"on {SAMPLED}, < 2.12). Calcium 1000-1200 mg/day (diet first) and vitamin D "
        "800-1000 IU/day."
    )
    assert line.rules == (RuleId.ALWAYS, RuleId.CA_LOW)
    assert line.due is None  # the spec gives no interval for a calcium recheck


def test_a_low_calcium_outside_ca_low_names_its_own_rule() -> None:
    a = assess(
        history(
            aromatase_inhibitors=(ai("2024-01-01"),),
            dexa_scans=(normal_scan(),),
            labs=(SUFFICIENT, CALCIUM_LOW, KIDNEY),
        ),
        as_of=AS_OF,
    )
    line = recommendation(a, RecommendationCode.CALCIUM_VITAMIN_D)
    assert line.message.startswith("Correct the low calcium and check it again (CALCIUM_LOW: ")
    assert line.rules == (RuleId.ALWAYS, RuleId.CA_LOW_OTHER)
