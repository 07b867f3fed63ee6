"""The pieces every entry form shares: a row of fields, a ranged decimal, measured dates."""

from datetime import date
from decimal import Decimal

from crispy_forms.layout import Div
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from bonehealth.audit.decimals import DecimalField
from bonehealth.audit.forms import decimal_input
from patients.entry_dates import future_date_error
from patients.models import Patient


def row(*names: str) -> Div:
    return Div(*[Div(name, css_class="col-md") for name in names], css_class="row")


def ranged_decimal(
    label: str,
    low: Decimal,
    high: Decimal,
    places: int,
    *,
    example: str,
    required: bool = False,
    unit: str = "",
    field_class: type[DecimalField] = DecimalField,
) -> DecimalField:
    """A decimal from `low` to `high` with `places` decimals; `example`, a value that fits it,
    is quoted by its messages. A field that may be negative gets a keyboard with a minus."""
    message = f"Enter a value from {low} to {high}{f' {unit}' if unit else ''}."
    return field_class(
        label=label,
        required=required,
        max_digits=6,
        decimal_places=places,
        validators=[MinValueValidator(low, message), MaxValueValidator(high, message)],
        widget=decimal_input(may_be_negative=low < 0),
        example=example,
    )


class MeasuredDateMixin:
    """Dates of measurements: not in the future and not before the patient's birth."""

    patient: Patient

    def _measured_date(self, value: date | None, what: str) -> date | None:
        if value is None:
            return None
        error = future_date_error(value, what)
        if error is not None:
            raise forms.ValidationError(error)
        if value < self.patient.birth_date:
            raise forms.ValidationError(f"The {what} is before the patient's date of birth.")
        return value
