"""A small server-drawn chart of a patient's lowest T-score over time, for the dashboard's rows.

A physician triages from the trend, not only from the latest number. The chart is an inline SVG
(no script, so it draws under the strict Content-Security-Policy and in print), 120 x 32 pixels:
the T-scores as a line with a dot per scan, the latest dot filled, and the two thresholds of the
rules as lines that differ by pattern, not only by colour (T -2.0 dashed, T -2.5 solid). Its text
alternative says the same in words.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, PAD = 120, 32, 3
THRESHOLDS = ((Decimal("-2.0"), "4 2"), (Decimal("-2.5"), ""))
Point = tuple[dt.date, Decimal]


def t_score_sparkline(points: Sequence[Point]) -> SafeString:
    """The SVG of `points` (scan date, lowest T-score of the scan), oldest first; none: empty."""
    if not points:
        return SafeString("")
    values = [t for _, t in points]
    low = min([*values, Decimal("-3.0")])
    high = max([*values, Decimal("-1.0")])
    first, last = points[0][0], points[-1][0]
    days = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        if len(points) == 1:
            return WIDTH - PAD
        return PAD + (WIDTH - 2 * PAD) * (day - first).days / days

    def y(t: Decimal) -> float:
        return PAD + (HEIGHT - 2 * PAD) * float((high - t) / (high - low))

    lines = format_html_join(
        "",
        '<line x1="0" x2="{}" y1="{}" y2="{}" stroke="#555" stroke-width="1"'
        ' stroke-dasharray="{}"/>',
        ((WIDTH, f"{y(t):.1f}", f"{y(t):.1f}", dash) for t, dash in THRESHOLDS),
    )
    trend = " ".join(f"{x(day):.1f},{y(t):.1f}" for day, t in points)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="#0a4fb5"/>',
        (
            (
                f"{x(day):.1f}",
                f"{y(t):.1f}",
                2.5 if n == len(points) - 1 else 1.8,
                "#0a4fb5" if n == len(points) - 1 else "#fff",
            )
            for n, (day, t) in enumerate(points)
        ),
    )
    words = describe(points)
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img"'
        ' aria-label="{}"><title>{}</title>{}<polyline points="{}" fill="none"'
        ' stroke="#0a4fb5" stroke-width="1.5"/>{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        words,
        words,
        lines,
        trend,
        dots,
    )


def describe(points: Sequence[Point]) -> str:
    """The chart in words: first and latest lowest T-score, and the thresholds crossed."""
    (first_day, first_t), (last_day, last_t) = points[0], points[-1]
    if len(points) == 1:
        text = f"Lowest T-score {last_t} on {last_day:%Y-%m-%d} (one scan)"
    else:
        text = (
            f"Lowest T-score {first_t} on {first_day:%Y-%m-%d} to {last_t} on "
            f"{last_day:%Y-%m-%d} over {len(points)} scans"
        )
    below = [f"T {t}" for t, _ in THRESHOLDS if last_t <= t]
    return text + (f"; at or below {' and '.join(below)}" if below else "") + "."
