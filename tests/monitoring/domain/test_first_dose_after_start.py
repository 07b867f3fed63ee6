"""phys13 #2: a course's start is the day of its first dose (DMAB-SCHEDULE: the next dose is due
from "the last dose, or the start, with no dose recorded"). The first injection recorded 6 days
after the start was refused as "176 days early" against the start itself. A first dose recorded
at most `FIRST_DOSE_MAX_DAYS_AFTER_START` days after a start counted as a dose, with no dose since,
is that first dose: it passes, and the schedule counts the next from it. A dose after a dose
recorded is still judged against that dose."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain import BoneTherapyCourse, BoneTherapyDrug, ScheduleItem, assess
from monitoring.domain.dates import add_months
from monitoring.domain.dose_interval import (
    DOSE_INTERVAL_MONTHS,
    early_dose_messages,
    first_dose_started,
    previous_of,
)
from monitoring.domain.thresholds import (
    EARLY_DOSE_MAX_DAYS_BEFORE_DUE,
    FIRST_DOSE_MAX_DAYS_AFTER_START,
)

from .builders import d, history

START = d("2026-12-01")
DRUGS = pytest.mark.parametrize("drug", list(DOSE_INTERVAL_MONTHS))
ITEM = {
    BoneTherapyDrug.DENOSUMAB: ScheduleItem.DENOSUMAB_DOSE,
    BoneTherapyDrug.ZOLEDRONIC_ACID: ScheduleItem.ZOLEDRONIC_ACID_DOSE,
}
starts = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2026, 12, 31))
drugs = st.sampled_from(list(DOSE_INTERVAL_MONTHS))


def _due(drug: BoneTherapyDrug, doses: tuple[dt.date, ...], as_of: dt.date) -> dt.date | None:
    """The schedule's next dose of one active course of `drug` started on START."""
    course = BoneTherapyCourse(
        drug=drug, start_date=START, doses=doses, dental_review_date=d("2026-11-20")
    )
    result = assess(history(bone_therapy=(course,)), as_of=as_of)
    dues = [entry.due for entry in result.schedule if entry.item is ITEM[drug]]
    return dues[0] if dues else None


@DRUGS
def test_the_first_dose_six_days_after_the_start_passes_and_the_schedule_counts_from_it(
    drug: BoneTherapyDrug,
) -> None:
    given_on = d("2026-12-07")
    assert early_dose_messages(drug, given_on=given_on, other_doses=[], start=START) == ()
    assert first_dose_started(drug, given_on, other_doses=[], start=START) == START
    assert previous_of(drug, given_on, other_doses=[], start=START) is None
    # Before it is recorded the start counts as the first dose; once recorded, the dose does.
    assert _due(drug, (), given_on) == d("2027-06-01")
    assert _due(drug, (given_on,), given_on) == d("2027-06-07")


@DRUGS
def test_later_than_the_window_the_start_still_counts_as_a_dose(drug: BoneTherapyDrug) -> None:
    last = START + dt.timedelta(days=FIRST_DOSE_MAX_DAYS_AFTER_START)
    assert not early_dose_messages(drug, given_on=last, other_doses=[], start=START)
    (message,) = early_dose_messages(
        drug, given_on=last + dt.timedelta(days=1), other_doses=[], start=START
    )
    name = drug.replace("_", " ")
    assert message.startswith(f"The {name} course started on 2026-12-01, with no dose")
    assert f"within {FIRST_DOSE_MAX_DAYS_AFTER_START} days after it" in message
    assert "correct the course's start date instead" in message


@DRUGS
def test_a_dose_after_a_dose_recorded_is_still_refused(drug: BoneTherapyDrug) -> None:
    """The first dose recorded (on the start, or a few days after it): a second one days later is
    a double dose or a double entry, judged against that dose."""
    for first in (START, START + dt.timedelta(days=2)):
        given_on = START + dt.timedelta(days=6)
        assert first_dose_started(drug, given_on, other_doses=[first], start=START) is None
        (message,) = early_dose_messages(drug, given_on=given_on, other_doses=[first], start=START)
        assert message.startswith(f"The previous {drug.replace('_', ' ')} dose was given on")


def test_a_start_that_is_no_dose_is_no_first_dose() -> None:
    """A switch (a biosimilar) started within the interval after the last dose: its start is no
    dose, so a dose days after it follows that last dose, and is early."""
    drug = BoneTherapyDrug.DENOSUMAB
    given_on = d("2026-12-07")
    earlier = [d("2026-10-01")]
    assert first_dose_started(drug, given_on, other_doses=earlier, start=START) is None
    (message,) = early_dose_messages(drug, given_on=given_on, other_doses=earlier, start=START)
    assert "previous denosumab dose was given on 2026-10-01" in message


def test_a_restart_after_a_lapse_takes_its_first_dose_after_the_start() -> None:
    drug = BoneTherapyDrug.DENOSUMAB
    given_on = d("2026-12-07")
    earlier = [d("2025-01-10")]
    assert first_dose_started(drug, given_on, other_doses=earlier, start=START) == START
    assert previous_of(drug, given_on, other_doses=earlier, start=START) == earlier[0]
    assert not early_dose_messages(drug, given_on=given_on, other_doses=earlier, start=START)


def test_a_first_dose_entered_before_a_later_one_is_still_judged_against_it() -> None:
    """A dose recorded 19 days after the start, then one entered for 6 days after it: the first
    dose is taken as the start's, but the one after it comes too early."""
    drug = BoneTherapyDrug.ZOLEDRONIC_ACID
    later = [START + dt.timedelta(days=19)]
    (message,) = early_dose_messages(
        drug, given_on=START + dt.timedelta(days=6), other_doses=later, start=START
    )
    assert message.startswith("A later zoledronic acid dose is recorded on 2026-12-20")


@given(drugs, starts, st.integers(1, FIRST_DOSE_MAX_DAYS_AFTER_START))
def test_any_first_dose_within_the_window_passes_and_is_what_the_next_counts_from(
    drug: BoneTherapyDrug, start: dt.date, days: int
) -> None:
    given_on = start + dt.timedelta(days=days)
    assert not early_dose_messages(drug, given_on=given_on, other_doses=[], start=start)
    # The next dose after it is judged from it: early before its due date less the tolerance.
    due = add_months(given_on, DOSE_INTERVAL_MONTHS[drug])
    on_time = due - dt.timedelta(days=EARLY_DOSE_MAX_DAYS_BEFORE_DUE)
    assert not early_dose_messages(drug, given_on=on_time, other_doses=[given_on], start=start)
    assert early_dose_messages(
        drug, given_on=on_time - dt.timedelta(days=1), other_doses=[given_on], start=start
    )


@given(drugs, starts, st.data())
def test_a_dose_too_soon_after_a_dose_recorded_is_refused_whatever_the_start(
    drug: BoneTherapyDrug, start: dt.date, data: st.DataObject
) -> None:
    """Whatever a course's start and first dose, a second dose more than the tolerance before the
    first + the interval fails: the first-dose reading never passes a double dose recorded."""
    first = start + dt.timedelta(days=data.draw(st.integers(0, 60), label="first"))
    due = add_months(first, DOSE_INTERVAL_MONTHS[drug])
    latest = (due - first).days - EARLY_DOSE_MAX_DAYS_BEFORE_DUE - 1
    second = first + dt.timedelta(days=data.draw(st.integers(1, latest), label="second"))
    assert early_dose_messages(drug, given_on=second, other_doses=[first], start=start)
