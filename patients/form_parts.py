"""What the patient forms and the drug-course forms (here and in monitoring) check alike."""

from datetime import date

from crispy_forms.layout import Div
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from patients.entry_dates import future_date_error

# An aromatase inhibitor's planned duration, said the same on registration and on the course form
# (nurse12 F14: registration said Django's "Ensure this value is less than or equal to 240.").
PLANNED_MONTHS_MAX = 240
PLANNED_MONTHS_REFUSED = f"Enter between 1 and {PLANNED_MONTHS_MAX} months."


def planned_duration_validators() -> list[MinValueValidator | MaxValueValidator]:
    return [
        MinValueValidator(1, PLANNED_MONTHS_REFUSED),
        MaxValueValidator(PLANNED_MONTHS_MAX, PLANNED_MONTHS_REFUSED),
    ]


def not_in_future(value: date | None, what: str) -> None:
    error = future_date_error(value, what)
    if error is not None:
        raise forms.ValidationError(error)


def check_course_dates(form: forms.BaseForm, *, birth_date: date) -> None:
    """Check a drug course's start, stop and stop reason together (AI and bone therapy alike)."""
    data = form.cleaned_data
    start, stop = data.get("start_date"), data.get("stop_date")
    if start and start < birth_date:
        form.add_error("start_date", "The start date is before the patient's date of birth.")
    # A date typed but refused (in the future, not a date) already has its message: asking for it
    # as if empty contradicts the box the user sees filled in (nurse14 #4).
    if stop and not start and "start_date" not in form.errors:
        form.add_error("start_date", "Enter the start date of a course that has stopped.")
    if start and stop and stop < start:
        # Beside the date the user changed (nurse13 #13: a start moved past the stop was blamed
        # on the stop date, untouched); beside the stop date when both or neither changed.
        changed = set(form.changed_data)
        if "start_date" in changed and "stop_date" not in changed:
            form.add_error(
                "start_date", f"The start date is after the stop date ({stop:%Y-%m-%d})."
            )
        else:
            form.add_error("stop_date", "The stop date is before the start date.")
    if data.get("stop_reason") and not stop and "stop_date" not in form.errors:
        form.add_error("stop_date", "Enter the stop date, or clear the stop reason.")


def row(*names: str) -> Div:
    return Div(*[Div(name, css_class="col-md") for name in names], css_class="row")
