"""Work the open alerts ask for, as worklist rows beside the rules' schedule.

The rules' schedule (`ScheduledItem`) holds what falls due by date: scans, doses, marker checks and
the vitamin D recheck after repletion (planned by the rules with the repletion). Some work is
asked for by an alert instead, and is due from the day the alert was raised until it clears:
a dental review before an antiresorptive, bloods before an infusion, a therapy decision awaiting a
physician. These rows are derived here from the open alerts, so the rules' output is unchanged.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from patients.models import Patient

DENTAL, BLOODS, DECISION = "dental_review", "bloods_before_infusion", "therapy_decision"

LABELS = {
    DENTAL: "Dental review before the antiresorptive",
    BLOODS: "Bloods before the infusion",
    DECISION: "Therapy decision (physician)",
}

# alert code -> (the work it asks for, what to measure for bloods)
WORK_OF_ALERT = {
    "DENTAL_REVIEW_MISSING": (DENTAL, ""),
    "CALCIUM_NOT_MEASURED": (BLOODS, "calcium"),
    "RENAL_FUNCTION_UNKNOWN": (BLOODS, "renal function"),
    "BONE_THERAPY_INDICATED": (DECISION, ""),
    "DENOSUMAB_STOPPED_NO_FOLLOW_ON": (DECISION, ""),
    "BISPHOSPHONATE_DURATION_REVIEW": (DECISION, ""),
    "BTM_RESPONSE_INADEQUATE": (DECISION, ""),
}
# A therapy decision is made when a physician acknowledges the alert (high alerts need one); the
# other work is done when the alert clears (a dental review or a result recorded).
UNTIL_ACKNOWLEDGED = {DECISION}


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


def alert_work_rows(alerts: Iterable[Mapping[str, Any]]) -> list[AlertWork]:
    """Rows from open alerts (`patient_id`, `code`, `raised_at`, `acknowledged_at`), the longest
    waiting first: one per patient and kind of work, due since its oldest alert was raised."""
    rows: dict[tuple[int, str], AlertWork] = {}
    for alert in alerts:
        kind, measure = WORK_OF_ALERT[str(alert["code"])]
        if kind in UNTIL_ACKNOWLEDGED and alert["acknowledged_at"] is not None:
            continue
        raised = timezone.localdate(alert["raised_at"])
        patient_id = int(alert["patient_id"])
        row = rows.setdefault((patient_id, kind), AlertWork(patient_id, kind, raised))
        row.due = min(row.due, raised)
        if measure and measure not in row.measure:
            row.measure.append(measure)
    return sorted(rows.values(), key=lambda r: (r.due, r.item, r.patient_id))
