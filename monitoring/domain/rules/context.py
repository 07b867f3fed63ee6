"""What every rule reads: the history cut at `as_of`, indexed once, and the output collected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter
from typing import NamedTuple

from .. import construct
from ..catalogue import sources_of
from ..dates import age_in_years, window_start, within_months_before
from ..errors import HistoryError
from ..thresholds import DOSE_STILL_ACTING_MONTHS, LAB_VALID_MONTHS, RECENT_START_MONTHS
from ..types import (
    PARENTERAL_DRUGS,
    SITE_ORDER,
    Alert,
    AlertCode,
    Analyte,
    AromataseInhibitorCourse,
    BoneTherapyCourse,
    BoneTherapyDrug,
    DexaScan,
    FraxResult,
    History,
    LabResult,
    Recommendation,
    RecommendationCode,
    RuleId,
    ScheduleItem,
    Severity,
    Site,
    SiteMeasurement,
)


def same_date_rank(lab: LabResult, analytes: Sequence[Analyte]) -> tuple[int, Decimal]:
    """How the rules choose among results of `analytes` of one date (the higher rank wins): the
    first analyte listed (crcl before eGFR), then the lowest value. The spec is silent on the
    lowest; it is the conservative reading for vitamin D, calcium and kidney function alike."""
    return (-analytes.index(lab.analyte), -lab.value)


class CourseStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    STOPPED = "stopped"


def course_status(
    start_date: dt.date | None, stop_date: dt.date | None, as_of: dt.date
) -> CourseStatus:
    """Classify a course on `as_of` (Conventions: Courses)."""
    if stop_date is not None and stop_date <= as_of:
        return CourseStatus.STOPPED
    if start_date is None or start_date > as_of:
        return CourseStatus.PLANNED
    return CourseStatus.ACTIVE


class AiState(StrEnum):
    """Where a patient stands with aromatase inhibitors on a day, for the words said of it: a
    course taken, one to come, only stopped ones, or none recorded (nurse10 4: a patient with no
    course was described as on one)."""

    ACTIVE = "active"
    PLANNED = "planned"
    STOPPED = "stopped"
    NONE = "none"


def ai_state(statuses: Iterable[CourseStatus]) -> AiState:
    """The `AiState` of a patient whose aromatase-inhibitor courses have `statuses`: active
    beats planned, which beats stopped."""
    found = set(statuses)
    if CourseStatus.ACTIVE in found:
        return AiState.ACTIVE
    if CourseStatus.PLANNED in found:
        return AiState.PLANNED
    return AiState.STOPPED if found else AiState.NONE


class Observation(NamedTuple):
    """One site measured on one scan (a NamedTuple: built 15 times per history, cheaply)."""

    date: dt.date
    scanner: str
    measurement: SiteMeasurement


class Therapy(NamedTuple):
    """A bone-therapy course with its status and its doses up to `as_of`."""

    course: BoneTherapyCourse
    position: int
    status: CourseStatus
    doses: tuple[dt.date, ...]

    @property
    def drug(self) -> BoneTherapyDrug:
        return self.course.drug

    @property
    def start(self) -> dt.date | None:
        return self.course.start_date

    @property
    def never_taken(self) -> bool:
        """Tell whether the course was stopped on its start date with no dose recorded.

        The spec is silent on a course of zero days. The conservative reading: it was never
        taken (a start entered, then withdrawn the same day, e.g. for intolerance), so it is not
        a follow-on after denosumab (DMAB-STOP) and not a course started (`started`). A dose
        recorded on it (a single infusion) proves it was given, so such a course still counts.
        """
        start = self.course.start_date
        return start is not None and self.course.stop_date == start and not self.doses

    @property
    def never_given(self) -> bool:
        """Tell whether the course is known never to have been given: never taken (above), or a
        zoledronic acid or denosumab course stopped with no dose recorded (physician8 D1).

        An infusion or injection is recorded as a dose, so a stopped parenteral course without
        one was stopped before it was given (an infusion cancelled): conservative reading, it is
        no follow-on after denosumab (DMAB-STOP). An oral bisphosphonate has no dose records, so
        only `never_taken` can tell that of it. Kept apart from `never_taken`: the schedule counts
        a parenteral course's start as its first dose elsewhere (DMAB-SCHEDULE), and dropping a
        stopped denosumab course with no dose from `started` would drop its own DMAB-STOP.
        """
        if self.never_taken:
            return True
        return (
            self.drug in PARENTERAL_DRUGS and self.status is CourseStatus.STOPPED and not self.doses
        )

    @property
    def last_dose_or_start(self) -> dt.date | None:
        """Return the last dose given by `as_of`, or the start when none was recorded."""
        return self.doses[-1] if self.doses else self.course.start_date


@dataclass(slots=True)
class Context:
    """The history seen from `as_of`: later data dropped, indexed by site and analyte.

    Scans and each site's observations are sorted by date; labs keep their input order.
    """

    history: History
    as_of: dt.date
    age: int
    scans: list[DexaScan]
    by_site: dict[Site, list[Observation]]
    labs: dict[Analyte, list[LabResult]]
    frax: list[FraxResult]
    ai_courses: list[tuple[AromataseInhibitorCourse, CourseStatus]]
    therapies: list[Therapy]
    # The earliest lab date that counts (within LAB_VALID_MONTHS before as_of), computed once.
    lab_window_start: dt.date
    alerts: list[Alert] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    # (due, item) pairs; assess turns the distinct ones into ScheduleEntry values, sorted.
    schedule: list[tuple[dt.date, ScheduleItem]] = field(default_factory=list)

    # --- Courses ------------------------------------------------------------------------------

    @property
    def ai_planned_or_active(self) -> bool:
        return any(status is not CourseStatus.STOPPED for _, status in self.ai_courses)

    @property
    def ai_active(self) -> bool:
        return any(status is CourseStatus.ACTIVE for _, status in self.ai_courses)

    @property
    def ai_state(self) -> AiState:
        return ai_state(status for _, status in self.ai_courses)

    @property
    def ai_start(self) -> dt.date | None:
        """Return the earliest start of any AI course (a future start included)."""
        starts = [course.start_date for course, _ in self.ai_courses if course.start_date]
        return min(starts) if starts else None

    def therapies_with(self, *statuses: CourseStatus) -> list[Therapy]:
        return [therapy for therapy in self.therapies if therapy.status in statuses]

    @property
    def antiresorptive_active(self) -> bool:
        return any(t.status is CourseStatus.ACTIVE for t in self.therapies)

    @property
    def antiresorptive_planned_or_active(self) -> bool:
        return any(t.status is not CourseStatus.STOPPED for t in self.therapies)

    def planned_or_recently_started(self, therapy: Therapy) -> bool:
        """Tell "planned or started within 3 months" (Conventions: Dates).

        A course started within 3 months counts even if it was stopped since: the conservative
        reading, as the drug was given recently.
        """
        if therapy.status is CourseStatus.PLANNED:
            return True
        start = therapy.start
        return start is not None and within_months_before(start, RECENT_START_MONTHS, self.as_of)

    def parenteral_planned_or_recent(self) -> list[Therapy]:
        """Zoledronic acid or denosumab courses planned or started within 3 months."""
        return [
            t
            for t in self.therapies
            if t.drug in PARENTERAL_DRUGS and self.planned_or_recently_started(t)
        ]

    def counts_for_hypocalcaemia(self, therapy: Therapy) -> bool:
        """Tell whether `therapy` counts for the hypocalcaemia checks (CA-LOW; RENAL's denosumab).

        The spec names planned and active courses and is silent about stopped ones. The
        conservative reading, stated here once: a stopped zoledronic acid or denosumab course
        still counts while its last dose (or its start, with no dose recorded) is within its
        dosing interval before `as_of` (DOSE_STILL_ACTING_MONTHS), as that dose keeps acting and
        the hypocalcaemia risk is greatest in the weeks after it. Not for the pre-infusion renal
        checks of zoledronic acid: a stopped course will not be infused again.
        """
        if therapy.status is not CourseStatus.STOPPED:
            return True
        months = DOSE_STILL_ACTING_MONTHS.get(therapy.drug)
        last = therapy.last_dose_or_start
        return (
            months is not None
            and last is not None
            and within_months_before(last, months, self.as_of)
        )

    # --- Labs ---------------------------------------------------------------------------------

    def recent_lab(self, *analytes: Analyte) -> LabResult | None:
        """Return the latest result of `analytes` dated within 12 months before `as_of`; with
        several on the latest date, the one `same_date_rank` puts first."""
        best: LabResult | None = None
        best_key: tuple[dt.date, int, Decimal] | None = None
        first_day = self.lab_window_start  # labs after as_of were dropped by build_context
        for analyte in analytes:
            for lab in self.labs.get(analyte, ()):
                if lab.date < first_day:
                    continue
                key = (lab.date, *same_date_rank(lab, analytes))
                if best_key is None or key > best_key:
                    best, best_key = lab, key
        return best

    # --- Output -------------------------------------------------------------------------------

    def alert(
        self,
        code: AlertCode,
        severity: Severity,
        message: str,
        rules: Sequence[RuleId],
        *,
        site: Site | None = None,
        sources: tuple[str, ...] | None = None,
    ) -> None:
        rule_ids = tuple(rules)
        self.alerts.append(
            construct.alert(
                code=code,
                severity=severity,
                message=message,
                rules=rule_ids,
                sources=sources if sources is not None else sources_of(rule_ids),
                site=site,
            )
        )

    def recommend(
        self,
        code: RecommendationCode,
        message: str,
        rules: Sequence[RuleId],
        *,
        due: dt.date | None = None,
    ) -> None:
        rule_ids = tuple(rules)
        self.recommendations.append(
            construct.recommendation(
                code=code, message=message, rules=rule_ids, sources=sources_of(rule_ids), due=due
            )
        )

    def raised(self, code: AlertCode) -> bool:
        """Tell whether a rule run before this one raised `code`."""
        return any(alert.code is code for alert in self.alerts)

    def plan(self, item: ScheduleItem, due: dt.date) -> None:
        self.schedule.append((due, item))


_by_date = attrgetter("date")


def build_context(history: History, as_of: dt.date) -> Context:
    """Cut `history` at `as_of` and index it; raise HistoryError on a site measured twice a day."""
    scans = [s for s in history.dexa_scans if s.date <= as_of]
    scans.sort(key=_by_date)
    if len(scans) > 1 and len({scan.date for scan in scans}) < len(scans):
        # Two scans on one date: only then can a site be measured twice on a date.
        _check_one_measurement_a_day(history, scans)
    by_site: dict[Site, list[Observation]] = {}
    for site in SITE_ORDER:
        observations = [
            _observation(Observation, (scan.date, scan.scanner, measurement))
            for scan in scans
            if (measurement := scan.sites.get(site)) is not None
        ]
        if observations:
            by_site[site] = observations

    # Grouped in input order, not sorted: recent_lab takes a maximum, which the order does not
    # change (ties go to the first, as a stable sort by date would keep them), and the BTM rules,
    # which need date order, sort the two analytes they read.
    labs: dict[Analyte, list[LabResult]] = {}
    for lab in history.labs:
        if lab.date > as_of:
            continue
        same = labs.get(lab.analyte)
        if same is None:
            labs[lab.analyte] = [lab]
        else:
            same.append(lab)

    therapies = [
        Therapy(
            course=course,
            position=index,
            status=course_status(course.start_date, course.stop_date, as_of),
            doses=tuple(sorted(d for d in course.doses if d <= as_of)),
        )
        for index, course in enumerate(history.bone_therapy)
    ]
    return Context(
        history=history,
        as_of=as_of,
        age=age_in_years(history.patient.birth_date, as_of),
        scans=scans,
        by_site=by_site,
        labs=labs,
        frax=[f for f in history.frax if f.date <= as_of],
        ai_courses=[
            (course, course_status(course.start_date, course.stop_date, as_of))
            for course in history.aromatase_inhibitors
        ],
        therapies=therapies,
        lab_window_start=window_start(LAB_VALID_MONTHS, as_of),
    )


# tuple.__new__ builds the NamedTuple without the Python-level __new__ (15 per history).
_observation = tuple.__new__


def _check_one_measurement_a_day(history: History, scans: list[DexaScan]) -> None:
    """Raise HistoryError at the first site measured twice on one date (scans sorted by date)."""
    last_date: dict[Site, dt.date] = {}
    for scan in scans:
        for site in SITE_ORDER:
            if scan.sites.get(site) is None:
                continue
            if last_date.get(site) == scan.date:
                index = next(i for i, s in enumerate(history.dexa_scans) if s is scan)
                raise HistoryError(
                    f"dexa_scans[{index}].sites.{site}",
                    f"a second measurement of {site} on {scan.date.isoformat()}",
                )
            last_date[site] = scan.date


def started(therapies: Iterable[Therapy]) -> list[Therapy]:
    """Return the courses that have started (start on or before `as_of`), earliest first.

    A course never taken (stopped on its start date, no dose: `Therapy.never_taken`) is left out.
    """
    found = [
        t
        for t in therapies
        if t.start is not None and t.status is not CourseStatus.PLANNED and not t.never_taken
    ]
    if len(found) > 1:  # usually one course or none: nothing to sort
        found.sort(key=_start_then_position)
    return found


def _start_then_position(therapy: Therapy) -> tuple[dt.date, int]:
    return (therapy.start or dt.date.min, therapy.position)
