"""Decimal input as clinicians type it, shared by every form that takes a number with decimals.

62.30 kg is 62.3 kg: zeros after the last significant decimal add no precision, so a value whose
only extra decimals are zeros is accepted and kept with the field's places. A value with real extra
precision (62.35 for one decimal place) is still refused, beside the field, saying how many places
the field takes. Stored values are shown without meaningless zeros (a lab typed as 18 is stored as
18.000 and shown as 18 again), and since 18 == 18.000 an unchanged save changes nothing.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

# Django's DecimalValidator codes for too many digits in all or before the point. Where a range
# validator also refused the value, its message ("Height must be between 100 and 230 cm.") says
# what is wrong better than a count of digits, and the count is left out.
_DIGIT_COUNT_CODES = frozenset({"max_digits", "max_whole_digits"})


def plain(number: Decimal) -> str:
    """`number` in positional notation without zeros after its last significant decimal:
    Decimal("18.000") -> "18", Decimal("0.9120") -> "0.912", Decimal("100") -> "100"."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def without_extra_zeros(number: Decimal, places: int) -> Decimal:
    """`number` with at most `places` decimals if only zeros are dropped; otherwise unchanged."""
    if not number.is_finite() or -int(number.as_tuple().exponent) <= places:
        return number
    try:
        shorter = number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than the decimal context holds: refused later
        return number
    return shorter if shorter == number else number


class DecimalField(forms.DecimalField):
    """A decimal number that accepts trailing zeros and says plainly when it has too many places."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        number: Decimal | None = super().to_python(value)
        if number is None or self.decimal_places is None:
            return number
        return without_extra_zeros(number, self.decimal_places)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in self.empty_values or self.decimal_places is None:
            return
        places = -int(value.as_tuple().exponent)
        if places > self.decimal_places:
            allowed = self.decimal_places
            raise forms.ValidationError(
                f"Enter at most {allowed} decimal place{'' if allowed == 1 else 's'} "
                f"(this value has {places}).",
                code="max_decimal_places",
            )

    def run_validators(self, value: Any) -> None:
        try:
            super().run_validators(value)
        except forms.ValidationError as error:
            others = [e for e in error.error_list if e.code not in _DIGIT_COUNT_CODES]
            raise forms.ValidationError(others or error.error_list) from None

    def prepare_value(self, value: Any) -> Any:
        # Only a stored value: what the user typed (a string) is shown back exactly as typed.
        if isinstance(value, Decimal) and value.is_finite():
            return plain(value)
        return super().prepare_value(value)
