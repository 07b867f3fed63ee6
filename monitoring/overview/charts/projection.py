"""Which projected T-scores the BMD chart draws, and how far.

The rules project each site's T-score from its latest scan to the dates it would reach T -2.0 and
T -2.5 (rule PROJ); those dates can lie decades ahead. The chart is for deciding what to do now,
so it draws a projection only where it is honest:
- no further than the planned end of the aromatase-inhibitor course or five years after the last
  scan, whichever is sooner (the line stops at that date, at the T-score it would have reached);
- only from a scan taken after the last start or stop of bone therapy: a trend measured before a
  drug was started or stopped says nothing about the bone under the drug.
The rules' projection is unchanged; the table under the chart says what was drawn and why not,
marks a crossing date already passed (an estimate no scan confirmed) and names the therapy
changes after the basis scan, which its dates do not reflect.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.domain.dates import add_months

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
    # The therapy changes after the basis scan ("denosumab started 2024-06-01"), which the
    # rules' crossing dates do not reflect; None when the scan is the latest word.
    changed_since: str | None = None


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


def projections(
    history: domain.History,
    last_points: Mapping[domain.Site, tuple[dt.date, Decimal]],
    stored: Iterable[Mapping[str, Any]],
    *,
    as_of: dt.date,
) -> list[Projection]:
    """Each stored projection of a site with a scan, with the line the chart draws for it."""
    change = last_therapy_change(history, as_of=as_of)
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
        not_drawn: str | None = "its scan predates the last therapy change"
        if change is None or day > change:
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
                changed_since=therapy_changes_after(history, day, as_of=as_of),
            )
        )
    return found


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
