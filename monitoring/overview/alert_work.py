"""Work the open alerts ask for, as worklist rows beside the rules' schedule.

The rules' schedule (`ScheduledItem`) holds what falls due by date: scans, doses, marker checks and
the vitamin D recheck after repletion (planned by the rules with the repletion). Some work is
asked for by an alert instead, and is due from the day the alert was raised until it clears:
a dental review before an antiresorptive, bloods before one (a zoledronic acid infusion, a
denosumab injection, an oral bisphosphonate's start), a therapy decision awaiting a physician (a
nurse's note that she has seen the alert leaves it waiting; a contraindicated drug or a dose held
for a low calcium is one). Denosumab stopped with zoledronic acid started as its follow-on asks for
the infusion, a row of the schedule, not for a decision: the rules say so with their own code
(DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED, not one of the decision codes), read here as stored. These
rows are derived here from the open alerts, so the rules' output is unchanged.

An alert may ask for two kinds of work (`FURTHER_WORK`): a critical HYPOCALCEMIA asks a physician
to hold the dose (a therapy decision) and the nurse to correct the calcium and check it again, as
a plain CALCIUM_LOW does (clinicians: the critical one put no such row on the worklist). The rows
are grouped in the database in two parts whose kinds of work no code shares (`PARTS`), joined by
a union (the ORM's; no hand-written SQL).
"""

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django.db.models import Case, CharField, Max, Min, QuerySet, Value, When
from django.db.models.functions import TruncDate

from bonehealth.accounts.models import User
from monitoring.assessment.permissions import DECIDE_THERAPY_PERMISSION, THERAPY_DECISION_CODES
from monitoring.labels import LOW_CALCIUM_LABEL
from monitoring.models import Alert
from monitoring.overview.urgency import alert_tier
from patients.models import Patient

# (The bloods' key keeps its old name: denosumab is an injection, so its label no longer says
# "infusion", physician10 F10.)
DENTAL, BLOODS, DECISION = "dental_review", "bloods_before_infusion", "therapy_decision"
LOW_CALCIUM = "low_calcium"
HIGH_CALCIUM = "high_calcium"

LABELS = {
    DENTAL: "Dental review before the antiresorptive",
    BLOODS: "Bloods before the antiresorptive",
    DECISION: "Therapy decision (physician)",
    LOW_CALCIUM: LOW_CALCIUM_LABEL,  # the patient page's advice says the same (phys13 #10)
    HIGH_CALCIUM: "High calcium: physician review today",
}

# alert code -> (the work it asks for, what to measure for bloods)
WORK_OF_ALERT = {
    "DENTAL_REVIEW_MISSING": (DENTAL, ""),
    "CALCIUM_NOT_MEASURED": (BLOODS, "calcium"),
    "RENAL_FUNCTION_UNKNOWN": (BLOODS, "renal function"),
    # nurse10 F1: a low calcium CA-LOW does not judge (CA-LOW-OTHER) is work until a normal
    # calcium clears it; whether to hold an oral bisphosphonate is the alert's (high: a physician).
    "CALCIUM_LOW": (LOW_CALCIUM, ""),
    # nurse13 #1: a high calcium (CA-HIGH, high or critical) asks a physician to review it the
    # same day; the review is done when a physician acknowledges the alert (with the note of what
    # was decided), as a therapy decision is.
    "CALCIUM_HIGH": (HIGH_CALCIUM, ""),
    # Who decides, and which alerts ask for a decision: monitoring.assessment.permissions.
    **{code: (DECISION, "") for code in sorted(THERAPY_DECISION_CODES)},
}
# alert code -> the work it asks for beside that of WORK_OF_ALERT (a kind no other code of
# WORK_OF_ALERT asks for beside its own: `PARTS`)
FURTHER_WORK = {
    # CA-LOW's critical low calcium: the physician holds the dose (WORK_OF_ALERT), the nurse
    # has it corrected and checks it again, as for CALCIUM_LOW.
    "HYPOCALCEMIA": (LOW_CALCIUM, ""),
}
# (alert code, the work it asks for, what to measure for bloods), every pair
WORK_ASKED = [
    *((code, kind, measure) for code, (kind, measure) in WORK_OF_ALERT.items()),
    *((code, kind, measure) for code, (kind, measure) in FURTHER_WORK.items()),
]
# the work -> the alerts asking for it (their worst is the row's severity: urgency.py)
WORK_ALERTS = {
    kind: frozenset(code for code, work, _m in WORK_ASKED if work == kind) for kind in LABELS
}
# The kinds of work grouped apart (those of FURTHER_WORK) and the rest: in each part every code
# asks for one kind of work, so a GROUP BY of the kind per part makes one row per patient and kind.
_APART = frozenset(kind for kind, _m in FURTHER_WORK.values())
PARTS = [frozenset(LABELS) - _APART, _APART]


def _part_codes(kinds: Collection[str]) -> dict[str, tuple[str, str]]:
    """alert code -> (its work, what to measure) among the work `kinds` of one part."""
    found: dict[str, tuple[str, str]] = {}
    for code, kind, measure in WORK_ASKED:
        if kind in kinds:
            if code in found:  # PARTS keep each code to one kind of work per part
                raise ValueError(f"{code} asks for two kinds of work in one part")
            found[code] = (kind, measure)
    return found


