"""Signals other apps may listen to, so that patients never imports them.

`patient_changed` is sent inside the transaction of every write to a patient's record or AI
courses; the monitoring app reassesses the patient on it, in that same transaction.
"""

from django.dispatch import Signal

# Sent with `patient` (a Patient).
patient_changed = Signal()

# Sent with `patient`; each receiver returns the latest dated entry of its app for that patient, as
# (date, what it is, e.g. "DEXA scan"), or None. Entries marked in error do not count.
latest_entry_requested = Signal()
