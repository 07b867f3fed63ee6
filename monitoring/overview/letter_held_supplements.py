"""The letters' calcium and vitamin D advice held for a high result (nurse13 #1).

While a high adjusted calcium (CA-HIGH) or 25-OH vitamin D (VITD-HIGH) is on file, the rules hold
the advice every patient gets (CALCIUM_VITAMIN_D) and, with a high calcium, a vitamin D repletion
(REPLETE_VITAMIN_D): the rule that holds it joins the recommendation's rules. The letters follow
the recommendation: they say to hold the supplements, never to take them, whatever supplements are
recorded (the words `letter_supplements` picks for one taken would say "keep taking").
"""

from collections.abc import Mapping
from typing import Any

# (recommendation code, the rule holding it) -> (to the patient, to the doctor)
HELD_ADVICE: dict[tuple[str, str], tuple[str, str]] = {
    ("CALCIUM_VITAMIN_D", "CA-HIGH"): (
        "Please do not take calcium or vitamin D supplements for now (stop any you take) until "
        "a doctor has looked at your raised calcium level with you.",
        "Calcium and vitamin D supplements are to be held until a physician has reviewed the "
        "raised calcium (see the alert below).",
    ),
    ("REPLETE_VITAMIN_D", "CA-HIGH"): (
        "Your vitamin D is low, but please do not start a vitamin D supplement until a doctor "
        "has looked at your raised calcium level with you.",
        "Vitamin D repletion is to wait until a physician has reviewed the raised calcium.",
    ),
    ("CALCIUM_VITAMIN_D", "VITD-HIGH"): (
        "Your vitamin D level is higher than it should be: please stop any vitamin D supplement "
        "for now, and get your calcium from food rather than from a supplement, until we have "
        "looked at this with you.",
        "Vitamin D supplements are to be held, and calcium kept to the diet without a "
        "supplement, until the raised vitamin D has been reviewed (see the alert below).",
    ),
}


def held_supplement_advice(rec: Mapping[str, Any], index: int) -> str | None:
    """The words of recommendation `rec` in letter `index` (0 the patient's, 1 the doctor's) when
    a high result holds it, or None where it is not held."""
    for rule in rec.get("rules", ()):
        texts = HELD_ADVICE.get((rec.get("code", ""), rule))
        if texts is not None:
            return texts[index]
    return None
