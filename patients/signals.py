"""Signals other apps may listen to, so that patients never imports them.

`patient_changed` is sent inside the transaction of every write to a patient's record or AI
courses; the monitoring app reassesses the patient on it, in that same transaction.
"""

from datetime import date
from typing import NamedTuple

from django.dispatch import Signal

# Sent with `patient` (a Patient).
patient_changed = Signal()

# Sent with `patient`; each receiver returns a list of (date, what it is, e.g. "DEXA scan"): at
# least the first and the last dated entry of its app for that patient, not entered in error.
entry_dates_requested = Signal()


class ActiveTreatment(NamedTuple):
    """A treatment whose reminders ending follow-up would stop, in the clinician's words."""

    warning: str  # what is active or pending and when it is due, shown above the form
    # What the physician's tick confirms is arranged elsewhere (it names the follow-on, its date
    # and the risk); "" when ending needs no confirmation for it. The service asks for it again
    # under the patient's lock, and the audit row of the end keeps it.
    confirmation: str = ""


# Sent with `patient`; each receiver returns a list of ActiveTreatment: the treatments whose
# reminders ending follow-up would stop (physician7 F14), and a denosumab course stopped with its
# bisphosphonate follow-on not in place yet (phys12 F1).
active_treatments_requested = Signal()


class OpenAlert(NamedTuple):
    """An open alert as the end-of-follow-up form names it, in the clinician's words."""

    key: str  # identifies this alert at this severity: a changed set of keys is a changed list
    severity: str  # e.g. "Critical"
    message: str
    since: date
    acknowledged: str  # e.g. "acknowledged by Dr Smith on 2026-11-02", or "" if not
    # High or critical: ending follow-up asks for a tick confirming it (physician9 F7).
    serious: bool


# Sent with `patient`; each receiver returns a list of OpenAlert: the patient's open alerts, of
# every severity, worst first, which leave the dashboard and the worklist with the patient when
# follow-up ends (physician9 F7; phys12 F1: a DMAB-STOP warning was not named).
open_alerts_requested = Signal()
# Sent with `patient`; each receiver returns a list of sentences naming what of the patient's care
# is running, planned or open and would vanish with her record if it were marked entered in
# error (a bone therapy course, an open high or critical alert): sec9 F7.
hidden_care_requested = Signal()
