"""The rules of the fields that say who a patient is, one statement for the patient form and the
history import (monitoring.records.history_text): what the form refuses, no file brings in."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from bonehealth.audit.text import ONE_LINE, is_one_line

MRN_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9./_-]*$",
    "Use letters, digits and . / _ - only, starting with a letter or digit.",
)
NAME_REQUIRED = "Give the patient's name."
NAME_NOT_ONE_LINE = f"Write the name {ONE_LINE}."


def mrn_cleaned(mrn: str) -> str:
    """The MRN as stored: stripped, in capitals."""
    return mrn.strip().upper()


def mrn_problem(mrn: str) -> str | None:
    """What is wrong with a cleaned MRN (`mrn_cleaned`), or None."""
    try:
        MRN_VALIDATOR(mrn)
    except ValidationError as error:
        return str(error.messages[0])
    return None


def name_problem(name: str) -> str | None:
    """What is wrong with a stripped, non-empty name, or None: a name holding a line break, a tab
    or an invisible character (a right-to-left override shows a reversed name as another
    patient's, sec12 #1) is refused, not cleaned."""
    return None if is_one_line(name) else NAME_NOT_ONE_LINE
