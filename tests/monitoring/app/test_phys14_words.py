"""phys14 #2, #4, #7, #9 and #11 on the pages, printouts and letters.

#2: after a switch of aromatase inhibitor the header, summary, scan request, letter and patient
list named only the new drug's start, dropping the months on the first one. #4: a premenopausal
woman read "Why high: osteoporosis" beside "WHO category: Not applicable". #7: zoledronic acid
started as denosumab's follow-on read "is being given" with no infusion recorded. #9: FRAX asked
of a woman of 35 before the menopause. #11: alendronate ruled out by kidney function, with no
stop or switch in the letters and its next DEXA 24 months out.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.dates import add_months
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, FraxResult
from monitoring.records.forms.therapy import (
    FOLLOW_ON_INFUSION_WORDS,
    START_HELP,
    follow_on_infusion_words,
)
from monitoring.records.selectors import stored_assessment
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory
from tests.html_forms import letter_text, visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def _seen(client: Client, name: str, patient: Patient) -> str:
    response = client.get(reverse(name, args=[patient.pk]))
    assert response.status_code == 200
    return visible_text(response.text)


PAGES = ("monitoring:patient", "monitoring:patient_summary", "monitoring:scan_request")


# --- #2: the time on aromatase inhibitors since the first start ---------------------------------


def test_after_a_switch_every_page_gives_the_time_since_the_first_start(
    physician_client: Client, patient: Patient
) -> None:
    first, switch = _ago(400), _ago(10)
    AromataseInhibitorCourseFactory(patient=patient, start_date=first, stop_date=switch)
    AromataseInhibitorCourseFactory(patient=patient, drug="exemestane", start_date=switch)
    patient_assessment_refresh(patient=patient)
    said = f"Exemestane since {switch:%Y-%m-%d} (aromatase inhibitor since {first:%Y-%m-%d})"
    for name in PAGES:
        text = _seen(physician_client, name, patient)
        # The header card puts the drug and its dates on two lines: no space between them.
        assert said in text or said.replace("Exemestane ", "Exemestane") in text, name
    doctor = visible_text(letter_text(physician_client, patient, "doctor"))
    assert f"On {said[0].lower()}{said[1:]}." in doctor
    listed = visible_text(physician_client.get(reverse("patients:list"), {"q": patient.mrn}).text)
    assert said in listed


def test_after_a_break_the_first_start_is_named_without_claiming_the_years_between(
    physician_client: Client, patient: Patient
) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=_ago(2000), stop_date=_ago(1500))
    AromataseInhibitorCourseFactory(patient=patient, drug="letrozole", start_date=_ago(30))
    patient_assessment_refresh(patient=patient)
    text = _seen(physician_client, "monitoring:patient_summary", patient)
    assert (
        f"Letrozole since {_ago(30):%Y-%m-%d} (first aromatase inhibitor from "
        f"{_ago(2000):%Y-%m-%d})" in text
    )


def test_a_single_course_reads_as_before(physician_client: Client, patient: Patient) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=_ago(300))
    patient_assessment_refresh(patient=patient)
    text = _seen(physician_client, "monitoring:patient_summary", patient)
    assert f"Anastrozole since {_ago(300):%Y-%m-%d} " in text
    assert "(aromatase inhibitor since" not in text


# --- #4: the T-score threshold, not the disease, where WHO categories do not apply ---------------


@pytest.fixture
def premenopausal(patient: Patient) -> Patient:
    patient.menopausal_status = "premenopausal"
    patient.birth_date = TODAY.replace(year=TODAY.year - 42) - dt.timedelta(days=30)
    patient.save()
    AromataseInhibitorCourseFactory(patient=patient, drug="exemestane", start_date=_ago(300))
    return patient


def test_why_high_names_the_therapy_threshold_where_who_categories_do_not_apply(
    physician_client: Client, premenopausal: Patient
) -> None:
    DexaScanFactory(patient=premenopausal, scan_date=_ago(200), t=-2.6)
    patient_assessment_refresh(patient=premenopausal)
    why = "lowest T-score -2.6, at or below -2.5 (therapy threshold)"
    page = _seen(physician_client, "monitoring:patient", premenopausal)
    assert f"Why high: {why}" in page
    assert "WHO categoryNot applicable (read Z-scores)" in page
    summary = _seen(physician_client, "monitoring:patient_summary", premenopausal)
    assert f"Risk category, why high: {why};" in summary
    for text in (page, summary):
        assert "osteoporosis (lowest T-score" not in text


# --- #7: zoledronic acid as denosumab's follow-on, planned until its infusion is recorded -------


@pytest.fixture
def follow_on_awaited(patient: Patient) -> BoneTherapyCourse:
    """Denosumab stopped 60 days ago (last dose 243 days ago); zoledronic acid opened 3 days ago
    as its follow-on, no infusion recorded."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=_ago(1000))
    DexaScanFactory(patient=patient, scan_date=_ago(100), t=-2.6)
    denosumab = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=_ago(900),
        dental_review_date=_ago(910),
        stop_date=_ago(60),
    )
    for days in (900, 718, 536, 354, 243):
        BoneTherapyDose.objects.create(course=denosumab, given_on=_ago(days))
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="zoledronic_acid",
        dose="4 mg",
        start_date=_ago(3),
        dental_review_date=_ago(20),
    )
    patient_assessment_refresh(patient=patient)
    return course


