"""The check of a premenopausal status given to an older woman, for the patient form and the
history import alike.

"Premenopausal (on ovarian suppression)" makes the rules read Z-scores instead of T-scores (the
specification's Population paragraph): chosen by a slip for a 65-year-old, it took away her WHO
category, and her scans, with no Z-score, then gave none (nurse13 #7). The form saves it only
once the user ticks that it is right, and the audit row keeps the words confirmed; the history
import's preview warns of it, and its confirm keeps the same words.

Not a clinical rule (the rules read the status as recorded, and nothing here changes what they
conclude): a plausibility check of what was typed, as the form's check of an age over 105.
"""

from datetime import date

from crispy_forms.layout import Div
from django import forms
from django.utils import timezone

from patients.models import MenopausalStatus, Patient, Sex

# Above this age a premenopausal status is asked about: the app's design choice, not a rule of
# the specification (it is silent here). Natural menopause comes at a median age of about 51
# (NICE NG23, Menopause: diagnosis and management, 2015: the average age is 51 in the UK), and
# few women are still premenopausal past 55; among its criteria of menopause, NCCN's breast
# cancer guideline counts an age of 60 or more. Asked from 56, before 60, as a slip costs the
# WHO category; a woman still premenopausal past 55 (on ovarian suppression) is rare but real,
# so she is asked about, never refused.
PREMENOPAUSAL_CONFIRM_AGE = 55

# The form's tick, and the key of the audit row that keeps what it confirmed.
CONFIRM_PREMENOPAUSAL = "confirm_premenopausal"
CONFIRMED_KEY = "menopausal_status_confirmed"
CONFIRM_LABEL = (
    f"The status is right: she is premenopausal although over {PREMENOPAUSAL_CONFIRM_AGE}"
)


def age_on(birth: date, day: date) -> int:
    """Age in completed years on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def premenopausal_age_asked(
    *, sex: str | None, status: str | None, birth_date: date | None, today: date
) -> int | None:
    """The woman's age when her premenopausal status is to be confirmed (she is older than
    PREMENOPAUSAL_CONFIRM_AGE), else None."""
    if sex != Sex.FEMALE or status != MenopausalStatus.PREMENOPAUSAL or birth_date is None:
        return None
    age = age_on(birth_date, today)
    return age if age > PREMENOPAUSAL_CONFIRM_AGE else None


def premenopausal_words(age: int) -> str:
    """What the user is asked to confirm (beside the field, and kept in the audit row)."""
    return (
        f"Premenopausal at {age}: past {PREMENOPAUSAL_CONFIRM_AGE} most women are "
        "postmenopausal, and a premenopausal woman's scans are read on Z-scores, not T-scores "
        "(her WHO category no longer applies)."
    )


def ask_premenopausal_confirmation(form: forms.BaseForm, *, instance: Patient, column: Div) -> str:
    """On a form whose cleaned data make a woman older than PREMENOPAUSAL_CONFIRM_AGE
    premenopausal, show the tick under the status (`column`, its layout part) and, until it is
    given, refuse the form with the words beside the status. Return the words the tick confirmed
    ("" when nothing was asked). A record stored so already is not asked again, so an unchanged
    save changes nothing (as the check of an age over 105)."""
    data = form.cleaned_data
    today = timezone.localdate()
    age = premenopausal_age_asked(
        sex=data.get("sex"),
        status=data.get("menopausal_status"),
        birth_date=data.get("birth_date"),
        today=today,
    )
    if age is None:
        return ""
    if instance.pk is not None and premenopausal_age_asked(
        sex=instance.sex,
        status=instance.menopausal_status,
        birth_date=instance.birth_date,
        today=today,
    ):
        return ""
    if CONFIRM_PREMENOPAUSAL not in column.fields:
        column.fields.append(CONFIRM_PREMENOPAUSAL)
    words = premenopausal_words(age)
    if not data.get(CONFIRM_PREMENOPAUSAL):
        form.add_error(
            "menopausal_status",
            f"{words} Check the status; if it is right, tick the box below.",
        )
        return ""
    return words
