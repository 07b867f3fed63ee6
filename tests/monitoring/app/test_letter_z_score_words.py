"""physician8 D5: the patient letter to a man under 50 (scan read on Z-scores, WHO category not
applicable) said his scan "was compared with women of your own age, the right comparison before
the menopause"."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.overview import letters
from patients.models import Patient
from tests.factories import DexaScanFactory

DATA = {
    "who_category": "not_applicable",
    "lowest_t_score": {"value": "-2.6", "site": "lumbar_spine", "date": "2026-09-10"},
    "risk_category": "high",
}


def _first(sex: str | None) -> str:
    return letters.letter(DATA, letters.PATIENT, (), dt.date(2026, 12, 7), sex).results[0].text


def test_a_man_is_compared_with_people_of_his_age_and_sex() -> None:
    text = _first("M")
    assert text == (
        "Your scan on 2026-09-10 was compared with people of your own age and sex, the right "
        "comparison for men under 50."
    )
    assert "women" not in text
    assert "menopause" not in text


def test_a_premenopausal_woman_keeps_her_words_and_an_unknown_sex_reads_for_either() -> None:
    assert "women of your own age, the right comparison before the menopause" in _first("F")
    unknown = _first(None)
    assert "people of your own age and sex" in unknown
    assert "women" not in unknown
    assert "menopause" not in unknown


@pytest.mark.django_db
def test_the_letter_page_of_a_man_under_50(nurse_client: Client, patient: Patient) -> None:
    patient.sex, patient.birth_date = "M", timezone.localdate() - dt.timedelta(days=45 * 366)
    patient.save()
    DexaScanFactory(patient=patient, scan_date=timezone.localdate() - dt.timedelta(days=30), t=-2.6)
    patient_assessment_refresh(patient=patient)
    text = " ".join(
        nurse_client.get(reverse("monitoring:letter", args=[patient.pk, "patient"])).text.split()
    )
    assert "compared with people of your own age and sex, the right comparison for men" in text
    assert "menopause" not in text