def test_the_form_help_says_the_follow_on_counts_once_its_infusion_is_recorded(
    physician_client: Client, patient: Patient
) -> None:
    page = visible_text(
        physician_client.get(reverse("monitoring:therapy_create", args=[patient.pk])).text
    )
    assert visible_text(START_HELP) in page
    assert (
        "Except zoledronic acid as the follow-on after denosumab: its start counts as no "
        "infusion, so record the infusion as a dose once given." in page
    )


def test_saving_the_follow_on_says_to_record_the_infusion(
    follow_on_awaited: BoneTherapyCourse,
) -> None:
    assert follow_on_infusion_words(follow_on_awaited) == FOLLOW_ON_INFUSION_WORDS
    BoneTherapyDose.objects.create(course=follow_on_awaited, given_on=_ago(1))
    assert follow_on_infusion_words(follow_on_awaited) == ""


def test_the_pages_and_letters_say_planned_until_the_infusion_is_recorded(
    nurse_client: Client, follow_on_awaited: BoneTherapyCourse
) -> None:
    patient = follow_on_awaited.patient
    start = f"{_ago(3):%Y-%m-%d}"
    summary = _seen(nurse_client, "monitoring:patient_summary", patient)
    assert f"Zoledronic acid planned from {start}, no infusion yet" in summary
    doctor = visible_text(letter_text(nurse_client, patient, "doctor"))
    assert "is being given" not in doctor
    assert "is planned (zoledronic acid, no infusion yet)" in doctor
    mine = visible_text(letter_text(nurse_client, patient, "patient"))
    assert "we have started" not in mine
    assert "You are having zoledronic acid" not in mine

    BoneTherapyDose.objects.create(course=follow_on_awaited, given_on=_ago(1))
    patient_assessment_refresh(patient=patient)
    doctor = visible_text(letter_text(nurse_client, patient, "doctor"))
    assert "Bone-protective therapy is indicated and is being given (zoledronic acid)." in doctor
    assert f"Zoledronic acid (4 mg) since {start}; last dose {_ago(1):%Y-%m-%d}." in doctor
    mine = visible_text(letter_text(nurse_client, patient, "patient"))
    assert f"You are having zoledronic acid to protect your bones, since {start}." in mine
    summary = _seen(nurse_client, "monitoring:patient_summary", patient)
    assert "no infusion yet" not in summary


# --- #9: FRAX where it does not apply ------------------------------------------------------------


@pytest.fixture
def thirty_five(patient: Patient) -> Patient:
    """T14-09: a woman of 35, premenopausal on exemestane, a normal scan."""
    patient.menopausal_status = "premenopausal"
    patient.birth_date = TODAY.replace(year=TODAY.year - 35) - dt.timedelta(days=30)
    patient.save()
    AromataseInhibitorCourseFactory(patient=patient, drug="exemestane", start_date=_ago(200))
    DexaScanFactory(patient=patient, scan_date=_ago(190), t=-0.6)
    patient_assessment_refresh(patient=patient)
    return patient


