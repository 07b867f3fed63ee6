"""phys14 #6: a patient finishing her aromatase inhibitor on denosumab got no prompt to plan its
exit (one on zoledronic acid gets BP-DURATION's review). DMAB-AI-END raises
DENOSUMAB_REVIEW_AI_ENDED (warning): decide whether denosumab continues; it must not stop without a
planned follow-on (the conservative reading; ECTS 2021)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.domain import (
    AlertCode,
    AromataseInhibitorCourse,
    BoneTherapyCourse,
    BoneTherapyDrug,
    History,
    RuleId,
    Severity,
    assess,
)
from monitoring.domain.dates import add_months

from .builders import ai, d, history, therapy
from .strategies import histories

DMAB = BoneTherapyDrug.DENOSUMAB
ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID
ALN = BoneTherapyDrug.ALENDRONATE
CODE = AlertCode.DENOSUMAB_REVIEW_AI_ENDED
AS_OF = "2026-12-07"
# The tester's T14-08: anastrozole 2021-11-01 to 2026-11-01, denosumab since 2024-02-01.
AI_DONE = ai("2021-11-01", stop="2026-11-01")
INJECTIONS = ("2024-02-01", "2024-08-01", "2025-02-01", "2025-08-01", "2026-02-01", "2026-08-01")
ON_DENOSUMAB = therapy(DMAB, "2024-02-01", doses=INJECTIONS)


def _alerts(
    *courses: BoneTherapyCourse, ais: tuple[AromataseInhibitorCourse, ...] = (AI_DONE,)
) -> dict[AlertCode, tuple[Severity, str, tuple[RuleId, ...]]]:
    h = history(aromatase_inhibitors=ais, bone_therapy=courses)
    return {a.code: (a.severity, a.message, a.rules) for a in assess(h, as_of=d(AS_OF)).alerts}


def test_the_testers_patient_is_asked_to_decide() -> None:
    severity, message, rules = _alerts(ON_DENOSUMAB)[CODE]
    assert severity is Severity.WARNING
    assert rules == (RuleId.DMAB_AI_END,)
    assert message == (
        "The aromatase inhibitor ended on 2026-11-01 while on denosumab (since 2024-02-01): "
        "decide whether denosumab continues. It must not stop without a planned bisphosphonate "
        "follow-on, started within 6 months of the last injection, to prevent rebound vertebral "
        "fractures (ECTS 2021)."
    )


@pytest.mark.parametrize(
    "ais",
    [
        (ai("2021-11-01"),),  # still on it
        (AI_DONE, ai("2026-11-01")),  # switched to another
        (AI_DONE, ai("2027-01-01")),  # another planned
        (),  # none recorded
        (ai(None, stop="2024-01-01"),),  # only a course never started
    ],
)
def test_only_once_every_aromatase_inhibitor_has_ended(
    ais: tuple[AromataseInhibitorCourse, ...],
) -> None:
    assert CODE not in _alerts(ON_DENOSUMAB, ais=ais)


def test_denosumab_started_after_the_ai_ended_was_prescribed_knowing_it() -> None:
    later = therapy(DMAB, "2026-11-15", doses=("2026-11-15",))
    assert CODE not in _alerts(later)


def test_a_planned_bisphosphonate_is_the_exit_planned() -> None:
    assert CODE not in _alerts(ON_DENOSUMAB, therapy(ZOL, "2027-02-01"))
    assert CODE not in _alerts(ON_DENOSUMAB, therapy(ALN, None))


def test_once_denosumab_stops_dmab_stop_takes_over() -> None:
    stopped = therapy(DMAB, "2024-02-01", stop="2026-11-20", doses=INJECTIONS)
    alerts = _alerts(stopped)
    assert CODE not in alerts
    assert AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON in alerts


# --- Invariant ----------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    h=histories(), as_of=st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2026, 12, 31))
)
def test_raised_only_after_every_ai_stopped_and_on_active_denosumab(
    h: History, as_of: dt.date
) -> None:
    if CODE not in {a.code for a in assess(h, as_of=as_of).alerts}:
        return
    assert all(c.stop_date is not None and c.stop_date <= as_of for c in h.aromatase_inhibitors)
    assert any(
        t.drug is DMAB
        and t.start_date is not None
        and t.start_date <= as_of
        and (t.stop_date is None or t.stop_date > as_of)
        for t in h.bone_therapy
    )


@settings(max_examples=100, deadline=None)
@given(
    ai_years=st.integers(1, 10),
    on_denosumab_months=st.integers(0, 60),
    after_months=st.integers(0, 36),
)
def test_always_raised_when_the_ai_ends_on_denosumab(
    ai_years: int, on_denosumab_months: int, after_months: int
) -> None:
    """However long each ran, an AI ending while denosumab runs (started by then, still going,
    nothing planned) asks for the decision."""
    ended = dt.date(2024, 6, 1)
    course = AromataseInhibitorCourse(
        drug=AI_DONE.drug, start_date=add_months(ended, -12 * ai_years), stop_date=ended
    )
    start = add_months(ended, -on_denosumab_months)
    as_of = add_months(ended, after_months)
    dmab = BoneTherapyCourse(drug=DMAB, start_date=start, doses=(start,))
    h = history(aromatase_inhibitors=(course,), bone_therapy=(dmab,))
    assert CODE in {a.code for a in assess(h, as_of=as_of).alerts}
