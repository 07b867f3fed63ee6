"""The entry checks of a scan's values, for the scan form and both imports alike.

Each measured site is judged on its own (`domain.score_checks.t_score_sign_problem`) and against
the nearest scan of the same site on the same scanner before and after it: its T-score against
the BMD change (`t_score_change_problem`), and a BMD change of at least the site's LSC on that
scanner within `SHORT_REPEAT_DAYS` (`short_repeat_change_problem`, nurse13 #2). A new scan, a
back-dated one and the correction of an earlier scan are compared with their neighbours. The form
asks for a tick beside the site; the imports list each as a problem of its row, to correct in the
file or the record (or to enter through the form, which asks for the tick).
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from monitoring import domain
from monitoring.domain.score_checks import (
    ScoredBmd,
    short_repeat_change_problem,
    t_score_change_problem,
    t_score_sign_problem,
)
from monitoring.domain.thresholds import DEFAULT_LSC_G_CM2
from monitoring.models import Scanner
from monitoring.records import selectors
from monitoring.records.services.scans import Measurement
from patients.models import Patient

# What an import's problem adds to the words: how a value that is right gets in.
IF_RIGHT = "If it is right, enter this scan with the scan form, which asks to confirm it."

# (date, site, BMD, T-score) of one measurement on the scanner, as `selectors.scores_on_scanner`.
Recorded = tuple[date, str, Decimal, Decimal]


class Question(NamedTuple):
    """What a check asks about a site's values: `words`, about its `part` ("bmd" or
    "t_score"), beside which the form shows them."""

    part: str
    words: str


# Per site with a question, the questions (sites without one are not keys).
Questions = dict[str, list[Question]]


def site_lscs(scanner: Scanner) -> dict[str, Decimal]:
    """The LSC of each site on `scanner`, as CHG-LSC takes it: its precision study's, else the
    default."""
    own = scanner.lsc_by_site()
    return {
        site.value: Decimal(str(own[site.value])) if site.value in own else default
        for site, default in DEFAULT_LSC_G_CM2.items()
    }


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
    lscs: Mapping[str, Decimal],
    sites: Collection[str] | None = None,
) -> Questions:
    """Per site of `measurements` (those in `sites`, all when None), what the checks ask
    against the scan's own BMD and the `recorded` scans of the same scanner, whose LSC of each
    site `lscs` gives; only sites with a question are keys."""
    recorded = list(recorded)
    found: Questions = {}
    for site, m in measurements.items():
        if sites is not None and site not in sites:
            continue
        here = ScoredBmd(day, m.bmd, m.t_score)
        before, after = _neighbours(recorded, site, day)
        where = domain.Site(site)
        pairs = [(before, here)] if before is not None else []
        pairs += [(here, after)] if after is not None else []
        asked = [("t_score", t_score_sign_problem(where, m.bmd, m.t_score))]
        asked += [("t_score", t_score_change_problem(where, *pair)) for pair in pairs]
        asked += [("bmd", short_repeat_change_problem(*pair, lscs[site])) for pair in pairs]
        questions = [Question(part, words) for part, words in asked if words is not None]
        if questions:
            found[site] = questions
    return found


def scan_score_problems(
    *,
    patient: Patient,
    scanner: Scanner,
    day: date,
    measurements: Mapping[str, Measurement],
    exclude_scan_id: int | None = None,
    sites: Collection[str] | None = None,
) -> Questions:
    """`score_problems` against the patient's recorded scans on `scanner` (but the one
    corrected, `exclude_scan_id`)."""
    recorded = selectors.scores_on_scanner(
        patient=patient, scanner=scanner, exclude_scan_id=exclude_scan_id
    )
    return score_problems(
        day=day,
        measurements=measurements,
        recorded=recorded,
        lscs=site_lscs(scanner),
        sites=sites,
    )


def added_scans_score_problems(
    *, patient: Patient, scans: Sequence[tuple[date, int, Mapping[str, Measurement]]]
) -> list[Questions]:
    """`score_problems` of each scan a file adds, (date, scanner id, measurements), against the
    patient's recorded scans on its scanner and the file's other scans on it; in `scans` order."""
    scanner_ids = {scanner_id for _, scanner_id, _ in scans}
    lscs = {pk: site_lscs(scanner) for pk, scanner in Scanner.objects.in_bulk(scanner_ids).items()}
    recorded: dict[int, list[Recorded]] = defaultdict(list)
    for scanner_id in scanner_ids:
        recorded[scanner_id] = selectors.scores_on_scanner(patient=patient, scanner=scanner_id)
    for day, scanner_id, measurements in scans:
        recorded[scanner_id] += [(day, site, m.bmd, m.t_score) for site, m in measurements.items()]
    return [
        score_problems(
            day=day,
            measurements=measurements,
            recorded=recorded[scanner_id],
            lscs=lscs[scanner_id],
        )
        for day, scanner_id, measurements in scans
    ]


def history_scans_errors(
    *, patient: Patient, added: Sequence[tuple[str, date, int, Mapping[str, Measurement]]]
) -> list[str]:
    """The history import's refusals of the scans it adds, (path, date, scanner id,
    measurements): `added_scans_score_problems`, each named by its path and the value asked
    about, as a value that contradicts the record is refused. The scans are recorded already (in
    the import's transaction): a scan's own rows, on its day, are never its neighbours."""
    found = added_scans_score_problems(
        patient=patient, scans=[(day, scanner, sites) for _, day, scanner, sites in added]
    )
    return [
        f"{path}.sites.{site}.{question.part}: {question.words} {IF_RIGHT}"
        for (path, *_), problems in zip(added, found, strict=True)
        for site, questions in problems.items()
        for question in questions
    ]
