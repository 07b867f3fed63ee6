"""What gives way on the one-page summary, and in which order (nurse11 7): pure arithmetic on what
the summary holds. tests/browser/test_printouts_pdf.py prints the same through Chromium."""

import math
from dataclasses import replace

import pytest

from monitoring.overview.summary_fit import (
    BMD_HEIGHT_PX,
    BMD_LEAST_HEIGHT_PX,
    SHEET_PX,
    SPARE_PX,
    SummaryContent,
    SummaryFit,
    estimated_px,
    summary_fit,
)

LIGHT = SummaryContent(
    printed_by_chars=100,
    fact_lines=4,
    note_chars=[],
    override_chars=0,
    override_brief_chars=0,
    chart=True,
    chart_note_chars=0,
    projection_rows=0,
    projection_brief_chars=0,
    projection_named_chars=0,
    scans=2,
    change_rows=3,
    alert_chars=[120],
    next_dates_chars=60,
    recommendation_chars=[120],
    standing_advice_chars=[100, 108, 152],
    standing_advice_named_chars=110,
)
# The tester's patient (nurse11 7): five alert lines, four long recommendations, a projection.
ORDINARY = replace(
    LIGHT,
    fact_lines=4,
    projection_rows=3,
    projection_brief_chars=415,
    alert_chars=[193, 327, 191, 200, 120],
    next_dates_chars=68,
    recommendation_chars=[121, 378, 126, 130],
    standing_advice_chars=[100, 108],
    standing_advice_named_chars=98,
)
ROOM = SHEET_PX - SPARE_PX


def test_a_summary_that_fits_loses_nothing() -> None:
    fit = summary_fit(LIGHT)
    assert fit == replace(SummaryFit(), estimated_px=fit.estimated_px)
    assert fit.gave_way == []
    assert fit.estimated_px <= ROOM


def test_the_testers_patient_fits_giving_way_in_order() -> None:
    fit = summary_fit(ORDINARY)
    assert fit.estimated_px <= ROOM
    assert fit.gave_way[:2] == ["projection-in-brief", "standing-advice-named"]
    assert "fewer-scans" not in fit.gave_way
    assert BMD_LEAST_HEIGHT_PX <= fit.bmd_height_px <= BMD_HEIGHT_PX


@pytest.mark.parametrize("extra_alerts", range(0, 12))
def test_each_step_only_when_the_ones_before_are_not_enough(extra_alerts: int) -> None:
    """More content takes the same steps and more, never fewer nor others; it stops at the first
    that fits; the chart never gets smaller than its least."""
    content = replace(ORDINARY, scans=3, alert_chars=[*ORDINARY.alert_chars, *[210] * extra_alerts])
    fit = summary_fit(content)
    order = [
        "projection-in-brief",
        "standing-advice-named",
        "shorter-chart",
        "fewer-scans",
        "projection-named",
        "recommendations-in-brief",
    ]
    assert fit.gave_way == order[: len(fit.gave_way)]
    assert fit.bmd_height_px >= BMD_LEAST_HEIGHT_PX
    if len(fit.gave_way) < len(order):
        assert fit.estimated_px <= ROOM
    # Less content never takes more steps.
    fewer = summary_fit(replace(content, alert_chars=content.alert_chars[:-1]))
    assert len(fewer.gave_way) <= len(fit.gave_way)


def test_open_alerts_never_give_way() -> None:
    """However many, every open alert is counted in the height: on a sheet that cannot hold
    them, everything else that may give way has, and the estimate says it overflows."""
    crowded = replace(ORDINARY, scans=3, alert_chars=[250] * 20)
    fit = summary_fit(crowded)
    assert fit.gave_way == [
        "projection-in-brief",
        "standing-advice-named",
        "shorter-chart",
        "fewer-scans",
        "projection-named",
        "recommendations-in-brief",
    ]
    assert fit.bmd_height_px == BMD_LEAST_HEIGHT_PX
    assert fit.estimated_px > ROOM
    assert estimated_px(replace(crowded, alert_chars=[250] * 21), fit) > fit.estimated_px


def test_the_chart_shrinks_only_by_what_is_missing() -> None:
    """Just over the sheet after the first two steps: the chart loses those pixels, no more."""
    named = SummaryFit(projection_in_brief=True, standing_advice_named=True)
    padded = ORDINARY
    while estimated_px(padded, named) <= ROOM:  # a paragraph of notes at a time (19 px)
        padded = replace(padded, note_chars=[*padded.note_chars, 1])
    missing = estimated_px(padded, named) - ROOM
    assert 0 < missing < BMD_HEIGHT_PX - BMD_LEAST_HEIGHT_PX
    fit = summary_fit(padded)
    assert fit.gave_way == ["projection-in-brief", "standing-advice-named", "shorter-chart"]
    assert fit.bmd_height_px == math.floor(BMD_HEIGHT_PX - missing)
    assert fit.estimated_px <= ROOM


def test_override_notes_go_in_brief_last_and_only_when_needed() -> None:
    """phys12 F18: three override notes beside five alerts and two long recommendations ran onto
    a second sheet once everything else had given way."""
    with_notes = replace(
        ORDINARY,
        recommendation_chars=[121, 126, 130],
        override_chars=540,
        override_brief_chars=110,
        projection_named_chars=170,
    )
    fit = summary_fit(with_notes)
    assert fit.gave_way[-1] == "overrides-in-brief"
    assert fit.estimated_px <= ROOM
    assert estimated_px(with_notes, replace(fit, overrides_in_brief=False)) > ROOM
    assert not summary_fit(replace(LIGHT, override_chars=620, override_brief_chars=160)).gave_way


def test_recommendations_go_in_brief_last_and_only_when_needed() -> None:
    """Vitamin D to replete first beside a low calcium to correct first made the start advice
    three sentences long: with every step before taken the summary still ran onto a second
    sheet; the recommendations are then named with their due dates and rules."""
    long_advice = replace(
        ORDINARY,
        recommendation_chars=[121, 620, 126, 130, 300],
        recommendation_brief_chars=[40, 60, 40, 40, 40],
        override_chars=540,
        override_brief_chars=110,
        projection_named_chars=170,
    )
    fit = summary_fit(long_advice)
    assert fit.gave_way[-2:] == ["overrides-in-brief", "recommendations-in-brief"]
    assert fit.estimated_px <= ROOM
    assert estimated_px(long_advice, replace(fit, recommendations_in_brief=False)) > ROOM
    assert "recommendations-in-brief" not in summary_fit(ORDINARY).gave_way
