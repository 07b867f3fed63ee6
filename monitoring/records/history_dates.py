"""Dates of an imported history that its entry forms would refuse: after today.

A history records what happened, so the dates its forms refuse in the future (a scan, a lab, a
FRAX, a dose, a dental review, a stop, a diagnosis or fracture, the day a plan was set) are
refused in a file too, in the forms' words (`patients.entry_dates`), one line each: a year typed
wrong (2027 for 2025) would otherwise become the patient's latest scan or a dental check met.
A course's start may be in the future on its form (a planned course), and so in a file; the plan's
next DEXA is a date to come by nature; `as_of` is not a record.
"""

from collections.abc import Iterator
from datetime import date

from monitoring import domain
from patients.entry_dates import future_date_error


def _happened(history: domain.History) -> Iterator[tuple[str, date | None, str]]:
    """Yield each date of the file that records a past event: its path, the date, and the name
    its entry form gives the field."""
    patient = history.patient
    yield "patient.birth_date", patient.birth_date, "date of birth"
    yield (
        "patient.breast_cancer_diagnosis_date",
        patient.breast_cancer_diagnosis_date,
        ("diagnosis date"),
    )
    yield (
        "patient.risk_factors.prior_fracture_date",
        patient.risk_factors.prior_fracture_date,
        ("fracture date"),
    )
    for i, ai in enumerate(history.aromatase_inhibitors):
        yield f"aromatase_inhibitors[{i}].stop_date", ai.stop_date, "stop date"
    for i, scan in enumerate(history.dexa_scans):
        yield f"dexa_scans[{i}].date", scan.date, "scan date"
    for i, lab in enumerate(history.labs):
        yield f"labs[{i}].date", lab.date, "sample date"
    for i, frax in enumerate(history.frax):
        yield f"frax[{i}].date", frax.date, "FRAX date"
    for i, course in enumerate(history.bone_therapy):
        yield f"bone_therapy[{i}].stop_date", course.stop_date, "stop date"
        yield (
            f"bone_therapy[{i}].dental_review_date",
            course.dental_review_date,
            ("dental review date"),
        )
        for j, dose in enumerate(course.doses):
            yield f"bone_therapy[{i}].doses[{j}]", dose, "dose date"
    if history.plan is not None:
        # The plan form has no such field (a plan is set when saved); the file's day the plan
        # was set is a past decision all the same.
        yield "plan.set_on", history.plan.set_on, "day the plan was set"


def future_dated(history: domain.History) -> list[str]:
    """A `path: problem` line for each date of the file after today (none: an empty list)."""
    lines = []
    for path, day, what in _happened(history):
        error = future_date_error(day, what)
        if error is not None and day is not None:
            lines.append(f"{path}: {day:%Y-%m-%d} is after today; {error[0].lower()}{error[1:]}")
    return lines