# A therapy decision is made when one who may decide therapy (a physician) acknowledges the alert:
# only theirs sets `acknowledged_at` (a nurse's sets `seen_at`); the other work is done when the
# alert clears (a dental review or a result recorded).
UNTIL_ACKNOWLEDGED = {DECISION, HIGH_CALCIUM}
# The work -> the permission of the form that does it (a viewer without it can only look).
WORK_PERMISSION = {
    DENTAL: "monitoring.record_dental_review",
    BLOODS: "monitoring.add_labresult",
    LOW_CALCIUM: "monitoring.add_labresult",
    HIGH_CALCIUM: "monitoring.acknowledge_high_alert",
    DECISION: DECIDE_THERAPY_PERMISSION,
}


def work_doable_by(user: User) -> frozenset[str]:
    """The kinds of alert work `user` can do (a nurse: the dental review and the bloods, and
    the check of a low calcium)."""
    return frozenset(
        kind for kind, permission in WORK_PERMISSION.items() if user.has_perm(permission)
    )


@dataclass
class AlertWork:
    """One worklist row asked for by open alerts: one patient, one kind of work."""

    patient_id: int
    item: str
    due: dt.date
    measure: list[str] = field(default_factory=list)  # bloods: calcium, renal function
    patient: Patient | None = None

    def get_item_display(self) -> str:
        label = LABELS[self.item]
        return f"{label} ({', '.join(sorted(self.measure))})" if self.measure else label


WorkRows = QuerySet[Any, Any]  # rows of `values()`: patient_id, item, due, needs_N
MEASURES = sorted({measure for _code, _kind, measure in WORK_ASKED if measure})


def _part_rows(
    alerts: QuerySet[Alert], kinds: Collection[str], doable: Collection[str]
) -> WorkRows:
    """The rows of `alert_work_rows` of the work `kinds` of one part, unordered."""
    asked = _part_codes(kinds)
    decided = [code for code, (kind, _m) in asked.items() if kind in UNTIL_ACKNOWLEDGED]
    mine = [code for code, (kind, _m) in asked.items() if kind in doable]
    whens = [When(code=code, then=Value(kind)) for code, (kind, _m) in asked.items()]
    return (
        alerts.filter(code__in=sorted(asked))
        .exclude(code__in=decided, acknowledged_at__isnull=False)
        .annotate(item=Case(*whens, output_field=CharField()))
        .values("patient_id", "item")
        .annotate(
            due=Min(TruncDate("raised_at")),
            yours=Max(Case(When(code__in=mine, then=1), default=0)),
            tier=Max(alert_tier()),
            **{
                f"needs_{index}": Max(
                    Case(
                        When(code__in=[c for c, (_k, m) in asked.items() if m == measure], then=1),
                        default=0,
                    )
                )
                for index, measure in enumerate(MEASURES)
            },
        )
        .order_by()
    )


def alert_work_rows(
    alerts: QuerySet[Alert], doable: Collection[str] = frozenset(LABELS)
) -> WorkRows:
    """One row per patient and kind of work (`patient_id`, `item`, `due`, a flag per measure)
    from the open alerts in `alerts`: the kinds of work in `doable` (those the viewer can do)
    first, then the rest (`yours`); in each, those asked for by a critical, then a high alert
    first (`tier`, urgency.py), each group the longest waiting first, grouped by the database (a
    clinic has thousands of such alerts; a page shows 50 rows): due since the day (local time)
    its oldest alert was raised. A therapy decision is no longer asked for once acknowledged
    (the low calcium a HYPOCALCEMIA asks the nurse to correct is, until the alert clears)."""
    first, *rest = [_part_rows(alerts, kinds, doable) for kinds in PARTS]
    return first.union(*rest, all=True).order_by("-yours", "-tier", "due", "item", "patient_id")


def as_alert_work(row: Mapping[str, Any]) -> AlertWork:
    measures = [m for index, m in enumerate(MEASURES) if row[f"needs_{index}"]]
    return AlertWork(row["patient_id"], row["item"], row["due"], measures)


class AlertWorkList(Sequence[AlertWork]):
    """The rows of `alert_work_rows` as `AlertWork`, read a slice at a time (a Paginator's page)
    or all at once (the CSV and the printout). `preload` reads a page and the number of all rows
    in two queries, whatever their number (a union of grouped parts takes no window function,
    so the count is its own query: each groups every open alert of the user's patients)."""

    def __init__(self, rows: WorkRows) -> None:
        self.rows = rows
        self._total: int | None = None
        self._slices: dict[tuple[int, int], list[AlertWork]] = {}

    def preload(self, start: int, stop: int) -> None:
        """Read rows `start` to `stop` and the number of all rows, in two queries whatever the
        rows (the worklist's query count stays the same)."""
        self._slices[(start, stop)] = [as_alert_work(row) for row in self.rows[start:stop]]
        self._total = self.rows.count()

    def count(self) -> int:  # type: ignore[override]
        if self._total is None:
            self._total = self.rows.count()
        return self._total

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> AlertWork: ...
    @overload
    def __getitem__(self, index: slice) -> list[AlertWork]: ...
    def __getitem__(self, index: int | slice) -> AlertWork | list[AlertWork]:
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop
            for (first, last), known in self._slices.items():
                # A page within one read (a Paginator shortens the last page to the count).
                if index.step is None and stop is not None and first <= start <= stop <= last:
                    return known[start - first : stop - first]
            return [as_alert_work(row) for row in self.rows[index]]
        return as_alert_work(self.rows[index])

    def __iter__(self) -> Iterator[AlertWork]:
        return (as_alert_work(row) for row in self.rows.iterator(chunk_size=500))
