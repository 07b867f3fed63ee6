"""How the patient summary keeps to one A4 sheet: its printed height estimated from all it holds,
and what gives way, in a fixed order and only as far as needed (nurse11 7).

A count of alert lines was the old rule (past 8, the advice every patient gets was named on one
line): an ordinary patient with five alert lines and four long recommendations still ran onto a
second sheet, under a chart, a projection table and two tables of scans. The estimate adds up the
height of every block in CSS pixels at the sheet's width (186 mm, 703 px), as print.css lays it
out in Chromium with DejaVu Sans, the widest of the common sans-serif fonts (a Windows or macOS
font sets the same text on fewer lines); `tests/browser/test_printouts_pdf.py` checks that it is
never below the height Chromium prints.

What may give way, in this order, each only when the ones before are not enough:
1. the projected T-score table, written as one paragraph (every date kept; the table is on the
   patient page);
2. the advice every patient gets (rule ALWAYS), named on one line, its text on the patient page;
3. the printed BMD chart, from 210 down to 170 px high;
4. the oldest of the three latest scans, named as left to the patient page;
5. the projected T-score, named by its sites alone, its dates left to the patient page;
6. the notes of bone-therapy checks overridden, written in brief: what was given despite them,
   the checks, reasons and who left to the patient page (phys12 F18: three notes beside five
   alerts and two long kidney-limited recommendations still ran onto a second sheet);
7. the patient's own recommendations, each named with its due date and rules, their text on the
   patient page (the open alerts above say why: a vitamin D to replete first and a low calcium to
   correct first made the start advice three sentences long, and two test patients' summaries
   ran onto a second sheet with every step before taken).
Never the facts, the open alerts (every one), the next dates, the names and due dates of the
patient's own recommendations or the change since the previous scan.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from monitoring.overview.print_layout import LEGEND_BAND_PX, PRINT_HEIGHT_PX

# A4 (297 mm) less the 12 mm margins of print.css, in CSS pixels (96 an inch); a few pixels kept
# free for the rounding of each line's height.
SHEET_PX = 1031
SPARE_PX = 12

# The chart's plot height on paper (print_layout adds its legend band): at least this, its two
# panels still readable.
BMD_HEIGHT_PX = PRINT_HEIGHT_PX["bmd_figure"]
BMD_LEAST_HEIGHT_PX = 170
LATEST_SCANS = 3

# Characters on one line: of the lists and small paragraphs (a 12 px font in 685 px: 112 to 117
# of DejaVu Sans, fewer where a line breaks between words or starts with a bold label: 105 were
# seen to wrap) and of a fact's value (one of five columns, wrapped word by word).
LIST_CHARS = 106
# "Their text, and why, is on the patient page." under recommendations written in brief.
RECOMMENDATIONS_BRIEF_NOTE_CHARS = 50
FACT_CHARS = 20
# Heights in CSS pixels, as print.css sets them (font size times line height, plus margins),
# measured in Chromium.
TITLE_PX = 31  # the title and the margin under the "printed by" line
FACT_LABEL_PX = 12.2
FACT_LINE_PX = 15.4
FACTS_GAPS_PX = 6.4
CAPTION_PX = 41 + 8  # the chart's caption (three lines) and the figure's margin
NO_CHART_PX = 22  # "No scan recorded yet: no BMD chart."
HEADING_PX = 23
LIST_LINE_PX = 13.8
LIST_ITEM_GAP_PX = 0.8
SMALL_LINE_PX = 13.8  # a paragraph of small print (next dates, notes)
PARAGRAPH_GAP_PX = 5
TABLE_ROW_PX = 17.6
TABLE_GAP_PX = 5


@dataclass(frozen=True)
class SummaryContent:
    """What the summary holds, as far as its height depends on it: characters of each text,
    rows of each table."""

    printed_by_chars: int  # the line under the title: site, date, who printed it
    fact_lines: int  # the value lines of the facts' two rows (the taller fact of each row)
    note_chars: Sequence[int]  # paragraphs above the chart (a data problem, follow-up ended)
    override_chars: int  # the notes of overridden checks, 0 without
    override_brief_chars: int  # the same in brief
    chart: bool
    chart_note_chars: int  # the line under a chart without bands, 0 without
    projection_rows: int  # table lines: one a site, and three more for a row's notes
    projection_brief_chars: int  # the same as one paragraph
    projection_named_chars: int  # the same named by its sites
    scans: int
    change_rows: int
    alert_chars: Sequence[int]
    next_dates_chars: int
    recommendation_chars: Sequence[int]  # the patient's own
    standing_advice_chars: Sequence[int]  # the advice every patient gets (rule ALWAYS)
    standing_advice_named_chars: int  # the same named on one line
    recommendation_brief_chars: Sequence[int] = ()  # the patient's own, named with due and rules


@dataclass(frozen=True)
class SummaryFit:
    """What the summary prints: the chart's height, and what gave way."""

    bmd_height_px: int = BMD_HEIGHT_PX
    projection_in_brief: bool = False
    standing_advice_named: bool = False
    scans_shown: int = LATEST_SCANS
    projection_named: bool = False
    overrides_in_brief: bool = False
    recommendations_in_brief: bool = False
    estimated_px: int = 0

    @property
    def gave_way(self) -> list[str]:
        """What gave way, in the order of `GIVING_WAY` (for the sheet's data attribute)."""
        steps = {
            "projection-in-brief": self.projection_in_brief,
            "standing-advice-named": self.standing_advice_named,
            "shorter-chart": self.bmd_height_px < BMD_HEIGHT_PX,
            "fewer-scans": self.scans_shown < LATEST_SCANS,
            "projection-named": self.projection_named,
            "overrides-in-brief": self.overrides_in_brief,
            "recommendations-in-brief": self.recommendations_in_brief,
        }
        return [name for name, taken in steps.items() if taken]


