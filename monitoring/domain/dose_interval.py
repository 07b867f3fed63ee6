"""The last dose of a denosumab or zoledronic acid, and the pre-dose interval check: a dose given
too early.

The last dose (`last_dose`) is one statement for the rules that time the next dose from it: the
denosumab schedule and its overdue and rebound alerts (DMAB-SCHEDULE), the stop alert (DMAB-STOP),
the zoledronic acid schedule (`zoledronic_acid_dose`), the letters (which read the schedule) and
the pre-dose check below. The spec says "the last dose
(or the start, with no dose recorded)" and is silent about several courses of the drug. The body
does not know about courses (physician9 F11: a switch to a biosimilar, a new course started with
no injection yet, moved the next injection 6 months later, as if its start were an injection).
Conservative reading: the last dose is the latest dose of the drug on any course; a course's start
counts as a dose only when no dose of the drug (nor a start counted before it) falls within the
dosing interval before it: a restart after a lapse, not a switch or a continuation.

The spec fixes when the next dose is due (DMAB-SCHEDULE; the schedule's `zoledronic_acid_dose`:
the previous dose + 6 months) but is silent about a dose given before then. Conservative design
choice: a dose more than `EARLY_DOSE_MAX_DAYS_BEFORE_DUE` days before it is due fails the check
(two injections a day apart are a double entry or a double dose), so it is given only with the
override and its reason, as the other failed pre-treatment checks. A dose entered late, between
two others, is judged against both: the one before it and the one after it.

A course's start is the day of its first dose (DMAB-SCHEDULE counts it as one, with no dose
recorded). A first dose recorded on a later day, within `FIRST_DOSE_MAX_DAYS_AFTER_START` days after
the start and with no dose since, is that first dose given later than the start said (phys13 #2:
a first injection 6 days after the start was refused as "176 days early"): it passes, and the
schedule then counts from it (`last_dose`: the latest of the doses and the start).

The doses judged against are the patient's doses of the same drug on every course, not only the
course the dose is recorded on (physician8 D12): a switch to a biosimilar or a restart opens a new
course, and the body does not know about courses. The previous dose is `last_dose` of those doses
and of the course's own start, before the dose judged.

Oral bisphosphonates (daily or weekly intakes) are not checked: their intakes are not dosed
this way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from .dates import add_months
from .thresholds import (
    DENOSUMAB_INTERVAL_MONTHS,
    EARLY_DOSE_MAX_DAYS_BEFORE_DUE,
    FIRST_DOSE_MAX_DAYS_AFTER_START,
    ZOLEDRONIC_INTERVAL_MONTHS,
)
from .types import BoneTherapyDrug

DOSE_INTERVAL_MONTHS: dict[BoneTherapyDrug, int] = {
    BoneTherapyDrug.DENOSUMAB: DENOSUMAB_INTERVAL_MONTHS,
    BoneTherapyDrug.ZOLEDRONIC_ACID: ZOLEDRONIC_INTERVAL_MONTHS,
}


def earliest_next_dose(drug: BoneTherapyDrug, previous: dt.date) -> tuple[dt.date, dt.date]:
    """Return (due, earliest) of the dose after one given on `previous`: due on the schedule,
    and the earliest day it passes the check (4 weeks before due)."""
    due = add_months(previous, DOSE_INTERVAL_MONTHS[drug])
    return due, due - dt.timedelta(days=EARLY_DOSE_MAX_DAYS_BEFORE_DUE)


def last_dose(
    drug: BoneTherapyDrug, *, doses: Iterable[dt.date], starts: Iterable[dt.date | None] = ()
) -> dt.date | None:
    """Return the last dose of `drug`: the latest of its `doses` (on every course, as recorded
    up to the day judged) and of the course `starts` that count as a dose; None without either.

    A start counts as a dose only when no dose, nor a start counted before it, falls within the
    drug's dosing interval before it (d <= start <= d + interval): a restart after a lapse counts
    from its start (DMAB-SCHEDULE: "or the start, with no dose recorded"), a switch to a new
    course (a biosimilar) or a course continued does not (physician9 F11). So splitting a course
    in two, within the interval after its last dose, never moves the next dose later.
    """
    return max(counted_doses(drug, doses=doses, starts=starts), default=None)


def counted_doses(
    drug: BoneTherapyDrug, *, doses: Iterable[dt.date], starts: Iterable[dt.date | None] = ()
) -> list[dt.date]:
    """Return the doses `last_dose` counts, in date order: every recorded dose, and each course
    start that counts as one (no dose, nor a start counted before it, within the dosing interval
    before it)."""
    months = DOSE_INTERVAL_MONTHS[drug]
    counted = sorted(set(doses))
    for start in sorted({day for day in starts if day is not None}):
        if not any(day <= start <= add_months(day, months) for day in counted):
            counted.append(start)
    return sorted(counted)


def first_dose_started(
    drug: BoneTherapyDrug,
    given_on: dt.date,
    *,
    other_doses: Iterable[dt.date],
    start: dt.date | None = None,
) -> dt.date | None:
    """The course's `start` when a dose on `given_on` is its first dose given on a later day than
    the start: the start counts as a dose (`last_dose`), no dose of the drug is recorded between
    it and `given_on`, and `given_on` is at most `FIRST_DOSE_MAX_DAYS_AFTER_START` days after
    it; None otherwise (a dose on the start itself follows what the start follows)."""
    if start is None or not start < given_on:
        return None
    if (given_on - start).days > FIRST_DOSE_MAX_DAYS_AFTER_START:
        return None
    before = [day for day in other_doses if day < given_on]
    if last_dose(drug, doses=before, starts=[start]) != start or start in before:
        return None
    return start


def previous_of(
    drug: BoneTherapyDrug,
    given_on: dt.date,
    *,
    other_doses: Iterable[dt.date],
    start: dt.date | None = None,
) -> dt.date | None:
    """What a dose on `given_on` follows: `last_dose` of the other doses before it (of the drug,
    on any course) and of the course's start before it. Within one course the start comes before
    its doses, so a dose before it wins; a new course started after a lapse counts from its
    start, one started within the interval after another course's last dose from that dose. The
    course's first dose given a little after its start (`first_dose_started`) is the dose the
    start stood for, not one after it: it follows what the start follows."""
    other_doses = list(other_doses)
    before = [day for day in other_doses if day < given_on]
    if first_dose_started(drug, given_on, other_doses=other_doses, start=start) is not None:
        return last_dose(drug, doses=before)
    starts = [start] if start is not None and start < given_on else []
    return last_dose(drug, doses=before, starts=starts)


def doses_too_close(
    drug: BoneTherapyDrug,
    given_on: dt.date,
    *,
    other_doses: Iterable[dt.date],
    start: dt.date | None = None,
) -> tuple[dt.date | None, dt.date | None]:
    """Return (previous, following): what a dose on `given_on` follows (`previous_of`: a dose
    or the start) when the dose comes too early after it, and the next of `other_doses` after
    `given_on` when it comes too early after this one; None for each that does not."""
    doses = set(other_doses)
    previous = previous_of(drug, given_on, other_doses=doses, start=start)
    if previous is not None and not given_on < earliest_next_dose(drug, previous)[1]:
        previous = None
    following = min((day for day in doses if day > given_on), default=None)
    if following is not None and not following < earliest_next_dose(drug, given_on)[1]:
        following = None
    return previous, following


def early_dose_messages(
    drug: BoneTherapyDrug,
    *,
    given_on: dt.date,
    other_doses: Iterable[dt.date],
    start: dt.date | None = None,
    courses: Mapping[dt.date, str] | None = None,
) -> tuple[str, ...]:
    """Why a dose of `drug` on `given_on` comes too early, beside the patient's `other_doses` of
    the drug on any course (those recorded, without the dose judged) and the course's `start`;
    empty when it does not, or for an oral drug. `courses` names, for a dose on another course,
    that course ("the denosumab course from 2026-05-20"), so the message says where it is.

    A dose on the same day as `given_on` is a duplicate, refused by the caller, so it is ignored.
    """
    if drug not in DOSE_INTERVAL_MONTHS:
        return ()
    doses = set(other_doses)
    courses = courses or {}
    name = drug.replace("_", " ")
    messages = []
    previous, following = doses_too_close(drug, given_on, other_doses=doses, start=start)
    if previous is not None:
        due, earliest = earliest_next_dose(drug, previous)
        where = f" ({courses[previous]})" if previous in courses else ""
        what = (
            f"The previous {name} dose was given on {previous.isoformat()}{where}"
            if previous in doses
            else f"The {name} course started on {previous.isoformat()}, with no dose recorded since"
        )
        # The schedule counts the start as the first dose: say how to record a first dose
        # given later than the start.
        first = (
            ""
            if previous in doses
            else f" A first dose is taken as given on another day than the start only "
            f"within {FIRST_DOSE_MAX_DAYS_AFTER_START} days after it: if this is the first "
            "dose, correct the course's start date instead."
        )
        messages.append(
            f"{what}; the next is due on {due.isoformat()}. A dose on "
            f"{given_on.isoformat()} is {(due - given_on).days} days early "
            f"(earliest without an override: {earliest.isoformat()}).{first}"
        )
    if following is not None:
        due = earliest_next_dose(drug, given_on)[0]
        where = f" ({courses[following]})" if following in courses else ""
        messages.append(
            f"A later {name} dose is recorded on {following.isoformat()}{where}: after a "
            f"dose on {given_on.isoformat()} the next would be due on {due.isoformat()}, "
            f"so that one would be {(due - following).days} days early."
        )
    return tuple(messages)
