"""What the printouts and letters say once a patient's follow-up has ended (phys12 F20): the date
and the reason, and that the clinic no longer arranges her scans, so that a summary, a scan
request or a letter printed afterwards never reads as if she were still followed up here."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from patients.models import FollowUpStatus


@dataclass(frozen=True)
class FollowUpEnded:
    day: date | None
    reason: str

    @property
    def when(self) -> str:
        """ "on 2026-12-07 (moved to another region)", or what of it is recorded."""
        day = f" on {self.day:%Y-%m-%d}" if self.day else ""
        reason = f" ({self.reason})" if self.reason else ""
        return f"{day}{reason}"


def follow_up_ended_of(patient: Any) -> FollowUpEnded | None:
    """The end of the patient's follow-up, or None while it is active."""
    if patient.follow_up_status != FollowUpStatus.ENDED:
        return None
    return FollowUpEnded(patient.follow_up_ended_on, patient.follow_up_end_reason.strip())


def printout_text(ended: FollowUpEnded) -> str:
    """The line the summary and the scan request print under the facts."""
    return (
        f"Follow-up ended{ended.when}: the patient is not on the worklist or dashboard, and the "
        "clinic no longer arranges the patient's scans."
    )


# The letters' first sentence under the next steps: (to the patient, to the doctor).
LETTER_TEXT = (
    "We stopped following up your bone health at this clinic{when}.",
    "Follow-up at this clinic ended{when}: we no longer arrange the scans and checks below.",
)
# The patient's next scan once the clinic no longer books it: no invitation to call us to book.
PATIENT_SCAN_TEXT = (
    "Your next bone density scan is due by {due}: please ask the doctor who now looks after "
    "your bones to arrange it.",
    "Your bone density scan was due by {due}: please ask the doctor who now looks after your "
    "bones to arrange it.",
)