def _lines(chars: int, per_line: int) -> int:
    return max(1, math.ceil(chars / per_line))


def _list_px(chars: Sequence[int]) -> float:
    lines = sum(_lines(n, LIST_CHARS) for n in chars)
    return lines * LIST_LINE_PX + len(chars) * LIST_ITEM_GAP_PX


def _paragraph_px(chars: int) -> float:
    return _lines(chars, LIST_CHARS) * SMALL_LINE_PX + PARAGRAPH_GAP_PX if chars else 0


def _table_px(rows: int, *, caption: bool) -> float:
    return (1 + rows + caption) * TABLE_ROW_PX + TABLE_GAP_PX


def estimated_px(content: SummaryContent, fit: SummaryFit) -> float:
    """The summary's printed height with `fit` applied."""
    px = TITLE_PX + _lines(content.printed_by_chars, LIST_CHARS) * LIST_LINE_PX
    px += 2 * FACT_LABEL_PX + content.fact_lines * FACT_LINE_PX + FACTS_GAPS_PX
    px += sum(_paragraph_px(chars) for chars in content.note_chars)
    brief = fit.overrides_in_brief and content.override_chars
    px += _paragraph_px(content.override_brief_chars if brief else content.override_chars)
    if content.chart:
        px += fit.bmd_height_px + LEGEND_BAND_PX + CAPTION_PX
    else:
        px += NO_CHART_PX
    px += _paragraph_px(content.chart_note_chars)
    if content.projection_rows and fit.projection_named:
        px += _paragraph_px(content.projection_named_chars)
    elif content.projection_rows and fit.projection_in_brief:
        px += _paragraph_px(content.projection_brief_chars)
    elif content.projection_rows:
        px += _table_px(content.projection_rows, caption=True)
    px += HEADING_PX + _table_px(max(1, min(content.scans, fit.scans_shown)), caption=False)
    if content.change_rows:
        px += _table_px(content.change_rows, caption=True)
    px += HEADING_PX + _list_px(content.alert_chars or [4]) + PARAGRAPH_GAP_PX
    px += _paragraph_px(content.next_dates_chars)
    advice = content.standing_advice_chars
    if fit.standing_advice_named and advice:
        advice = [content.standing_advice_named_chars]
    own = list(content.recommendation_chars)
    if fit.recommendations_in_brief and own:
        # Each named, and one line saying where their text is.
        own = [*content.recommendation_brief_chars, RECOMMENDATIONS_BRIEF_NOTE_CHARS]
    if own or advice:
        px += HEADING_PX + _list_px([*own, *advice])
    return px


def _projection_in_brief(content: SummaryContent, fit: SummaryFit, _over: float) -> SummaryFit:
    return replace(fit, projection_in_brief=content.projection_rows > 0)


def _standing_advice_named(content: SummaryContent, fit: SummaryFit, _over: float) -> SummaryFit:
    return replace(fit, standing_advice_named=bool(content.standing_advice_chars))


def _shorter_chart(content: SummaryContent, fit: SummaryFit, over: float) -> SummaryFit:
    if not content.chart:
        return fit
    return replace(fit, bmd_height_px=max(BMD_LEAST_HEIGHT_PX, math.floor(BMD_HEIGHT_PX - over)))


def _fewer_scans(content: SummaryContent, fit: SummaryFit, _over: float) -> SummaryFit:
    if content.scans < LATEST_SCANS:
        return fit
    return replace(fit, scans_shown=LATEST_SCANS - 1)


def _projection_named(content: SummaryContent, fit: SummaryFit, _over: float) -> SummaryFit:
    return replace(fit, projection_named=content.projection_rows > 0)


def _overrides_in_brief(content: SummaryContent, fit: SummaryFit, _over: float) -> SummaryFit:
    return replace(fit, overrides_in_brief=content.override_chars > 0)


def _recommendations_in_brief(content: SummaryContent, fit: SummaryFit, _over: float) -> SummaryFit:
    return replace(fit, recommendations_in_brief=bool(content.recommendation_chars))


GIVING_WAY = (
    _projection_in_brief,
    _standing_advice_named,
    _shorter_chart,
    _fewer_scans,
    _projection_named,
    _overrides_in_brief,
    _recommendations_in_brief,
)


def summary_fit(content: SummaryContent) -> SummaryFit:
    """The summary as full as one sheet holds: each step of `GIVING_WAY` (the module's order)
    taken only while the sheet still overflows."""
    room = SHEET_PX - SPARE_PX
    fit = SummaryFit()
    for give_way in GIVING_WAY:
        over = estimated_px(content, fit) - room
        if over <= 0:
            break
        fit = give_way(content, fit, over)
    return replace(fit, estimated_px=math.ceil(estimated_px(content, fit)))
