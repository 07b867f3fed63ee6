"""The T-score checks of a scan being entered, for the scan form and both imports alike.

Each measured site is judged on its own (`domain.score_checks.t_score_sign_problem`) and against
the nearest scan of the same site on the same scanner before and after it
(`t_score_change_problem`): a new scan, a back-dated one and the correction of an earlier scan
are compared with their neighbours. The form asks for a tick beside the site; the imports list
each as a problem of its row, to correct in the file or the record (or to enter through the form,
which asks for the tick).
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.domain.score_checks import ScoredBmd, t_score_change_problem, t_score_sign_problem
from monitoring.records import selectors
from monitoring.records.services.scans import Measurement
from patients.models import Patient

# What an import's problem adds to the words: how a value that is right gets in.
IF_RIGHT = "If it is right, enter this scan with the scan form, which asks to confirm it."

# (date, site, BMD, T-score) of one measurement on the scanner, as `selectors.scores_on_scanner`.
Recorded = tuple[date, str, Decimal, Decimal]


def _neighbours(
    recorded: Iterable[Recorded], site: str, day: date
) -> tuple[ScoredBmd | None, ScoredBmd | None]:
    """The latest measurement of `site` before `day` and the earliest after it."""
    before = after = None
    for on, where, bmd, t in sorted(recorded, key=lambda row: row[0]):
        if where != site or on == day:
            continue
        if on < day:
            before = ScoredBmd(on, bmd, t)
        elif after is None:
            after = ScoredBmd(on, bmd, t)
    return before, after


def score_problems(
    *,
    day: date,
    measurements: Mapping[str, Measurement],
    recorded: Iterable[Recorded],
    sites: Collection[str] | None = None,
) -> dict[str, list[str]]:
    """Per site of `measurements` (those in `sites`, all when None), what the checks find
    against the scan's own BMD and the `recorded` scans of the same scanner; only sites with a
    problem are keys."""
    recorded = list(recorded)
    found: dict[str, list[str]] = {}
    for site, m in measurements.items():
        if sites is not None and site not in sites:
            continue
        here = ScoredBmd(day, m.bmd, m.t_score)
        before, after = _neighbours(recorded, site, day)
        where = domain.Site(site)
        problems = [
            t_score_sign_problem(where, m.bmd, m.t_score),
            None if before is None else t_score_change_problem(where, before, here),
            None if after is None else t_score_change_problem(where, here, after),
        ]
        words = [problem for problem in problems if problem is not None]
        if words:
            found[site] = words
    return found


def scan_score_problems(
    *,
    patient: Patient,
    scanner: Any,
    day: date,
    measurements: Mapping[str, Measurement],
    exclude_scan_id: int | None = None,
    sites: Collection[str] | None = None,
) -> dict[str, list[str]]:
    """`score_problems` against the patient's recorded scans on `scanner` (but the one
    corrected, `exclude_scan_id`)."""
    recorded = selectors.scores_on_scanner(
        patient=patient, scanner=scanner, exclude_scan_id=exclude_scan_id
    )
    return score_problems(day=day, measurements=measurements, recorded=recorded, sites=sites)


def added_scans_score_problems(
    *, patient: Patient, scans: Sequence[tuple[date, int, Mapping[str, Measurement]]]
) -> list[dict[str, list[str]]]:
    """`score_problems` of each scan a file adds, (date, scanner id, measurements), against the
    patient's recorded scans on its scanner and the file's other scans on it; in `scans` order."""
    recorded: dict[int, list[Recorded]] = defaultdict(list)
    for scanner_id in {scanner_id for _, scanner_id, _ in scans}:
        recorded[scanner_id] = selectors.scores_on_scanner(patient=patient, scanner=scanner_id)
    for day, scanner_id, measurements in scans:
        recorded[scanner_id] += [(day, site, m.bmd, m.t_score) for site, m in measurements.items()]
    return [
        score_problems(day=day, measurements=measurements, recorded=recorded[scanner_id])
        for day, scanner_id, measurements in scans
    ]


def history_scans_errors(
    *, patient: Patient, added: Sequence[tuple[str, date, int, Mapping[str, Measurement]]]
) -> list[str]:
    """The history import's refusals of the scans it adds, (path, date, scanner id,
    measurements): `added_scans_score_problems`, each named by its path, as a value that
    contradicts the record is refused. The scans are recorded already (in the import's
    transaction): a scan's own rows, on its day, are never its neighbours."""
    found = added_scans_score_problems(
        patient=patient, scans=[(day, scanner, sites) for _, day, scanner, sites in added]
    )
    return [
        f"{path}.sites.{site}.t_score: {message} {IF_RIGHT}"
        for (path, *_), problems in zip(added, found, strict=True)
        for site, words in problems.items()
        for message in words
    ]
