"""Which projected T-scores the BMD chart draws, and how far.

The rules project each site's T-score from its latest scan to the dates it would reach T -2.0 and
T -2.5 (rule PROJ); those dates can lie decades ahead. The chart is for deciding what to do now,
so it draws a projection only where it is honest:
- no further than the planned end of the aromatase-inhibitor course or five years after the last
  scan, whichever is sooner (the line stops at that date, at the T-score it would have reached);
- only from a scan taken after the last start or stop of bone therapy: a trend measured before a
  drug was started or stopped says nothing about the bone under the drug. Such a projection is
  not shown at all, neither drawn nor its dates in the table (phys13 #14: a hip projected from a
  scan before two years of denosumab "reached -2.5" on a date already passed): an estimate across
  an antiresorptive course is no estimate of this bone. The page says why instead;
- not from the ATAC median loss for a man: ATAC measured postmenopausal women on anastrozole, as
  the page already withholds the projection where T-score categories do not apply for that reason
  (`score_panel`). PROJ is silent on men; the conservative reading (phys13 #12). A man's own
  trend, measured on his own scans, is still shown.
The rules' projection is unchanged; the table under the chart marks a crossing date already
passed (an estimate no scan confirmed), and a note under it names each projection withheld and why.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.domain.dates import add_months
from monitoring.domain.types import SITE_NAMES

HORIZON_MONTHS = 60
LEVELS = (("crosses_minus_2_0_on", Decimal("-2.0")), ("crosses_minus_2_5_on", Decimal("-2.5")))


@dataclass(frozen=True)
class Projection:
    """A site's projection as the chart shows it: `line` is empty when it is not drawn."""

    site: domain.Site
    basis: str
    from_date: dt.date
    from_t: Decimal
    crossings: dict[Decimal, dt.date]  # as the rules give them
    line: list[tuple[dt.date, Decimal]]
    not_drawn: str | None = None
    # Why the page shows neither its line nor its dates (a clause, after "No projected T-score
    # for the <sites>: "); None when it is shown.
    withheld: str | None = None


def horizon(history: domain.History, last_scan: dt.date) -> dt.date:
    """Five years after the last scan, or the planned end of the latest AI course if sooner."""
    latest = add_months(last_scan, HORIZON_MONTHS)
    started = [c for c in history.aromatase_inhibitors if c.start_date is not None]
    if not started:
        return latest
    course = max(started, key=lambda c: c.start_date or dt.date.min)
    end = course.stop_date
    if end is None and course.start_date and course.planned_duration_months:
        end = add_months(course.start_date, course.planned_duration_months)
    return min(latest, end) if end is not None and end > last_scan else latest


def last_therapy_change(history: domain.History, *, as_of: dt.date) -> dt.date | None:
    """The latest start or stop of a bone-protective drug up to `as_of`."""
    changes = [
        day
        for course in history.bone_therapy
        for day in (course.start_date, course.stop_date)
        if day is not None and day <= as_of
    ]
    return max(changes, default=None)


def therapy_changes_after(history: domain.History, day: dt.date, *, as_of: dt.date) -> str | None:
    """The starts and stops of bone-protective drugs after `day` up to `as_of`, in words
    ("denosumab started 2024-06-01; denosumab stopped 2026-01-10"), or None."""
    changes = sorted(
        (when, f"{course.drug.replace('_', ' ')} {what} {when.isoformat()}")
        for course in history.bone_therapy
        for when, what in ((course.start_date, "started"), (course.stop_date, "stopped"))
        if when is not None and day < when <= as_of
    )
    return "; ".join(words for _when, words in changes) or None


# A man's ATAC median projection, withheld (PROJ is silent on men: the conservative reading).
ATAC_NOT_FOR_A_MAN = (
    "the ATAC median loss is that of postmenopausal women on anastrozole, not a man's"
)


def withheld_before_therapy_change(day: dt.date, changes: str) -> str:
    """Why a projection from the scan of `day`, before the therapy `changes`, is not shown."""
    return (
        f"its latest scan ({day.isoformat()}) came before {changes}, and an estimate across a "
        "bone-therapy course would not reflect it; a new scan gives a starting point"
    )


def projections(
    history: domain.History,
    last_points: Mapping[domain.Site, tuple[dt.date, Decimal]],
    stored: Iterable[Mapping[str, Any]],
    *,
    as_of: dt.date,
) -> list[Projection]:
    """Each stored projection of a site with a scan, with the line the chart draws for it, or
    why it is withheld."""
    change = last_therapy_change(history, as_of=as_of)
    man = history.patient.sex is domain.Sex.M
    found = []
    for projection in stored:
        site = domain.Site(projection["site"])
        if site not in last_points:
            continue
        day, t_score = last_points[site]
        crossings = {
            level: dt.date.fromisoformat(projection[key])
            for key, level in LEVELS
            if projection.get(key)
        }
        basis = str(projection.get("basis", ""))
        line: list[tuple[dt.date, Decimal]] = []
        not_drawn: str | None = None
        withheld: str | None = None
        if change is not None and day <= change:
            changes = therapy_changes_after(history, day, as_of=as_of) or "a bone-therapy change"
            withheld = withheld_before_therapy_change(day, changes)
        elif man and basis == domain.ProjectionBasis.ATAC_MEDIAN:
            withheld = ATAC_NOT_FOR_A_MAN
        else:
            line = drawn_line(day, t_score, crossings, until=horizon(history, day))
            not_drawn = None if line else "nothing to project"
        found.append(
            Projection(
                site=site,
                basis=basis,
                from_date=day,
                from_t=t_score,
                crossings=crossings,
                line=line,
                not_drawn=not_drawn,
                withheld=withheld,
            )
        )
    return found


def _and_list(words: list[str]) -> str:
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else words[0]


def withheld_note(found: Iterable[Projection]) -> str | None:
    """One sentence per reason a projection is withheld, naming its sites ("No projected T-score
    for the total hip and femoral neck: …."); None when every one is shown."""
    sites_by_reason: dict[str, list[str]] = {}
    for projection in found:
        if projection.withheld is not None:
            name = SITE_NAMES[projection.site].lower()
            sites_by_reason.setdefault(projection.withheld, []).append(name)
    sentences = [
        f"No projected T-score for the {_and_list(sites)}: {reason}."
        for reason, sites in sites_by_reason.items()
    ]
    return " ".join(sentences) or None


def drawn_line(
    day: dt.date, t_score: Decimal, crossings: Mapping[Decimal, dt.date], *, until: dt.date
) -> list[tuple[dt.date, Decimal]]:
    """From the scan to each crossing up to `until`; a crossing after it is replaced by the
    T-score the line towards it reaches on `until`. Empty when nothing lies ahead."""
    ahead = sorted((when, level) for level, when in crossings.items() if when > day)
    if not ahead:
        return []
    line = [(day, t_score)]
    for when, level in ahead:
        if when <= until:
            line.append((when, level))
            continue
        (last_day, last_t) = line[-1]
        slope = (level - last_t) / (when - last_day).days
        line.append((until, (last_t + slope * (until - last_day).days).quantize(Decimal("0.01"))))
        break
    return line


def last_points(
    points: Mapping[domain.Site, Sequence[tuple[Any, ...]]],
) -> dict[domain.Site, tuple[dt.date, Decimal]]:
    """(date, T-score) of each site's latest scan."""
    return {site: (rows[-1][0], rows[-1][2]) for site, rows in points.items() if rows}
