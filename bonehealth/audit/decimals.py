"""Decimal input as clinicians type it, shared by every form that takes a number with decimals
and by the results CSV import.

The one rule (nurse11 F9: the forms took 0,952 while their messages said "with a dot" and the CSV
refused 81,5): a decimal comma is a decimal point, except where it could be a thousands separator;
no number is written with a thousands separator. A nurse in most of Europe writes 62,5 and reads it
on the lab report she copies from; refusing it would make her retype half her values, and her
reading of "62,5" is never in doubt. So a value with a single comma and no dot (62,5 or -1,5 or
0,912) is taken as 62.5, -1.5, 0.912. A comma that could be an English thousands separator is
refused, what was typed kept, with the fix in words: two or more commas, a comma and a dot
(1,000.5 or 1.000,5), and 1,000 or 12,345 (one to three digits, not starting with 0, then exactly
three: 1.000 or 1000?). No clinical value is written with a thousands separator, and a guess
either way would store a number a thousand times off. No message tells a user to use a dot: the
examples show both separators (-1.5 or -1,5), and each field's example fits the field (a BMD's is
0.912, never 62.5). The boxes are text boxes (`bonehealth.audit.forms.decimal_input`), not
`type="number"`: Chromium drops the comma from a number box as it is typed, turning 62,5 into 625
before the server sees it.

62.30 kg is 62.3 kg: zeros after the last significant decimal add no precision, so a value whose
only extra decimals are zeros is accepted and kept with the field's places. A value with real extra
precision (62.35 for one decimal place) is still refused, beside the field, saying how many places
the field takes. Stored values are shown without meaningless zeros (a lab typed as 18 is stored as
18.000 and shown as 18 again), and since 18 == 18.000 an unchanged save changes nothing.

Text copied from a PDF or a lab report brings other marks (nurse10 F11): a minus written as the
Unicode minus sign (U+2212) or an en dash (as the app's own chart labels write it) is a minus, and a
field that takes no negative number still refuses it by its range. A ">90" or "<5" (how labs report
an eGFR or a result below detection) and a "12%" are refused with the number to type instead (12,5
for "12,5 %", as typed: a decimal comma is fine), not with the message for a number not read, which
would blame the wrong thing.

A number is written in ASCII digits without separators inside it: Python reads "7_5" as 75 (its
digit grouping, which Decimal, float and int accept) and fullwidth digits (U+FF12 U+FF0E U+FF13)
as 2.3, so a slipped key stored a plausible, wrong result (sec12 #5). Both are refused as a value
not read, in every decimal field, every whole-number field (`WholeNumberField`) and the results
CSV import (`with_decimal_point`), what was typed kept. So are NaN and Infinity ("nan", "inf",
"-Infinity"), which Decimal reads: refused as read (`DecimalField.to_python`), before any field's
own checks compare them (sec14 #3).
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms

# Django's DecimalValidator codes for too many digits in all or before the point. Where a range
# validator also refused the value, its message ("Height must be between 100 and 230 cm.") says
# what is wrong better than a count of digits, and the count is left out.
_DIGIT_COUNT_CODES = frozenset({"max_digits", "max_whole_digits"})

_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
# 1,000 or 12,345: read as thousands in English, as decimals in most of Europe.
_THOUSANDS_OR_DECIMALS = re.compile(r"[+-]?([1-9]\d{0,2}),(\d{3})")
ONE_SEPARATOR = "Use one decimal separator (a dot or a comma) and no thousands separator"
# The Unicode minus sign (U+2212) and the en dash (U+2013), as PDFs and typesetting write a minus.
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})
_COMPARISON = re.compile(r"([<>]=?|[≤≥])\s*([+-]?[\d.,]+)")
_PERCENT = re.compile(r"([+-]?[\d.,]+)\s*%")


def example_words(example: str | None) -> str:
    """ ", e.g. -1.5 or -1,5": an example of a number in both separators (the rule of the module
    docstring), "" without one."""
    if not example:
        return ""
    if "." in example:
        return f", e.g. {example} or {example.replace('.', ',')}"
    return f", e.g. {example}"


def not_a_number(example: str | None) -> str:
    """The message for a value not read as a number: "Enter a number, e.g. 0.912 or 0,912."."""
    return f"Enter a number{example_words(example)}."


def _refuse_marks(text: str) -> None:
    """Refuse "<5", ">90" and "12%" saying what to type: the number alone, as typed."""
    compared = _COMPARISON.fullmatch(text)
    if compared:
        mark, number = compared.groups()
        raise forms.ValidationError(
            f"Enter the number without {mark}: {number}.",
            code="comparison",
        )
    percent = _PERCENT.fullmatch(text)
    if percent:
        raise forms.ValidationError(
            f"Enter the number without %: {percent.group(1)}.", code="percent"
        )


def _refuse_unwritten(text: str, example: str | None) -> None:
    """Refuse what a person does not write in a number but Python reads: "_" between digits, and
    digits other than ASCII's (fullwidth, Arabic-Indic)."""
    if "_" in text or not text.isascii():
        raise forms.ValidationError(not_a_number(example), code="invalid")


