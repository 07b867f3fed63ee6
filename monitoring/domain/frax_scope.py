"""Whom FRAX is made for: ages 40 to 90, after the menopause (phys14 #9).

ALWAYS asks for a FRAX score for every patient with none on file, and is silent on whom the
calculator covers. FRAX is built on ages 40 to 90 (Kanis 2008; its calculator computes a younger
age as 40, an older one as 90) and is not validated before the menopause (a premenopausal woman
on ovarian suppression). The conservative reading: for a patient under 40, or a premenopausal
woman, RECORD_FRAX stays (its code, rule and sources unchanged) but says why FRAX does not apply
instead of asking for a score; over 90 it still asks (the calculator computes 90). The FRAX form
warns, and never refuses, when the age on the result's date is outside 40 to 90 or the woman is
premenopausal: a result entered is the physician's, and the rules judge it (TX-FRAX) as the spec
says.
"""

from __future__ import annotations

from .thresholds import FRAX_AGE_MAX, FRAX_AGE_MIN
from .types import MenopausalStatus, Sex

# How RECORD_FRAX ends when FRAX does not apply: the pages then label it FRAX_DOES_NOT_APPLY and
# the letters word it from it (`labels.recommendation_label`, `letters._advice`).
FRAX_NOT_NEEDED = "no FRAX score is needed."
FRAX_DOES_NOT_APPLY = "FRAX does not apply"
PREMENOPAUSAL_WORDS = "FRAX is not validated before the menopause"


def _age_words(age: int, computed: str = "") -> str:
    return f"FRAX covers ages {FRAX_AGE_MIN} to {FRAX_AGE_MAX} (age {age}{computed})"


def frax_not_applicable(
    *, sex: Sex, menopausal_status: MenopausalStatus | None, age: int
) -> str | None:
    """Why FRAX does not apply to this patient at `age`, as RECORD_FRAX says it ("FRAX covers
    ages 40 to 90 (age 35); FRAX is not validated before the menopause: no FRAX score is
    needed."); None when it applies (from 40, after the menopause; over 90 too)."""
    reasons = []
    if age < FRAX_AGE_MIN:
        reasons.append(_age_words(age))
    if sex is Sex.F and menopausal_status is MenopausalStatus.PREMENOPAUSAL:
        reasons.append(PREMENOPAUSAL_WORDS)
    if not reasons:
        return None
    return f"{'; '.join(reasons)}: {FRAX_NOT_NEEDED}"


def frax_withheld(message: str) -> bool:
    """Whether a stored RECORD_FRAX `message` says FRAX does not apply (not asking for one)."""
    return message.endswith(FRAX_NOT_NEEDED)


def frax_form_warning(
    *, sex: Sex, menopausal_status: MenopausalStatus | None, age: int
) -> str | None:
    """The FRAX form's warning for a result of a patient aged `age` on its date: outside 40 to
    90, or a premenopausal woman; None otherwise. A warning only: the result is saved as
    entered."""
    reasons = []
    if not FRAX_AGE_MIN <= age <= FRAX_AGE_MAX:
        computed = FRAX_AGE_MIN if age < FRAX_AGE_MIN else FRAX_AGE_MAX
        reasons.append(_age_words(age, f": the calculator computes {computed}"))
    if sex is Sex.F and menopausal_status is MenopausalStatus.PREMENOPAUSAL:
        reasons.append(PREMENOPAUSAL_WORDS)
    if not reasons:
        return None
    return f"{'; '.join(reasons)}. The result can be saved; read it with care."
