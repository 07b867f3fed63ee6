"""Data in: results CSV files, JSON patient histories and FHIR laboratory bundles.

Every import is a dry run first (`preview`) and writes only when confirmed (`confirm`), each time
validating the whole file again: nothing is written unless every row is sound. A user imports only
into patients they may see (`patients.selectors.patients_for_user`); any other MRN is a problem of
the file, never shown as existing.

- `files`: reading an upload (size, encoding, formula-like cells) and the problems of a file;
- `results_csv`: the results CSV (one row per measurement) as readings;
- `fhir`: a FHIR R4 Bundle of laboratory Observations as readings;
- `plan`: readings checked against the patients and records: what would be created or skipped;
- `writing`: a plan written through the entry services, in one transaction, audited;
- `history_upload`: a JSON history (import_history's format), dry run by rollback;
- `pending`, `views`, `forms`: the upload, preview and confirm pages.
"""
