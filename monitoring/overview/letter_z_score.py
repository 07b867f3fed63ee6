"""The Z-score a letter quotes for a patient read on Z-scores (a premenopausal woman, a man under
50: WHO-CAT Population, ISCD), the one the patient page and summary show."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from monitoring.domain.thresholds import MALE_T_SCORE_MIN_AGE, Z_BELOW_EXPECTED_MAX
from monitoring.models.choices import MeasuredSite
from patients.models import Sex


def site_words(value: str) -> str:
    """A measured site in a letter's words: "lumbar spine", "total hip"."""
    try:
        return str(MeasuredSite(value).label).lower().replace(" (l1-l4)", "")
    except ValueError:
        return value.replace("_", " ")


@dataclass(frozen=True)
class ZScore:
    """The Z-score the patient page and summary quote (`monitoring_display.lowest_z_score`: the
    lowest of the latest scan that has one), for a letter to quote the same."""

    value: Decimal
    site: str
    day: date


def z_score_of(measurement: Any) -> ZScore | None:
    """The letter's ZScore of a measurement `lowest_z_score` found (None: none found)."""
    if measurement is None:
        return None
    return ZScore(measurement.z_score, measurement.site, measurement.scan.scan_date)


# Who T-score categories are not made for (WHO-CAT, Population), by sex.
Z_POPULATION_BY_SEX: dict[str, str] = {
    Sex.FEMALE: "premenopausal woman",
    Sex.MALE: f"man under {MALE_T_SCORE_MIN_AGE}",
}


def z_score_text(z_score: ZScore | None, sex: str | None) -> str:
    """The doctor's headline result for a patient read on Z-scores (ISCD, WHO-CAT Population):
    the Z-score, as the summary quotes it, then that T-score categories do not apply; the letter
    adds the lowest T-score, which the therapy triggers still count (physician10 F6: the letter
    led with the T-score and never gave the Z-score)."""
    who = Z_POPULATION_BY_SEX.get(
        sex or "", f"premenopausal woman or man under {MALE_T_SCORE_MIN_AGE}"
    )
    if z_score is not None:
        below = z_score.value <= Z_BELOW_EXPECTED_MAX
        reading = "below" if below else "within"
        text = (
            f"Lowest Z-score {z_score.value} at the {site_words(z_score.site)} (latest scan, "
            f"{z_score.day.isoformat()}): {reading} the expected range for age (Z of "
            f"{Z_BELOW_EXPECTED_MAX} or below is below it)."
        )
    else:
        text = "No Z-score is recorded: ask the DEXA report for it."
    text += f" WHO T-score categories do not apply ({who}: the Z-score is read)"
    return text
