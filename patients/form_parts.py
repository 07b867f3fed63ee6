"""What the patient forms and the drug-course forms (here and in monitoring) check alike."""

from datetime import date

from crispy_forms.layout import Div
from django import forms

from patients.entry_dates import future_date_error


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
    if stop and not start:
        form.add_error("start_date", "Enter the start date of a course that has stopped.")
    if start and stop and stop < start:
        form.add_error("stop_date", "The stop date is before the start date.")
    if data.get("stop_reason") and not stop:
        form.add_error("stop_date", "Enter the stop date, or clear the stop reason.")


def row(*names: str) -> Div:
    return Div(*[Div(name, css_class="col-md") for name in names], css_class="row")
