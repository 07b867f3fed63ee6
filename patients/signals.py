"""Signals other apps may listen to, so that patients never imports them.

`patient_changed` is sent inside the transaction of every write to a patient's record or AI
courses; the monitoring app reassesses the patient on it, in that same transaction.
"""

from django.dispatch import Signal

# Sent with `patient` (a Patient).
patient_changed = Signal()
