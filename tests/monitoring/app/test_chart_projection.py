"""The projections the BMD chart draws: never past the horizon, never from a scan before a
therapy change (monitoring/overview/charts/projection.py)."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from monitoring import domain
from monitoring.overview.charts.projection import (
    drawn_line,
    horizon,
    last_therapy_change,
    projections,
)

SCAN = dt.date(2025, 5, 1)
SPINE = domain.Site("lumbar_spine")


def _history(**kwargs: object) -> domain.History:
    return domain.History(
        patient=domain.Patient(mrn="P1", birth_date=dt.date(1960, 1, 1), sex=domain.Sex.F),
        **kwargs,  # type: ignore[arg-type]
    )


def _ai(start: dt.date, months: int | None = None, stop: dt.date | None = None) -> object:
    return domain.AromataseInhibitorCourse(
        drug=domain.AromataseInhibitor("anastrozole"),
        start_date=start,
        planned_duration_months=months,
        stop_date=stop,
    )


def test_the_horizon_is_five_years_or_the_planned_end_of_the_course_if_sooner() -> None:
    assert horizon(_history(), SCAN) == dt.date(2030, 5, 1)
    planned = _history(aromatase_inhibitors=[_ai(dt.date(2024, 1, 15), 60)])
    assert horizon(planned, SCAN) == dt.date(2029, 1, 15)
    long_course = _history(aromatase_inhibitors=[_ai(dt.date(2024, 1, 15), 120)])
    assert horizon(long_course, SCAN) == dt.date(2030, 5, 1)
    stopped = _history(aromatase_inhibitors=[_ai(dt.date(2020, 1, 1), 60, dt.date(2026, 1, 1))])
    assert horizon(stopped, SCAN) == dt.date(2026, 1, 1)


def test_a_scan_before_the_last_therapy_change_is_not_projected() -> None:
    course = domain.BoneTherapyCourse(
        drug=domain.BoneTherapyDrug("denosumab"),
        start_date=dt.date(2024, 1, 1),
        stop_date=dt.date(2025, 6, 1),
    )
    history = _history(bone_therapy=[course])
    assert last_therapy_change(history, as_of=dt.date(2025, 7, 1)) == dt.date(2025, 6, 1)
    assert last_therapy_change(history, as_of=dt.date(2025, 1, 1)) == dt.date(2024, 1, 1)
    stored = [{"site": "lumbar_spine", "basis": "own_trend", "crosses_minus_2_0_on": "2027-01-01"}]
    (before,) = projections(
        history, {SPINE: (SCAN, Decimal("-1.6"))}, stored, as_of=dt.date(2025, 7, 1)
    )
    assert before.line == []
    assert before.withheld == (
        "its latest scan (2025-05-01) came before denosumab stopped 2025-06-01, and an estimate "
        "across a bone-therapy course would not reflect it; a new scan gives a starting point"
    )
    (after,) = projections(
        history, {SPINE: (dt.date(2025, 6, 20), Decimal("-1.6"))}, stored, as_of=dt.date(2025, 7, 1)
    )
    assert after.line == [
        (dt.date(2025, 6, 20), Decimal("-1.6")),
        (dt.date(2027, 1, 1), Decimal("-2.0")),
    ]
    assert after.withheld is None


@given(
    t_score=st.decimals(min_value=-1.99, max_value=1, places=2),
    first=st.integers(min_value=1, max_value=20_000),
    second=st.integers(min_value=1, max_value=20_000),
    until=st.integers(min_value=1, max_value=3_000),
)
def test_a_drawn_line_starts_at_the_scan_and_never_passes_the_horizon(
    t_score: Decimal, first: int, second: int, until: int
) -> None:
    crossings = {
        Decimal("-2.0"): SCAN + dt.timedelta(days=first),
        Decimal("-2.5"): SCAN + dt.timedelta(days=first + second),
    }
    end = SCAN + dt.timedelta(days=until)
    line = drawn_line(SCAN, t_score, crossings, until=end)
    assert line[0] == (SCAN, t_score)
    days = [day for day, _ in line]
    assert days == sorted(days)
    assert days[-1] <= end
    assert all(Decimal("-2.5") <= t <= t_score for _, t in line)
