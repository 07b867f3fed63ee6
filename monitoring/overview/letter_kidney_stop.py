"""What the letters ask of an active course the kidney function rules out (RENAL_CONTRAINDICATION).

phys14 #11: alendronate at eGFR 32 raised "Kidney function rules out the drug" (high), yet the
family doctor's letter, whose doctor prescribes it, said "indicated and is being given
(alendronate)" and nothing under its recommendations, and the patient's letter only "You are
taking alendronate". RENAL gives only the alert; the conservative reading is the domain's
(`domain.kidney_stop`): stop the drug, switch to one the kidney function allows. The patient
is told her doctor will talk to her about it, not to stop on her own.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Any

from monitoring import domain
from monitoring.assessment.history_document import history_from_records
from monitoring.domain import RuleId
from monitoring.overview.letter_therapy import PATIENT

RULES = (str(RuleId.RENAL),)


def kidney_stop_of(patient: Any, today: dt.date) -> domain.KidneyStop | None:
    """The active courses the kidney function rules out today, of a patient loaded with its
    records; None when there are none or the rules refuse the record (its stored alerts still
    say what they last found)."""
    try:
        return domain.kidney_stop(history_from_records(patient), today)
    except domain.HistoryError:
        return None


def _names(stop: domain.KidneyStop) -> str:
    return " and ".join(drug.replace("_", " ") for drug in stop.drugs)


def kidney_stop_texts(
    stop: domain.KidneyStop | None, kind: str
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(text, rule ids) of the advice to stop and switch, for the patient's or doctor's letter."""
    if stop is None:
        return
    names = _names(stop)
    if kind == PATIENT:
        yield (
            f"Your latest kidney test shows that {names} is no longer suitable for you: your "
            "doctor will talk to you about stopping it and about another bone medicine.",
            RULES,
        )
        return
    yield (
        f"{names.capitalize()} is ruled out by the kidney function ({stop.kidney}): please stop "
        f"it and switch to {stop.allowed}.",
        RULES,
    )
