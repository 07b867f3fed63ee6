"""Read-only pages over the records: dashboard, worklist, patient page, charts, printouts."""
