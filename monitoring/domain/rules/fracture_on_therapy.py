"""A fragility fracture while on an antiresorptive (FX-ON-THERAPY): a possible treatment failure.

The specification is silent on a fracture that happens on therapy: TX-FRACTURE only asks for
therapy, and BONE_THERAPY_INDICATED is silent once an antiresorptive is active, so a new fracture
after years of alendronate raised nothing, and SCHED-STABLE-ON-THERAPY even set the next DEXA 24
months after the very scan that showed it (physician9 F18). The conservative reading is stated
here once, and read by the scheduling rule.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from ..dates import add_months
from ..thresholds import FRACTURE_ON_THERAPY_MIN_MONTHS
from ..types import ORAL_BISPHOSPHONATES, AlertCode, RuleId, Severity, VertebralFractureAssessment
from .classification import recorded_fracture
from .context import Context, CourseStatus, Therapy, started

# The VFA readings that say something about a fracture (indeterminate says nothing).
_READ = (VertebralFractureAssessment.FRACTURE, VertebralFractureAssessment.NO_FRACTURE)


class DatedFracture(NamedTuple):
    """A fragility fracture with the date it is known by, and where it was seen (for messages)."""

    date: dt.date
    seen: str


def dated_fractures(ctx: Context) -> list[DatedFracture]:
    """Return the fragility fractures on file with a date on or before `as_of`, by date.

    The patient record's fracture counts when its date is given (an undated one cannot be placed
    before or after a course, so it is left to TX-FRACTURE alone). A vertebral fracture seen on a
    scan's VFA is dated that scan (as TX-FRACTURE reads it) when it is new: the first scan whose
    VFA saw a fracture, or one whose previous VFA reading (fracture or no fracture; indeterminate
    and not done are skipped) saw none. A fracture seen again on the next VFA is the same
    fracture, not a new one; a second vertebral fracture beside a known one cannot be told from
    the VFA reading, and is recorded on the patient record with its date.
    """
    found: list[DatedFracture] = []
    record = ctx.history.patient.risk_factors
    if recorded_fracture(ctx) and record.prior_fracture_date is not None:
        found.append(
            DatedFracture(
                record.prior_fracture_date,
                f"fragility fracture of {record.prior_fracture_date.isoformat()} (patient record)",
            )
        )
    previous: VertebralFractureAssessment | None = None
    for scan in ctx.scans:  # on or before as_of, sorted by date
        reading = scan.vertebral_fracture_assessment
        if reading is VertebralFractureAssessment.FRACTURE and (
            previous is not VertebralFractureAssessment.FRACTURE
        ):
            found.append(
                DatedFracture(
                    scan.date,
                    f"vertebral fracture seen on the VFA of the scan of {scan.date.isoformat()}",
                )
            )
        if reading in _READ:
            previous = reading
    found.sort()
    return found


def fracture_since_start(ctx: Context, therapy: Therapy) -> bool:
    """Tell whether a fragility fracture is dated after `therapy`'s start (on or before `as_of`).

    SCHED-STABLE-ON-THERAPY does not hold for such a course: a patient who fractured on the drug
    is not stable on it, whatever the BMD, so the interval of the risk category applies (the
    conservative reading, whether or not the course had run FRACTURE_ON_THERAPY_MIN_MONTHS).
    """
    start = therapy.start
    return start is not None and any(f.date > start for f in dated_fractures(ctx))


def fracture_on_therapy(ctx: Context) -> None:
    """FX-ON-THERAPY: a fragility fracture after 12 months of an active antiresorptive course.

    A fracture dated on or after the course's start + FRACTURE_ON_THERAPY_MIN_MONTHS, with the
    course still active on `as_of`, is a possible treatment failure (IOF 2012, which needs two
    fractures, or one with unsuppressed markers or falling BMD, to call it a failure; one is
    enough here to ask the physician to look: the conservative reading). Each course is judged
    on its own: after a switch of drug the new course starts its own count, so the alert clears
    once the physician has changed the therapy. A fracture in a course's first months is no
    alert (the drug had no time to act) but still ends SCHED-STABLE-ON-THERAPY
    (`fracture_since_start`).
    """
    fractures = dated_fractures(ctx)
    if not fractures:
        return
    hit_fractures: dict[DatedFracture, None] = {}
    courses: list[Therapy] = []
    for therapy in started(ctx.therapies_with(CourseStatus.ACTIVE)):
        if therapy.start is None:  # started() keeps only courses with a start
            continue
        from_day = add_months(therapy.start, FRACTURE_ON_THERAPY_MIN_MONTHS)
        hits = [f for f in fractures if f.date >= from_day]
        if hits:
            courses.append(therapy)
            hit_fractures.update(dict.fromkeys(hits))
    if not courses:
        return
    seen = "; ".join(f.seen for f in hit_fractures)
    on = " and ".join(f"{t.drug.replace('_', ' ')} since {t.start}" for t in courses)
    switch = (
        " (e.g. to zoledronic acid or denosumab)"
        if all(t.drug in ORAL_BISPHOSPHONATES for t in courses)
        else ""
    )
    ctx.alert(
        AlertCode.FRACTURE_ON_THERAPY,
        Severity.HIGH,
        f"Fragility fracture on therapy: {seen}, after {FRACTURE_ON_THERAPY_MIN_MONTHS} months "
        f"or more of {on}. A possible treatment failure: review adherence, secondary causes of "
        f"osteoporosis and a change of therapy{switch}.",
        [RuleId.FX_ON_THERAPY],
    )
