"""The letters' advice on vitamin D and calcium as the supplements recorded stand.

The rules know nothing of supplements: REPLETE_VITAMIN_D and the advice every patient gets
(CALCIUM_VITAMIN_D) read the same whether or not a supplement is taken. A patient recorded as
taking vitamin D was told "we recommend a vitamin D supplement" (nurse12 F10): she is told to keep
taking it and that the dose may need checking; her doctor, that one is recorded as taken.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TakenSupplements:
    calcium: bool
    vitamin_d: bool


def taken_supplements(patient: Any) -> TakenSupplements | None:
    """The supplements recorded for `patient` (a one-to-one that may be missing), or None."""
    recorded = getattr(patient, "supplements", None)
    if recorded is None:
        return None
    return TakenSupplements(calcium=recorded.calcium, vitamin_d=recorded.vitamin_d)


def supplements_words(taken: TakenSupplements | None) -> str:
    """The supplements recorded, as the summary prints them (the advice depends on them)."""
    if taken is None:
        return "Supplements: not recorded."
    return (
        f"Supplements: calcium {'yes' if taken.calcium else 'no'}, "
        f"vitamin D {'yes' if taken.vitamin_d else 'no'}."
    )


REPLETE_WHILE_TAKING = (
    "Your vitamin D is low although you take a vitamin D supplement: please keep taking it. The "
    "dose may need checking; we will talk this through with you.",
    "Vitamin D repletion is advised; a vitamin D supplement is recorded as taken, so its dose "
    "may need checking.",
)
KEEP_TAKING_BOTH = (
    "Please keep taking your calcium and vitamin D supplements.",
    "Adequate calcium and vitamin D intake should be kept up (calcium and vitamin D supplements "
    "are recorded as taken).",
)
KEEP_TAKING_ONE = (
    "Please keep taking your {taken} supplement, and make sure you get enough {other}, from food "
    "or from a supplement.",
    "Adequate calcium and vitamin D intake should be kept up (a {taken} supplement is recorded "
    "as taken, none of {other}).",
)


def supplement_advice(code: str, taken: TakenSupplements | None, index: int) -> str | None:
    """The words of recommendation `code` in letter `index` (0 the patient's, 1 the doctor's)
    given the supplements `taken`, or None where the letters' usual words fit."""
    if taken is None:
        return None
    if code == "REPLETE_VITAMIN_D" and taken.vitamin_d:
        return REPLETE_WHILE_TAKING[index]
    if code != "CALCIUM_VITAMIN_D" or not (taken.calcium or taken.vitamin_d):
        return None
    if taken.calcium and taken.vitamin_d:
        return KEEP_TAKING_BOTH[index]
    names = ("calcium", "vitamin D") if taken.calcium else ("vitamin D", "calcium")
    return KEEP_TAKING_ONE[index].format(taken=names[0], other=names[1])
