"""The letters' lifestyle advice (LIFESTYLE, rule ALWAYS) worded with the smoking and alcohol
recorded, as the rules word the recommendation (`domain/rules/always.py`, `lifestyle_words`).

nurse13 #17: "stop smoking" was given to women who never smoked. The spec gives the advice to every
patient and leaves its words open: stopping smoking only for a current smoker, staying off it for a
former one, nothing of smoking for one who never smoked; alcohol for everyone, as a limit kept or,
with 3 or more units a day recorded, to be reached.
"""

from dataclasses import dataclass
from typing import Any

SMOKING_WORDS = {
    "current": ("stopping smoking", "smoking cessation"),
    "former": ("staying off smoking", "staying off smoking"),
}
ALCOHOL_WORDS = {
    False: ("keeping alcohol low", "alcohol kept under 3 units a day"),
    True: (
        "drinking less alcohol (under 3 units a day)",
        "alcohol cut to under 3 units a day (3 or more recorded)",
    ),
}
EXERCISE = ("regular walking or other weight-bearing exercise", "weight-bearing exercise")


@dataclass(frozen=True)
class Habits:
    """What the patient record says of smoking ("never", "former", "current") and alcohol."""

    smoking: str
    alcohol_3_or_more_units_daily: bool


def habits_of(patient: Any) -> Habits:
    return Habits(patient.smoking, patient.alcohol_3_or_more_units_daily)


def lifestyle_advice(habits: Habits, index: int) -> str:
    """LIFESTYLE's sentence in letter `index` (0 the patient's, 1 the doctor's)."""
    parts = [EXERCISE[index]]
    if habits.smoking in SMOKING_WORDS:
        parts.append(SMOKING_WORDS[habits.smoking][index])
    parts.append(ALCOHOL_WORDS[habits.alcohol_3_or_more_units_daily][index])
    listed = " and ".join([", ".join(parts[:-1]), parts[-1]])
    if index:
        return f"Lifestyle advice: {listed}."
    return (
        f"{listed[:1].upper()}{listed[1:]} {'all' if len(parts) > 2 else 'both'} help your bones."
    )
