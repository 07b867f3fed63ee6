"""The rule of a one-line text field (a name, a dose, a reason), one statement for the entry forms
and the imports that write the same columns."""

from django.core.exceptions import ValidationError

ONE_LINE = "on one line, without tabs or invisible characters"


def is_one_line(value: str) -> bool:
    """Whether `value` holds printable characters only: no line break, tab or other control
    character (Cc), no format character (Cf: the right-to-left override U+202E that shows a name
    reversed, zero-width spaces), no line or paragraph separator (Zl, Zp) and no space but the
    plain one. Such characters cannot be seen: text holding them may read as another text."""
    return value.isprintable()


def validate_one_line(value: str) -> None:
    """A form field's validator for `is_one_line`."""
    if not is_one_line(value):
        raise ValidationError(f"Write it {ONE_LINE}.", code="one_line")
