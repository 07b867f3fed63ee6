"""The early-dose check (design choice; the spec is silent on early doses): a denosumab or
zoledronic acid dose more than 4 weeks before it is due fails, against the doses both sides."""

from datetime import date, timedelta

import pytest

from monitoring.domain.dose_interval import early_dose_messages
from monitoring.domain.types import BoneTherapyDrug

PREVIOUS = date(2026, 11, 27)
DUE = date(2027, 5, 27)  # previous + 6 months


@pytest.mark.parametrize("drug", [BoneTherapyDrug.DENOSUMAB, BoneTherapyDrug.ZOLEDRONIC_ACID])
@pytest.mark.parametrize(
    ("given_on", "early"),
    [
        (date(2026, 11, 28), True),
        (DUE - timedelta(days=29), True),
        (DUE - timedelta(days=28), False),
        (DUE - timedelta(days=27), False),
        (DUE, False),
        (DUE + timedelta(days=60), False),
    ],
)
def test_a_dose_after_the_previous_one(drug: BoneTherapyDrug, given_on: date, early: bool) -> None:
    messages = early_dose_messages(drug, given_on=given_on, other_doses=[PREVIOUS])
    assert bool(messages) is early


def test_the_message_names_the_previous_dose_and_the_due_date() -> None:
    (message,) = early_dose_messages(
        BoneTherapyDrug.DENOSUMAB, given_on=date(2026, 11, 28), other_doses=[PREVIOUS]
    )
    assert message == (
        "The previous denosumab dose was given on 2026-11-27; the next is due on 2027-05-27. "
        "A dose on 2026-11-28 is 180 days early (earliest without an override: 2027-04-29)."
    )


def test_a_dose_entered_late_between_two_others_is_judged_against_both() -> None:
    # Doses on 2026-05-27 and 2026-11-27; one typed in afterwards for 2026-08-27.
    messages = early_dose_messages(
        BoneTherapyDrug.DENOSUMAB,
        given_on=date(2026, 8, 27),
        other_doses=[date(2026, 11, 27), date(2026, 5, 27)],
    )
    assert len(messages) == 2
    assert "previous denosumab dose was given on 2026-05-27" in messages[0]
    assert messages[1].startswith("A later denosumab dose is recorded on 2026-11-27")
    assert "would be due on 2027-02-27" in messages[1]


def test_a_dose_before_the_first_is_judged_against_the_next_only() -> None:
    # The course's first dose recorded late: nothing before it, the next one 6 months on is fine.
    assert not early_dose_messages(
        BoneTherapyDrug.DENOSUMAB, given_on=date(2026, 5, 27), other_doses=[PREVIOUS]
    )
    (message,) = early_dose_messages(
        BoneTherapyDrug.DENOSUMAB, given_on=date(2026, 10, 1), other_doses=[PREVIOUS]
    )
    assert "later denosumab dose is recorded on 2026-11-27" in message


def test_the_same_day_is_left_to_the_duplicate_check_and_oral_drugs_are_not_checked() -> None:
    assert not early_dose_messages(
        BoneTherapyDrug.DENOSUMAB, given_on=PREVIOUS, other_doses=[PREVIOUS]
    )
    assert not early_dose_messages(
        BoneTherapyDrug.ALENDRONATE, given_on=date(2026, 11, 28), other_doses=[PREVIOUS]
    )


def test_with_no_dose_recorded_the_start_counts_as_the_schedule_counts_it() -> None:
    """DMAB-SCHEDULE: with no dose recorded the next is due 6 months after the start."""
    start = date(2026, 1, 10)
    (message,) = early_dose_messages(
        BoneTherapyDrug.DENOSUMAB, given_on=date(2026, 3, 1), other_doses=[], start=start
    )
    assert message.startswith("The denosumab course started on 2026-01-10, with no dose")
    assert "the next is due on 2026-07-10" in message
    assert "correct the course's start date instead" in message
    # A first dose on the start day, or one on time, passes.
    for day in (start, date(2026, 6, 12)):
        assert not early_dose_messages(
            BoneTherapyDrug.DENOSUMAB, given_on=day, other_doses=[], start=start
        )
    # A dose recorded since the start is what the next one follows.
    assert not early_dose_messages(
        BoneTherapyDrug.ZOLEDRONIC_ACID,
        given_on=date(2026, 9, 1),
        other_doses=[date(2026, 3, 1)],
        start=start,
    )


def test_a_dose_on_another_course_of_the_drug_counts_and_is_named() -> None:
    """physician8 D12: a new course (a biosimilar, a restart) started after the last dose of the
    previous one: the dose on it is judged against that last dose, named with its course."""
    (message,) = early_dose_messages(
        BoneTherapyDrug.DENOSUMAB,
        given_on=date(2026, 12, 8),
        other_doses=[PREVIOUS],
        start=date(2026, 12, 8),
        courses={PREVIOUS: "the denosumab course from 2026-05-27, stopped 2026-12-08"},
    )
    assert message.startswith(
        "The previous denosumab dose was given on 2026-11-27 (the denosumab course from "
        "2026-05-27, stopped 2026-12-08); the next is due on 2027-05-27."
    )
    # A new course's own start after the other course's last dose is what a later dose follows.
    (message,) = early_dose_messages(
        BoneTherapyDrug.DENOSUMAB,
        given_on=date(2027, 1, 20),
        other_doses=[date(2026, 5, 1)],
        start=date(2026, 12, 8),
    )
    assert message.startswith("The denosumab course started on 2026-12-08")