def with_decimal_point(text: str, *, example: str | None = None) -> str:
    """`text` with its one decimal comma written as a point ("62,5" -> "62.5"); a `text` without
    a comma unchanged. Raise a ValidationError, saying the fix (with `example`, a value that fits
    the field), where the comma could be a thousands separator or is not a decimal comma at all."""
    text = text.strip().translate(_MINUS_SIGNS)
    _refuse_marks(text)
    _refuse_unwritten(text, example)
    if "," not in text:
        return text
    ambiguous = _THOUSANDS_OR_DECIMALS.fullmatch(text)
    if ambiguous:
        whole, part = ambiguous.groups()
        sign = text[0] if text[0] in "+-" else ""
        raise forms.ValidationError(
            f"Is this {sign}{whole}.{part} or {sign}{whole}{part}? Type the one you mean: a "
            "comma before three digits could be a thousands separator.",
            code="decimal_comma",
        )
    if _DECIMAL_COMMA.fullmatch(text):
        return text.replace(",", ".")
    if text.count(",") > 1 or "." in text:
        raise forms.ValidationError(
            f"{ONE_SEPARATOR}{example_words(example)}.", code="decimal_comma"
        )
    raise forms.ValidationError(not_a_number(example), code="invalid")


def plain(number: Decimal) -> str:
    """`number` in positional notation without zeros after its last significant decimal:
    Decimal("18.000") -> "18", Decimal("0.9120") -> "0.912", Decimal("100") -> "100"."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def with_places(number: Decimal, places: int) -> str:
    """`number` with exactly `places` decimals, as the pages show a stored value of a field with
    that many: Decimal("-2") with 1 -> "-2.0", Decimal("0.85") with 3 -> "0.850"."""
    return format(number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), "f")


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
    """A decimal number that takes a decimal comma, accepts trailing zeros and says plainly when
    it has too many places. `example` is a value that fits the field (a BMD's 0.912), which its
    messages quote; `give_examples` sets it on a model form's fields.

    `shown_as_entered`: its stored value is written without trailing zeros in words (a lab result,
    as the labs table shows it: 62.5 nmol/L, not 62.500), where other values are written with the
    field's places as the pages show them (a T-score -2.0, a BMD 0.850): `shown`."""

    def __init__(
        self, *args: Any, example: str | None = None, shown_as_entered: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.example = example
        self.shown_as_entered = shown_as_entered

    def shown(self, number: Decimal) -> str:
        """A stored value in words as the pages write it, for a message quoting it."""
        if self.shown_as_entered or self.decimal_places is None or not number.is_finite():
            return plain(number)
        return with_places(number, self.decimal_places)

    @property
    def example(self) -> str | None:
        return self._example

    @example.setter
    def example(self, example: str | None) -> None:
        self._example = example
        # Django's own refusals (a value not read, NaN) say it with the field's example too.
        self.error_messages = {**self.error_messages, "invalid": not_a_number(example)}

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = with_decimal_point(value, example=self.example)
        number: Decimal | None = super().to_python(value)
        if number is not None and not number.is_finite():
            # Django refuses NaN and Infinity in `validate`, after a subclass's own checks, whose
            # comparisons raise on NaN (sec14 #3: a 500 for a height or a BMD of "NaN"). Refused
            # here, no value but a finite one reaches any validation.
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
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


class WholeNumberField(forms.IntegerField):
    """A whole number (months, weeks) written in ASCII digits: "1_0" is not read as 10."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            _refuse_unwritten(value.strip(), None)
        number: int | None = super().to_python(value)
        return number


def give_examples(fields: dict[str, forms.Field], examples: dict[str, str]) -> None:
    """Set the example of each named decimal field (a model form's, made by its callback)."""
    for name, example in examples.items():
        field = fields[name]
        if not isinstance(field, DecimalField):
            raise TypeError(f"{name} is not a DecimalField")
        field.example = example
