"""Calendar arithmetic of `docs/clinical-rules.md` (Conventions)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Final

# Days per month of a common year; February gets its leap day below. (calendar.monthrange also
# computes a weekday, which made it the hot spot of the benchmark.)
_MONTH_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_ONE_DAY: Final = dt.timedelta(days=1)

# Design choice: the plausible range of every date the application takes in (birth dates, scans,
# labs, courses, doses, reviews, plans, `as_of`), shared by the history parser and the entry forms.
# Anything outside is a typo (19600 for 1960, 2205 for 2025); the margin after 2199 keeps the
# rules' date arithmetic (next DEXA, schedules, projections) far inside `datetime.date`.
DATE_MIN: Final = dt.date(1900, 1, 1)
DATE_MAX: Final = dt.date(2199, 12, 31)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return `day` plus `months` calendar months, clamped to the month's last day.

    2024-08-31 + 6 months = 2025-02-28; negative `months` go back.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    if day.day <= 28:
        return dt.date(year, month, day.day)
    last = 29 if month == 2 and _is_leap(year) else _MONTH_DAYS[month0]
    return dt.date(year, month, min(day.day, last))


def age_in_years(birth_date: dt.date, on: dt.date) -> int:
    """Return the age in completed years on `on`.

    A 29 February birthday is reached on 1 March in common years, which plain tuple comparison
    of (month, day) gives: (2, 28) < (2, 29).
    """
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (1 if before_birthday else 0)


def within_months_before(day: dt.date, months: int, reference: dt.date) -> bool:
    """Tell whether `day` is within `months` months before `reference` (ends included)."""
    return day <= reference <= add_months(day, months)


@lru_cache(maxsize=256)  # one as_of serves many assessments (a day's batch, the benchmark)
def window_start(months: int, reference: dt.date) -> dt.date:
    """Return the earliest day `d` with `reference <= add_months(d, months)` (`months` >= 0).

    Then `within_months_before(day, months, reference)` is `window_start(...) <= day <= reference`:
    add_months never decreases as its day grows, so the days that reach `reference` form a tail.
    Computed once per assessment, it spares one add_months per lab checked.
    """
    day = add_months(reference, -months)
    # Clamping to a month's end can put the candidate a few days off the earliest one; step to it.
    while add_months(day, months) < reference:
        day += _ONE_DAY
    while add_months(day - _ONE_DAY, months) >= reference:
        day -= _ONE_DAY
    return day
