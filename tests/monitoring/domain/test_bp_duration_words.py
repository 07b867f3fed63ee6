"""physician9 F5: BISPHOSPHONATE_DURATION_REVIEW said "no drug holiday while the aromatase
inhibitor continues" to a patient whose AI had stopped 7 years before. It says so only while an
AI is active (or planned); otherwise that a drug holiday may be considered (ASBMR 2016)."""

from __future__ import annotations

import pytest

from monitoring.domain import AlertCode, AromataseInhibitorCourse, BoneTherapyDrug, Severity, assess

from .builders import ai, d, history, therapy

ALENDRONATE_12_YEARS = therapy(BoneTherapyDrug.ALENDRONATE, "2014-01-01")
AS_OF = d("2026-12-07")
NO_HOLIDAY = "no drug holiday while the aromatase inhibitor continues"
HOLIDAY = "a drug holiday may be considered if the fracture risk is not high (ASBMR 2016)"


def _message(*courses: AromataseInhibitorCourse) -> str:
    h = history(aromatase_inhibitors=courses, bone_therapy=(ALENDRONATE_12_YEARS,))
    (alert,) = [
        a
        for a in assess(h, as_of=AS_OF).alerts
        if a.code is AlertCode.BISPHOSPHONATE_DURATION_REVIEW
    ]
    assert alert.severity is Severity.INFO
    return alert.message


def test_the_testers_ai_stopped_in_2019_may_have_a_drug_holiday() -> None:
    message = _message(ai("2014-01-01", stop="2019-01-01"))
    assert message == (
        "alendronate since 2014-01-01: review the duration; the aromatase inhibitor has "
        f"stopped: {HOLIDAY}."
    )
    assert "no drug holiday" not in message


@pytest.mark.parametrize(
    "courses",
    [
        (ai("2014-01-01"),),  # active
        (ai("2014-01-01", stop="2027-01-01"),),  # its stop still to come
        (ai("2014-01-01", stop="2019-01-01"), ai("2019-01-01")),  # switched, still on one
    ],
)
def test_while_an_ai_is_active_no_drug_holiday(courses: tuple[AromataseInhibitorCourse]) -> None:
    assert _message(*courses).endswith(f"review the duration; {NO_HOLIDAY}.")


def test_with_an_ai_planned_still_no_drug_holiday() -> None:
    message = _message(ai("2014-01-01", stop="2019-01-01"), ai("2027-01-10"))
    assert message.endswith("no drug holiday with an aromatase inhibitor planned.")


def test_without_any_ai_a_drug_holiday_may_be_considered() -> None:
    assert _message().endswith(f"no aromatase inhibitor is recorded: {HOLIDAY}.")
