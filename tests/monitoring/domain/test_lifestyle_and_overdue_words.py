"""nurse13 #17: LIFESTYLE told women who never smoked to "stop smoking", and REPEAT_DEXA read
"Repeat DEXA on the same scanner by 2025-05-01" 19 months after that date. The advice is now
worded with the smoking and alcohol recorded (the code and rule unchanged), and a passed due date
reads as one."""

from __future__ import annotations

import pytest

from monitoring.domain import RecommendationCode, Smoking, assess

from .builders import AS_OF, ai, d, history, normal_scan, risk


def _message(code: RecommendationCode, **kwargs: object) -> str:
    found = assess(history(**kwargs), as_of=AS_OF)
    return next(r.message for r in found.recommendations if r.code is code)


@pytest.mark.parametrize(
    ("smoking", "alcohol", "expected"),
    [
        (
            Smoking.NEVER,
            False,
            "Weight-bearing and balance exercise; keep alcohol under 3 units a day.",
        ),
        (
            Smoking.FORMER,
            False,
            "Weight-bearing and balance exercise; stay off smoking; keep alcohol under 3 units a "
            "day.",
        ),
        (
            Smoking.CURRENT,
            True,
            "Weight-bearing and balance exercise; stop smoking; cut alcohol to under 3 units a day "
            "(3 or more recorded).",
        ),
    ],
)
def test_lifestyle_follows_the_smoking_and_alcohol_recorded(
    smoking: Smoking, alcohol: bool, expected: str
) -> None:
    patient = risk(smoking=smoking, alcohol_3_or_more_units_daily=alcohol)
    assert _message(RecommendationCode.LIFESTYLE, patient=patient) == expected


def test_a_repeat_dexa_date_passed_reads_as_overdue() -> None:
    scans = (normal_scan("2021-05-01"),)
    late = assess(history(aromatase_inhibitors=(ai(),), dexa_scans=scans), as_of=AS_OF)
    repeat = next(r for r in late.recommendations if r.code is RecommendationCode.REPEAT_DEXA)
    assert repeat.due is not None
    assert repeat.due < AS_OF
    assert repeat.message.startswith(
        f"Repeat DEXA on the same scanner: it was due by {repeat.due.isoformat()} ("
    )
    assert repeat.message.endswith(". Book it.")
    on_time = assess(
        history(aromatase_inhibitors=(ai(),), dexa_scans=(normal_scan(),)), as_of=AS_OF
    )
    upcoming = next(r for r in on_time.recommendations if r.code is RecommendationCode.REPEAT_DEXA)
    assert upcoming.message.startswith(f"Repeat DEXA on the same scanner by {upcoming.due}")
    assert d(str(upcoming.due)) > AS_OF
    assert "Book it" not in upcoming.message
