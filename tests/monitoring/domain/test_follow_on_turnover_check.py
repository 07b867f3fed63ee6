"""phys14 #5: after 2.5 years of denosumab, one zoledronic acid infusion ended all follow-up of the
rebound. DMAB-FOLLOW-ON-CTX asks for a fasting CTX 3 and 6 months after the follow-on infusion and
a repeat infusion if turnover rises (ECTS 2021), only while nothing is given or planned after it:
a zoledronic acid course still running has its repeat infusion on the schedule already, as worked
vignette 37 expects (no marker check)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.domain import (
    AlertCode,
    Analyte,
    Assessment,
    BoneTherapyCourse,
    BoneTherapyDrug,
    LabResult,
    RecommendationCode,
    RuleId,
    ScheduleItem,
    assess,
    parse_history,
)
from monitoring.domain.dates import add_months

from .builders import ai, d, history, lab, therapy

DMAB = BoneTherapyDrug.DENOSUMAB
ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID
ALN = BoneTherapyDrug.ALENDRONATE
CHECK = RecommendationCode.CHECK_TURNOVER_AFTER_FOLLOW_ON
VIGNETTES = Path(__file__).resolve().parents[2] / "vignettes"

# The tester's T14-04: 5 injections (2.5 years), one infusion on the day denosumab stopped.
INJECTIONS = ("2023-02-01", "2023-08-01", "2024-02-01", "2024-08-01", "2025-02-01")
DENOSUMAB = therapy(DMAB, "2023-02-01", stop="2025-08-01", doses=INJECTIONS)
SINGLE_INFUSION = therapy(ZOL, "2025-08-01", stop="2025-08-01", doses=("2025-08-01",))


def _assess(
    *courses: BoneTherapyCourse, as_of: str, labs: tuple[LabResult, ...] = ()
) -> Assessment:
    h = history(aromatase_inhibitors=(ai("2023-01-15"),), bone_therapy=courses, labs=labs)
    return assess(h, as_of=d(as_of))


def _check(result: Assessment) -> dt.date | None:
    """The due date of the check recommended, or None when none is."""
    found = [r for r in result.recommendations if r.code is CHECK]
    return found[0].due if found else None


def test_the_testers_single_infusion_asks_for_ctx_at_3_and_6_months() -> None:
    result = _assess(DENOSUMAB, SINGLE_INFUSION, as_of="2025-08-15")
    (rec,) = [r for r in result.recommendations if r.code is CHECK]
    assert rec.due == d("2025-11-01")
    assert rec.rules == (RuleId.DMAB_FOLLOW_ON_CTX,)
    assert rec.message == (
        "Denosumab for 2.5 years or more (from 2023-02-01, last injection 2025-02-01), then "
        "zoledronic acid (infusion 2025-08-01) with no further infusion planned: check a fasting "
        "CTX 3 and 6 months after the infusion (2025-11-01 and 2026-02-01), and consider a repeat "
        "infusion if it rises, as one infusion may not hold the rebound (ECTS 2021)."
    )
    assert (ScheduleItem.BTM_CHECK, d("2025-11-01")) in {(s.item, s.due) for s in result.schedule}
    # DMAB-STOP is satisfied: the follow-on is in place.
    assert AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON not in {a.code for a in result.alerts}


def test_the_first_check_moves_it_to_the_second_and_the_second_ends_it() -> None:
    first = lab("2025-10-20", Analyte.CTX, "0.30", fasting=True)
    result = _assess(DENOSUMAB, SINGLE_INFUSION, as_of="2025-12-01", labs=(first,))
    assert _check(result) == d("2026-02-01")
    (rec,) = [r for r in result.recommendations if r.code is CHECK]
    assert rec.message.endswith(
        "The first check is on file (2025-10-20); the second is due 2026-02-01."
    )
    second = lab("2026-02-03", Analyte.CTX, "0.45", fasting=True)
    assert (
        _check(_assess(DENOSUMAB, SINGLE_INFUSION, as_of="2026-02-10", labs=(first, second)))
        is None
    )


@pytest.mark.parametrize(
    ("sample", "fasting", "counts"),
    [
        ("2025-09-30", True, True),  # 60 days after the infusion: the first check
        ("2025-09-29", True, False),  # too soon to say anything
        ("2025-10-20", False, False),  # not fasting: not eligible (as BTM-RESPONSE reads CTX)
    ],
)
def test_which_sample_is_the_first_check(sample: str, fasting: bool, counts: bool) -> None:
    ctx = lab(sample, Analyte.CTX, "0.30", fasting=fasting)
    due = _check(_assess(DENOSUMAB, SINGLE_INFUSION, as_of="2025-12-01", labs=(ctx,)))
    assert due == (d("2026-02-01") if counts else d("2025-11-01"))


def test_missed_checks_are_asked_for_now() -> None:
    result = _assess(DENOSUMAB, SINGLE_INFUSION, as_of="2026-12-07")  # the tester's date
    (rec,) = [r for r in result.recommendations if r.code is CHECK]
    assert rec.due == d("2025-11-01")
    assert (
        "a fasting CTX was due 3 and 6 months after the infusion (2025-11-01 and 2026-02-01) "
        "and none is on file: check it now"
    ) in rec.message


def test_a_zoledronic_acid_course_still_running_asks_for_no_check() -> None:
    """Its next infusion is on the schedule: the repeat is planned (vignette 37)."""
    running = therapy(ZOL, "2025-08-01", doses=("2025-08-01",))
    result = _assess(DENOSUMAB, running, as_of="2025-12-01")
    assert _check(result) is None
    assert (ScheduleItem.ZOLEDRONIC_ACID_DOSE, d("2026-02-01")) in {
        (s.item, s.due) for s in result.schedule
    }


def test_vignette_37_asks_for_no_marker_check() -> None:
    path = VIGNETTES / "37-denosumab-stopped-with-follow-on.history.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    result = assess(parse_history(data), as_of=d(data["as_of"]))
    assert _check(result) is None
    assert ScheduleItem.BTM_CHECK not in {s.item for s in result.schedule}


@pytest.mark.parametrize(
    ("injections", "asked"),
    [
        (INJECTIONS, True),  # 5 injections: 2.5 years, the boundary counts
        (INJECTIONS[1:], False),  # 4 injections: 2 years
    ],
)
def test_only_after_two_and_a_half_years_of_denosumab(
    injections: tuple[str, ...], asked: bool
) -> None:
    course = therapy(DMAB, injections[0], stop="2025-08-01", doses=injections)
    assert (_check(_assess(course, SINGLE_INFUSION, as_of="2025-09-01")) is not None) is asked


def test_anything_given_or_planned_after_the_infusion_ends_it() -> None:
    tablets = therapy(ALN, "2025-10-01")
    assert _check(_assess(DENOSUMAB, SINGLE_INFUSION, tablets, as_of="2025-12-01")) is None
    planned = therapy(ZOL, None)
    assert _check(_assess(DENOSUMAB, SINGLE_INFUSION, planned, as_of="2025-12-01")) is None
    again = therapy(DMAB, "2025-11-01", doses=("2025-11-01",))
    assert _check(_assess(DENOSUMAB, SINGLE_INFUSION, again, as_of="2025-12-01")) is None


def test_an_oral_follow_on_is_not_one_dose() -> None:
    tablets = therapy(ALN, "2025-08-01", stop="2026-09-01")
    assert _check(_assess(DENOSUMAB, tablets, as_of="2026-10-01")) is None


def test_an_earlier_stop_with_its_follow_on_ends_the_denosumab_run() -> None:
    """Denosumab 2018-2019 with its follow-on, then 2 years again: 2 years, not 7."""
    early = therapy(
        DMAB, "2018-01-01", stop="2019-07-01", doses=("2018-01-01", "2018-07-01", "2019-01-01")
    )
    early_follow_on = therapy(ZOL, "2019-07-01", stop="2019-07-01", doses=("2019-07-01",))
    again = therapy(DMAB, "2023-08-01", stop="2025-08-01", doses=INJECTIONS[1:])
    assert (
        _check(_assess(early, early_follow_on, again, SINGLE_INFUSION, as_of="2025-09-01")) is None
    )


# --- Invariants ---------------------------------------------------------------------------------


@st.composite
def follow_ons(draw: st.DrawFn) -> tuple[list[BoneTherapyCourse], dt.date]:
    """Denosumab every 6 months for 1 to 10 injections, then zoledronic acid 0-8 months after
    the last, its course running or stopped on the infusion; and an assessment date."""
    n = draw(st.integers(1, 10))
    start = dt.date(2018, 1, 1)
    injections = [add_months(start, 6 * i) for i in range(n)]
    infusion = add_months(injections[-1], draw(st.integers(0, 8)))
    stop = add_months(injections[-1], 6)
    running = draw(st.booleans())
    courses = [
        BoneTherapyCourse(drug=DMAB, start_date=start, stop_date=stop, doses=tuple(injections)),
        BoneTherapyCourse(
            drug=ZOL,
            start_date=infusion,
            stop_date=None if running else infusion,
            doses=(infusion,),
        ),
    ]
    as_of = infusion + dt.timedelta(days=draw(st.integers(0, 800)))
    return courses, max(as_of, stop)


@settings(max_examples=150, deadline=None)
@given(case=follow_ons())
def test_a_running_follow_on_never_asks_and_a_stopped_one_after_long_denosumab_always_does(
    case: tuple[list[BoneTherapyCourse], dt.date],
) -> None:
    courses, as_of = case
    result = assess(history(bone_therapy=tuple(courses)), as_of=as_of)
    dmab, zol = courses
    long = len(dmab.doses) >= 5  # 2.5 years: injections + 6 months
    asked = _check(result) is not None
    if zol.stop_date is None:
        assert not asked  # the repeat infusion is on the schedule (vignette 37)
    else:
        assert asked is long  # no CTX on file: still to do
    # Never beside DMAB-STOP's own alerts: the follow-on is in place.
    codes = {a.code for a in result.alerts}
    assert not asked or not codes & {
        AlertCode.DENOSUMAB_STOPPED_NO_FOLLOW_ON,
        AlertCode.DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED,
    }
