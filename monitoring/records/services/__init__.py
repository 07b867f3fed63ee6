"""Clinical entries: scans, labs, FRAX, therapy, doses, supplements and the monitoring plan.

Each service runs in one transaction that also writes the audit event and reassesses the patient,
so the alerts a nurse sees after saving are those of the data just saved.

A record that must exist once (a lab result per sample, a dose per day, a scan per scanner and day,
the supplements row) is checked under the patient's row lock, so double submits take turns and
the second is refused by the check; the unique index behind each check refuses any writer that
skipped it, and that refusal is turned into the same message (see `guards`).
"""
