"""The dashboard's T-score sparkline: valid SVG, the thresholds drawn by pattern, words for it."""

import datetime as dt
from decimal import Decimal
from xml.etree import ElementTree

from hypothesis import given
from hypothesis import strategies as st

from monitoring.overview.sparkline import HEIGHT, WIDTH, describe, t_score_sparkline

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(  # noqa: S314 (our own SVG)
        svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


def test_no_scan_draws_nothing() -> None:
    assert t_score_sparkline([]) == ""


def test_three_scans_draw_a_line_dots_and_both_thresholds_with_a_text_alternative() -> None:
    points = [
        (dt.date(2023, 1, 5), Decimal("-1.2")),
        (dt.date(2024, 1, 9), Decimal("-1.9")),
        (dt.date(2025, 1, 7), Decimal("-2.6")),
    ]
    svg = _parse(t_score_sparkline(points))
    assert svg.get("role") == "img"
    label = svg.get("aria-label")
    assert label == (
        "Lowest T-score -1.2 on 2023-01-05 to -2.6 on 2025-01-07 over 3 scans;"
        " at or below T -2.0 and T -2.5."
    )
    assert svg.find(f"{SVG}title").text == label
    lines = svg.findall(f"{SVG}line")
    assert sorted(line.get("stroke-dasharray") for line in lines) == ["", "4 2"]
    assert len(svg.findall(f"{SVG}circle")) == 3
    assert svg.find(f"{SVG}polyline") is not None


def test_one_scan_is_described_as_one() -> None:
    assert describe([(dt.date(2025, 3, 1), Decimal("-0.8"))]) == (
        "Lowest T-score -0.8 on 2025-03-01 (one scan)."
    )


@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
            st.decimals(min_value=-6, max_value=4, places=1),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda point: point[0],
    )
)
def test_every_point_is_drawn_inside_the_box(points: list[tuple[dt.date, Decimal]]) -> None:
    points.sort()
    svg = _parse(t_score_sparkline(points))
    for circle in svg.findall(f"{SVG}circle"):
        assert 0 <= float(circle.get("cx")) <= WIDTH
        assert 0 <= float(circle.get("cy")) <= HEIGHT
    for line in svg.findall(f"{SVG}line"):
        assert 0 <= float(line.get("y1")) <= HEIGHT
