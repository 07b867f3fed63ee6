"""`window_start` agrees with `within_months_before` day by day, month ends and leap days too."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring.domain.dates import window_start, within_months_before


@pytest.mark.parametrize("months", [0, 1, 3, 12, 24])
def test_window_start_matches_within_months_before(months: int) -> None:
    reference = dt.date(2023, 12, 1)
    while reference <= dt.date(2024, 12, 31):
        start = window_start(months, reference)
        for offset in range(-31 * months - 40, 3):
            day = reference + dt.timedelta(days=offset)
            assert within_months_before(day, months, reference) == (start <= day <= reference)
        reference += dt.timedelta(days=1)