WHY_NOT = (
    "FRAX covers ages 40 to 90 (age 35); FRAX is not validated before the menopause: no FRAX "
    "score is needed."
)


def test_frax_is_not_asked_of_a_premenopausal_woman_of_35(
    physician_client: Client, thirty_five: Patient
) -> None:
    page = _seen(physician_client, "monitoring:patient", thirty_five)
    assert f"FRAX does not apply{WHY_NOT}" in page
    assert "Record a FRAX score" not in page
    summary = _seen(physician_client, "monitoring:patient_summary", thirty_five)
    assert "Record FRAX" not in summary
    assert "FRAX does not apply" in summary
    doctor = visible_text(letter_text(physician_client, thirty_five, "doctor"))
    assert WHY_NOT in doctor
    assert "A FRAX score should be recorded." not in doctor
    mine = visible_text(letter_text(physician_client, thirty_five, "patient"))
    assert "FRAX" not in mine


def test_the_frax_form_warns_and_still_saves(
    physician_client: Client, thirty_five: Patient
) -> None:
    url = reverse("monitoring:frax_create", args=[thirty_five.pk])
    warning = (
        "FRAX covers ages 40 to 90 (age 35: the calculator computes 40); FRAX is not validated "
        "before the menopause. The result can be saved; read it with care."
    )
    assert warning in visible_text(physician_client.get(url).text)
    response = physician_client.post(
        url,
        {"assessed_on": _ago(1).isoformat(), "major_osteoporotic_pct": "4.0", "hip_pct": "0.3"},
        follow=True,
    )
    assert response.status_code == 200
    assert f"FRAX result saved; the assessment is updated. {warning}" in visible_text(response.text)
    assert FraxResult.objects.filter(patient=thirty_five, major_osteoporotic_pct=Decimal("4.0"))


def test_the_frax_form_says_nothing_from_40_to_90(
    physician_client: Client, patient: Patient
) -> None:
    url = reverse("monitoring:frax_create", args=[patient.pk])
    assert "The result can be saved; read it with care." not in physician_client.get(url).text


# --- #11: a course the kidney function rules out ----------------------------------------------


@pytest.fixture
def alendronate_at_egfr_32(patient: Patient) -> Patient:
    """SHOW-17: alendronate for five years, two scans with no loss, eGFR 32 a month ago."""
    AromataseInhibitorCourseFactory(patient=patient, start_date=_ago(2000))
    DexaScanFactory(patient=patient, scan_date=_ago(1900), t=-2.3)
    DexaScanFactory(patient=patient, scan_date=_ago(200), t=-2.2)
    BoneTherapyCourse.objects.create(
        patient=patient, drug="alendronate", dose="70 mg weekly", start_date=_ago(1850)
    )
    LabResultFactory(
        patient=patient,
        sample_date=_ago(30),
        analyte="egfr",
        value=32,
        entered_value=32,
        entered_unit="mL/min/1.73m2",
    )
    patient_assessment_refresh(patient=patient)
    return patient


def test_the_letters_carry_the_stop_and_switch_and_the_scan_is_not_24_months_out(
    nurse_client: Client, alendronate_at_egfr_32: Patient
) -> None:
    patient = alendronate_at_egfr_32
    assessment = stored_assessment(patient=patient)
    assert assessment is not None
    assert assessment.next_dexa_due == add_months(_ago(200), 12)  # SCHED-HIGH, not STABLE
    doctor = visible_text(letter_text(nurse_client, patient, "doctor"))
    advice = doctor[doctor.index("Recommendations") :]
    assert (
        f"Alendronate is ruled out by the kidney function (eGFR 32 mL/min/1.73 m² on "
        f"{_ago(30):%Y-%m-%d}): please stop it and switch to risedronate, ibandronate or "
        "denosumab." in advice
    )
    mine = visible_text(letter_text(nurse_client, patient, "patient"))
    assert (
        "Your latest kidney test shows that alendronate is no longer suitable for you: your "
        "doctor will talk to you about stopping it and about another bone medicine." in mine
    )
