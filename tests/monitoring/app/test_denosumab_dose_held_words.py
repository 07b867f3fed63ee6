"""A denosumab dose due under a low calcium is held, not asked for, on the page and in both letters
(physician9 F17); with vitamin D deficient it is given on time with repletion (F9).

F17: after a calcium of 2.05 mmol/L the page showed the critical HYPOCALCEMIA ("do not give
denosumab until it is corrected") above "Give denosumab 60 mg"; the doctor's letter said "please
arrange it now" twice and the patient's "please contact us to have it now" twice.
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.factories import results_in_range
from tests.html_forms import letter_text, page_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
GIVE_NOW = ("give it now", "arrange it now", "have it now", "so it can be given")


def _on_denosumab(patient: Patient, *, days_late: int, calcium: str, vitamin_d: int) -> dt.date:
    """A denosumab dose due about `days_late` days ago (give or take the months' lengths), with
    today's calcium and vitamin D; return its due day."""
    given = TODAY - dt.timedelta(days=183 + days_late)
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        dose="60 mg every 6 months",
        start_date=given,
        dental_review_date=given - dt.timedelta(days=10),
    )
    BoneTherapyDose.objects.create(course=course, given_on=given)
    results_in_range(patient, TODAY, calcium=calcium, vitamin_d=vitamin_d)
    patient_assessment_refresh(patient=patient)
    return add_months(given, 6)


def _text(client: Client, name: str, patient: Patient, *args: str) -> str:
    return page_text(client, reverse(f"monitoring:{name}", args=[patient.pk, *args]))


@pytest.mark.parametrize(("days_late", "lead"), [(6, "due since"), (40, "overdue since")])
def test_a_low_calcium_holds_the_dose_on_the_page_and_in_both_letters(
    physician_client: Client, patient: Patient, days_late: int, lead: str
) -> None:
    due = _on_denosumab(patient, days_late=days_late, calcium="2.05", vitamin_d=35)
    assert Alert.objects.get(patient=patient, cleared_at=None, code="HYPOCALCEMIA")

    page = _text(physician_client, "patient", patient)
    assert "do not give denosumab until it is corrected" in page  # the alert, unchanged
    assert "<strong>Correct the calcium, then give denosumab</strong>" in page
    assert "Give denosumab</strong>" not in page
    assert "Correct the low calcium first (HYPOCALCEMIA: no injection until it is normal)" in page
    assert "keep the delay as short as possible" in page
    for words in GIVE_NOW:
        assert words not in page
    summary = _text(physician_client, "patient_summary", patient)
    assert "<strong>Correct the calcium, then give denosumab</strong>" in summary

    doctor = letter_text(physician_client, patient, "doctor")
    assert f"Next denosumab dose {lead} {due:%Y-%m-%d} (held for the low calcium: see" in doctor
    held = (
        f"The next denosumab dose is {lead} {due:%Y-%m-%d}, but the adjusted calcium is low: "
        "please correct the calcium first, then give the dose as soon as it is normal, keeping "
        "the delay as short as possible, as a late dose risks rebound bone loss."
    )
    assert doctor.count(held) == 1
    assert "please correct the calcium first" in doctor
    for words in GIVE_NOW[1:]:
        assert words not in doctor
    assert "Low calcium: " in doctor  # the alert by its title (nurse10 16)

    patient_letter = letter_text(physician_client, patient, "patient")
    assert f"Your next injection was due on {due:%Y-%m-%d}." in patient_letter
    said = (
        f"Your denosumab injection was due on {due:%Y-%m-%d}, but your calcium level is low: we "
        "will first bring it back to normal, then give you the injection as soon as we can"
    )
    assert patient_letter.count(said) == 1
    for words in GIVE_NOW:
        assert words not in patient_letter
    clinician = letter_text(physician_client, patient, "doctor", copy="clinician")
    assert "DMAB-SCHEDULE, CA-LOW" in clinician


def test_the_worklist_row_of_a_held_dose_does_not_ask_for_it_now(
    physician_client: Client, patient: Patient
) -> None:
    _on_denosumab(patient, days_late=6, calcium="2.05", vitamin_d=35)
    worklist = " ".join(physician_client.get(reverse("monitoring:worklist")).text.split())
    assert "Denosumab injection" in worklist
    for words in GIVE_NOW:
        assert words not in worklist


def test_vitamin_d_deficiency_gives_the_dose_on_time_with_repletion(
    physician_client: Client, patient: Patient
) -> None:
    due = _on_denosumab(patient, days_late=6, calcium="2.30", vitamin_d=12)
    page = _text(physician_client, "patient", patient)
    assert "<strong>Give denosumab</strong>" in page
    assert "Give denosumab 60 mg on time" in page
    assert "do not delay the dose for vitamin D alone" in page

    doctor = letter_text(physician_client, patient, "doctor")
    assert (
        f"The next denosumab dose is due since {due:%Y-%m-%d}: please arrange it now; a late dose "
        "risks rebound bone loss. Vitamin D is deficient: please start repletion now and check "
        "the calcium is normal before the injection, but do not delay the dose for vitamin D "
        "alone." in doctor
    )
    patient_letter = letter_text(physician_client, patient, "patient")
    assert (
        "Your vitamin D is low: please start the vitamin D supplement we recommend, but do not "
        "put off the injection because of it." in patient_letter
    )


def test_both_hold_the_dose_and_replete_vitamin_d(
    physician_client: Client, patient: Patient
) -> None:
    _on_denosumab(patient, days_late=6, calcium="2.05", vitamin_d=12)
    doctor = letter_text(physician_client, patient, "doctor")
    assert "please correct the calcium first" in doctor
    assert "Vitamin D is deficient too: please start repletion now." in doctor
    assert "do not delay the dose for vitamin D alone" not in doctor
    patient_letter = letter_text(physician_client, patient, "patient")
    assert "Your vitamin D is low too: please start the vitamin D supplement" in patient_letter
    assert "have it now" not in patient_letter
