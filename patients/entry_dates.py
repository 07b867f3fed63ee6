"""The one statement of the bound on the date of something that happened (a birth, a diagnosis, a
scan, a dose, a dental review): not after today. The entry forms refuse such a date next to the
field; the history import refuses the same dates of a file in its preview, in the same words."""

from datetime import date

from django.utils import timezone


def future_date_error(value: date | None, what: str) -> str | None:
    """ "The <what> cannot be in the future." when `value` is after today (the site's day), else
    None (no date is no error: whether one is required is the field's own rule)."""
    if value is not None and value > timezone.localdate():
        return f"The {what} cannot be in the future."
    return None
