"""CHG-SCANNER: a significant loss found on the old scanner stays in words once the next scan is on
another (physician11 F8). No change is judged across scanners and no loss alert is raised for
the past comparison; the SCANNER_CHANGED alert quotes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain import AlertCode, Severity, Site, SiteMeasurement, assess
from monitoring.domain.rules.change import last_same_scanner_pair
from monitoring.domain.rules.context import Observation

from .builders import d, history, scan

AS_OF = d("2026-12-07")


def _scans(*rows: tuple[str, str, str, str]) -> tuple[object, ...]:
    """(date, scanner, total hip BMD, femoral neck BMD) per scan; spine stable throughout."""
    return tuple(
        scan(
            day,
            scanner,
            lumbar_spine=("1.000", "-0.5"),
            total_hip=(hip, "-1.0"),
            femoral_neck=(neck, "-1.2"),
        )
        for day, scanner, hip, neck in rows
    )


def _alerts(*rows: tuple[str, str, str, str]) -> dict[AlertCode, tuple[Severity, str]]:
    result = assess(history(dexa_scans=_scans(*rows)), as_of=AS_OF)
    return {alert.code: (alert.severity, alert.message) for alert in result.alerts}


def test_the_scanner_changed_alert_quotes_the_last_significant_loss() -> None:
    alerts = _alerts(
        ("2025-05-01", "GE", "0.900", "0.800"),
        ("2025-11-01", "GE", "0.875", "0.765"),  # hip -0.025, neck -0.035: both the LSC
        ("2026-11-01", "Hologic", "0.870", "0.760"),
    )
    assert AlertCode.SIGNIFICANT_BMD_LOSS not in alerts  # the rule is unchanged
    severity, message = alerts[AlertCode.SCANNER_CHANGED]
    assert severity is Severity.INFO
    assert message.endswith(
        "The last comparison on one scanner showed a significant loss, not undone by a scan on "
        "another: total hip fell 0.025 g/cm² (2.8 %) from 2025-05-01 to 2025-11-01 on GE; "
        "femoral neck fell 0.035 g/cm² (4.4 %) from 2025-05-01 to 2025-11-01 on GE."
    )
    assert "lumbar spine fell" not in message  # the spine's comparison showed no loss


def test_the_loss_is_the_one_the_previous_assessment_raised() -> None:
    rows = (
        ("2025-05-01", "GE", "0.900", "0.800"),
        ("2025-11-01", "GE", "0.875", "0.765"),
    )
    before = assess(history(dexa_scans=_scans(*rows)), as_of=d("2026-10-31"))
    losses = {a.site for a in before.alerts if a.code is AlertCode.SIGNIFICANT_BMD_LOSS}
    assert losses == {Site.TOTAL_HIP, Site.FEMORAL_NECK}
    _severity, message = _alerts(*rows, ("2026-11-01", "Hologic", "0.870", "0.760"))[
        AlertCode.SCANNER_CHANGED
    ]
    assert "total hip fell" in message
    assert "femoral neck fell" in message


def test_no_words_when_the_last_same_scanner_comparison_was_stable() -> None:
    # A loss from the first to the second GE scan, then a stable third: the loss had cleared.
    _severity, message = _alerts(
        ("2024-05-01", "GE", "0.900", "0.800"),
        ("2024-11-01", "GE", "0.875", "0.765"),
        ("2025-05-01", "GE", "0.874", "0.764"),
        ("2026-11-01", "Hologic", "0.870", "0.760"),
    )[AlertCode.SCANNER_CHANGED]
    assert message == (
        "No earlier measurement on the same scanner for lumbar spine, total hip, femoral neck: "
        "change not judged. Repeat follow-up scans on one scanner."
    )


def test_no_words_without_an_earlier_comparison_on_one_scanner() -> None:
    _severity, message = _alerts(
        ("2025-05-01", "GE", "0.900", "0.800"),
        ("2026-11-01", "Hologic", "0.800", "0.700"),
    )[AlertCode.SCANNER_CHANGED]
    assert "fell" not in message


def _observations(scanners: list[str]) -> list[Observation]:
    first = dt.date(2020, 1, 1)
    measured = SiteMeasurement(bmd=Decimal("0.900"), t_score=Decimal("-1.0"))
    return [
        Observation(first + dt.timedelta(days=200 * n), scanner, measured)
        for n, scanner in enumerate(scanners)
    ]


@given(st.lists(st.sampled_from("ABC"), min_size=1, max_size=8))
def test_the_last_same_scanner_pair_is_the_latest_pair_before_the_current(
    scanners: list[str],
) -> None:
    """Of all pairs (j, i) on one scanner with j < i before the current (last) measurement, the
    latest i, and for it the latest j: the comparison an assessment on i's date made."""
    observations = _observations(scanners)
    before_current = len(scanners) - 1
    pairs = [(i, j) for i in range(before_current) for j in range(i) if scanners[j] == scanners[i]]
    found = last_same_scanner_pair(observations)
    if not pairs:
        assert found is None
        return
    i, j = max(pairs)
    assert found == (observations[j], observations[i])
