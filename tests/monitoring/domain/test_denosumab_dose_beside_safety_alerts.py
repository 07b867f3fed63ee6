"""GIVE_DENOSUMAB agrees with the safety alerts raised beside it (physician9 F17 and F9).

F17: the critical HYPOCALCEMIA ("do not give denosumab until it is corrected") stood above "Give
denosumab 60 mg", unchanged. F9: with vitamin D deficient the recommendation said nothing of it,
though the dose form then refused the dose.
"""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring.domain import (
    AlertCode,
    Analyte,
    Assessment,
    BoneTherapyDrug,
    RecommendationCode,
    RuleId,
    assess,
)

from .builders import d, history, lab, therapy

DUE = d("2025-02-28")  # 2024-08-31 + 6 months, clamped
GIVE_NOW = ("give it now", "Give denosumab 60 mg (due")


def _assess(*, calcium: str, vitamin_d: str, days_late: int) -> Assessment:
    h = history(
        bone_therapy=(
            therapy(BoneTherapyDrug.DENOSUMAB, "2024-06-01", doses=("2024-06-01", "2024-08-31")),
        ),
        labs=(
            lab("2025-01-01", Analyte.CALCIUM, calcium),
            lab("2025-01-01", Analyte.VITAMIN_D_25OH, vitamin_d),
        ),
    )
    return assess(h, as_of=DUE + dt.timedelta(days=days_late))


def _give(result: Assessment) -> tuple[str, tuple[RuleId, ...]]:
    [give] = [r for r in result.recommendations if r.code is RecommendationCode.GIVE_DENOSUMAB]
    assert give.due == DUE
    return give.message, give.rules


def _dose_alert(result: Assessment) -> str:
    [message] = [a.message for a in result.alerts if a.code.startswith("DENOSUMAB")]
    return message


@pytest.mark.parametrize("days_late", [0, 6, 40, 130])  # due, overdue, rebound risk
def test_a_low_calcium_holds_the_dose_until_corrected_then_asks_for_it_promptly(
    days_late: int,
) -> None:
    result = _assess(calcium="2.05", vitamin_d="40", days_late=days_late)
    assert AlertCode.HYPOCALCEMIA in {a.code for a in result.alerts}
    message, rules = _give(result)
    assert message.startswith("Correct the low calcium first (HYPOCALCEMIA")
    assert "then give denosumab 60 mg (due 2025-02-28) as soon as it is" in message
    assert "keep the delay as short as possible" in message
    assert "rebound vertebral fractures" in message
    assert rules == (RuleId.DMAB_SCHEDULE, RuleId.CA_LOW)
    # Neither the recommendation nor the dose alert beside it says to give it now.
    alert = _dose_alert(result)
    for words in (message, alert):
        assert not any(give_now in words for give_now in GIVE_NOW)
    assert "correct the low calcium first (HYPOCALCEMIA), then give it as soon as" in alert


def test_a_normal_calcium_keeps_the_plain_advice() -> None:
    result = _assess(calcium="2.30", vitamin_d="40", days_late=40)
    assert _give(result) == ("Give denosumab 60 mg (due 2025-02-28).", (RuleId.DMAB_SCHEDULE,))
    assert _dose_alert(result).endswith(": give it now.")


def test_vitamin_d_deficiency_asks_for_repletion_without_delaying_the_dose() -> None:
    result = _assess(calcium="2.30", vitamin_d="12", days_late=6)
    assert AlertCode.VITAMIN_D_DEFICIENT in {a.code for a in result.alerts}
    message, rules = _give(result)
    assert message.startswith("Give denosumab 60 mg on time (due 2025-02-28)")
    assert "start vitamin D repletion now (VITAMIN_D_DEFICIENT)" in message
    assert "check that the calcium is normal before the injection" in message
    assert "do not delay the dose for vitamin D alone" in message
    assert rules == (RuleId.DMAB_SCHEDULE, RuleId.VITD)
    # REPLETE_VITAMIN_D is still recommended on its own.
    assert RecommendationCode.REPLETE_VITAMIN_D in {r.code for r in result.recommendations}


def test_insufficient_vitamin_d_does_not_change_the_dose_advice() -> None:
    result = _assess(calcium="2.30", vitamin_d="25", days_late=6)
    assert _give(result)[1] == (RuleId.DMAB_SCHEDULE,)


def test_low_calcium_and_vitamin_d_deficiency_hold_the_dose_and_replete() -> None:
    result = _assess(calcium="2.05", vitamin_d="12", days_late=6)
    message, rules = _give(result)
    assert message.startswith("Correct the low calcium first")
    assert message.endswith("Replete vitamin D as well (VITAMIN_D_DEFICIENT).")
    assert "on time" not in message
    assert rules == (RuleId.DMAB_SCHEDULE, RuleId.CA_LOW, RuleId.VITD)
