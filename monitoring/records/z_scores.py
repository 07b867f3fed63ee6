"""Whether a patient's scan is read on Z-scores (WHO-CAT Population: a premenopausal woman, a man
under 50), for the scan form, which then asks the Z-score, and the history import, which warns
when one is missing (physician10 F7: a scan with no Z-score left `Z_SCORE_APPLIES` asking the
reader to read a Z-score never taken)."""

from datetime import date

from monitoring import domain
from monitoring.domain.dates import age_in_years
from monitoring.domain.rules.classification import t_scores_apply_to
from monitoring.domain.thresholds import MALE_T_SCORE_MIN_AGE
from patients.models import Patient


def z_scores_read(patient: Patient, on: date) -> bool:
    """Whether the Z-score is the one read for `patient`'s scan of `on`: their age on that day,
    their menopausal status as recorded (a man's is never read)."""
    sex = domain.Sex(patient.sex)
    status = (
        domain.MenopausalStatus(patient.menopausal_status)
        if patient.menopausal_status_applies and patient.menopausal_status
        else None
    )
    return not t_scores_apply_to(sex, status, age_in_years(patient.birth_date, on))


# Who the Z-score is read for, in the forms' and import's words.
Z_POPULATION_WORDS = f"premenopausal woman or a man under {MALE_T_SCORE_MIN_AGE}"
