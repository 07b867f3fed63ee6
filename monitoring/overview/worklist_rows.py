"""The rows of the worklist's page, each a `{% cache %}` fragment (monitoring/_worklist_table.html).

The page's lists are one cached part (`overview_cache`), drawn afresh after any change at the
user's sites; drawing its 100 rows took 28 ms of a first view's 85 ms at 10,000 patients (bench/
README.md, "Worklist rows cached"). A row is keyed by what it shows: its patient's
`records_version` (raised in the writer's transaction by every change to the patient record, to
their courses, alerts and schedule: the name, MRN, birth date and "Record dose" course shown),
the name of the patient's site, the row's own item, due date and measures, today's date (what is
overdue, how many days) and the viewer's permissions (the links). The versions are read from the
database on every view, before anything they key, so the fragments are correct in every process.
After a change only the changed patient's rows are drawn; a row found in the cache reads nothing
more, the others read their patients and courses, all of them in one query each, on the first miss.
A patient without a stored assessment (or one stored without its site) has no key: their rows are
drawn on every view.
"""

import datetime as dt
import functools
import hashlib
from collections.abc import Sequence
from typing import Any

from monitoring.overview import selectors as overview

DOSE_DRUG = {"denosumab_dose": "denosumab", "zoledronic_acid_dose": "zoledronic_acid"}


class RowData:
    """The patients (with sites) and current dosed courses of the page's rows, read when a row
    has to be drawn."""

    def __init__(self, patient_ids: list[int]) -> None:
        self.patient_ids = patient_ids

    @functools.cache  # noqa: B019 (one object per request)
    def patients(self) -> dict[int, Any]:
        return overview.patients_with_sites(self.patient_ids)

    @functools.cache  # noqa: B019 (one object per request)
    def courses(self) -> dict[tuple[int, str], int]:
        return overview.current_dosed_courses(self.patient_ids)


class WorklistRow:
    """One row (a schedule's item or the work open alerts ask for), with what the row template
    reads: `due`, `item`, `patient_id`, `get_item_display`, `overdue`, `days_late`, `days_left`,
    `patient` and `dose_course` (read on a miss), and `row_key` (None: not cached)."""

    def __init__(self, source: Any, today: dt.date, row_key: str | None, data: RowData) -> None:
        self.source, self.row_key, self._data = source, row_key, data
        self.patient_id: int = source.patient_id
        self.item: str = source.item
        self.due: dt.date = source.due
        self.days_late = (today - self.due).days
        self.days_left = -self.days_late
        self.overdue = self.days_late > 0

    def get_item_display(self) -> str:
        return str(self.source.get_item_display())

    @property
    def patient(self) -> Any:
        return self._data.patients()[self.patient_id]

    @property
    def dose_course(self) -> int | None:
        return self._data.courses().get((self.patient_id, DOSE_DRUG.get(self.item, "")))


def worklist_rows(
    sources: list[Sequence[Any]], *, today: dt.date, permissions: str
) -> list[list[WorklistRow]]:
    """The rows of each list in `sources` (items read without their patients), keyed for
    `{% cache %}`; the versions of all their patients in one query."""
    ids = list(dict.fromkeys(source.patient_id for rows in sources for source in rows))
    versions = overview.records_versions(ids)
    data = RowData(ids)
    viewer = [today.isoformat(), permissions]

    def key(source: Any) -> str | None:
        version, site_name = versions.get(source.patient_id, (None, None))
        if version is None or site_name is None:
            return None
        measures = ",".join(sorted(getattr(source, "measure", [])))
        parts = [str(source.patient_id), str(version), site_name, source.item, str(source.due)]
        return hashlib.sha256("\n".join([*parts, measures, *viewer]).encode()).hexdigest()

    return [[WorklistRow(source, today, key(source), data) for source in rows] for rows in sources]
