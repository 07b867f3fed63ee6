"""phys13 #8: zoledronic acid started with a physician's override for a deficient vitamin D. The
family doctor's letter said therapy "is being given" and "replete before zoledronic acid", and
did not say the drug was started despite the failed check (the summary did). It now names the
check, the reason recorded and who overrode it, and its own vitamin D sentence follows the record:
replete now and recheck the calcium. (The alert it copies is the rules' words.)

phys13 #15b: every sentence of the clinician's copy carries its rule ids, the therapy paragraph's
too."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain import RuleId
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.models.choices import SafetyCheck
from monitoring.overview.letter_overrides import CHECK_RULES
from monitoring.records import later_results, safety
from monitoring.records.services.therapy import bone_therapy_start
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory
from tests.html_forms import letter_text, without_nowrap

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REASON = "Loading colecalciferol started today, oncologist decision"
BEFORE = "Vitamin D repletion is advised."
SENTENCE = re.compile(r'<span class="letter-sentence">(.*?)</span> ', re.S)


def _days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def _letter(client: Client, patient: Patient, kind: str) -> str:
    return letter_text(client, patient, kind)


def _clinicians_sentences(client: Client, patient: Patient, kind: str) -> list[str]:
    """The markup of each sentence of the clinician's copy, its dates' `text-nowrap` spans read
    as their text (so that the end of a sentence's span is the end of the sentence)."""
    response = client.get(
        reverse("monitoring:letter", args=[patient.pk, kind]), {"copy": "clinician"}
    )
    assert response.status_code == 200
    return SENTENCE.findall(without_nowrap(" ".join(html.unescape(response.text).split())))


def _labs(patient: Patient, vitamin_d_ng_ml: int) -> None:
    """Vitamin D as given, a normal calcium and eGFR, 6 days ago (phys13 patient 224)."""
    for analyte, value, unit in (
        ("vitamin_d_25oh", Decimal(vitamin_d_ng_ml), "ng/mL"),
        ("calcium", Decimal("2.25"), "mmol/L"),
        ("egfr", Decimal(70), "mL/min/1.73m2"),
    ):
        LabResultFactory(
            patient=patient,
            sample_date=_days_ago(6),
            analyte=analyte,
            value=value,
            entered_value=value,
            entered_unit=unit,
        )


@pytest.fixture
def osteoporotic(patient: Patient) -> Patient:
    AromataseInhibitorCourseFactory(patient=patient, start_date=_days_ago(400))
    DexaScanFactory(patient=patient, scan_date=_days_ago(60), t=-2.6)
    return patient


@pytest.fixture
def started_despite_vitamin_d(osteoporotic: Patient, physician: User) -> BoneTherapyCourse:
    _labs(osteoporotic, 8)
    course = bone_therapy_start(
        actor=physician,
        patient=osteoporotic,
        values={
            "drug": "zoledronic_acid",
            "dose": "4 mg",
            "start_date": TODAY,
            "stop_date": None,
            "dental_review_date": _days_ago(6),
        },
        override_reason=REASON,
    )
    patient_assessment_refresh(patient=osteoporotic)
    return course


def test_the_doctors_letter_names_the_override(
    physician_client: Client, started_despite_vitamin_d: BoneTherapyCourse
) -> None:
    text = _letter(physician_client, started_despite_vitamin_d.patient, "doctor")
    assert (
        "Zoledronic acid was started despite a failed pre-treatment check (25-OH vitamin D); "
        f"reason recorded: “{REASON}” (physician, {TODAY:%Y-%m-%d})." in text
    )
    summary = physician_client.get(
        reverse("monitoring:patient_summary", args=[started_despite_vitamin_d.patient_id])
    )
    assert REASON in html.unescape(summary.text)  # the same override, as the summary shows it
    # Not in the patient's letter: it is the clinicians' record.
    assert REASON not in _letter(physician_client, started_despite_vitamin_d.patient, "patient")


def test_the_vitamin_d_advice_follows_the_started_drug(
    physician_client: Client, started_despite_vitamin_d: BoneTherapyCourse
) -> None:
    text = _letter(physician_client, started_despite_vitamin_d.patient, "doctor")
    assert (
        f"Vitamin D is deficient and zoledronic acid was started on {TODAY:%Y-%m-%d}: please "
        "replete vitamin D now, and recheck the adjusted calcium, as zoledronic acid can lower "
        "it." in text
    )
    assert BEFORE not in text
    BoneTherapyDose.objects.create(course=started_despite_vitamin_d, given_on=TODAY)
    patient_assessment_refresh(patient=started_despite_vitamin_d.patient)
    given = _letter(physician_client, started_despite_vitamin_d.patient, "doctor")
    assert f"zoledronic acid was last given on {TODAY:%Y-%m-%d}: please replete" in given


def test_a_planned_drug_keeps_the_usual_vitamin_d_advice(
    physician_client: Client, osteoporotic: Patient
) -> None:
    _labs(osteoporotic, 8)
    BoneTherapyCourse.objects.create(
        patient=osteoporotic,
        drug="zoledronic_acid",
        dose="4 mg",
        start_date=TODAY + dt.timedelta(days=14),
        dental_review_date=_days_ago(6),
    )
    patient_assessment_refresh(patient=osteoporotic)
    text = _letter(physician_client, osteoporotic, "doctor")
    assert BEFORE in text
    assert "please replete vitamin D now" not in text
    assert "despite a failed pre-treatment check" not in text


def test_an_insufficient_vitamin_d_keeps_the_usual_advice(
    physician_client: Client, osteoporotic: Patient
) -> None:
    _labs(osteoporotic, 25)  # insufficient, not deficient: no "replete before"
    BoneTherapyCourse.objects.create(
        patient=osteoporotic,
        drug="zoledronic_acid",
        dose="4 mg",
        start_date=_days_ago(3),
        dental_review_date=_days_ago(6),
    )
    patient_assessment_refresh(patient=osteoporotic)
    assert BEFORE in _letter(physician_client, osteoporotic, "doctor")


@pytest.mark.parametrize("kind", ["doctor", "patient"])
def test_every_sentence_of_the_clinicians_copy_names_its_rules(
    physician_client: Client, started_despite_vitamin_d: BoneTherapyCourse, kind: str
) -> None:
    patient = started_despite_vitamin_d.patient
    sentences = _clinicians_sentences(physician_client, patient, kind)
    assert any("Zoledronic acid" in s or "zoledronic acid" in s for s in sentences)
    assert [s for s in sentences if 'class="rule-ids"' not in s] == []
    text = letter_text(physician_client, patient, kind, copy="clinician")
    if kind == "doctor":
        assert "(physician, " in text
        assert "[VITD]" in text


def test_the_letters_rule_of_each_check_is_the_checklists() -> None:
    """`CHECK_RULES` (the overview may not import the checklist) says what the checklist cites."""
    cited = {spec.key: spec.rule for spec in safety.CHECK_SPECS}
    cited |= {after: cited[before] for before, after in later_results.AFTER_THE_DOSE.items()}
    # The time since the previous dose: DMAB-SCHEDULE for both drugs (`records/dose_safety.py`).
    assert CHECK_RULES[SafetyCheck.DOSE_INTERVAL] == RuleId.DMAB_SCHEDULE
    assert {key: rule for key, rule in CHECK_RULES.items() if key in cited} == cited
    assert set(CHECK_RULES) == set(SafetyCheck)


def test_a_supplement_recorded_since_the_result_follows_the_started_drug(
    physician_client: Client, started_despite_vitamin_d: BoneTherapyCourse
) -> None:
    """nurse13 #5: colecalciferol recorded as taken after the low result (the override's reason)
    is not a supplement whose dose failed: the letter asks for the recheck."""
    patient = started_despite_vitamin_d.patient
    url = reverse("monitoring:supplements", args=[patient.pk])
    answers = {"calcium": "no", "vitamin_d": "yes", "version": 0}
    assert physician_client.post(url, answers).status_code == 302
    text = _letter(physician_client, patient, "doctor")
    recheck = next(
        e["due"] for e in patient.assessment.data["schedule"] if e["item"] == "vitamin_d_recheck"
    )
    assert (
        "as zoledronic acid can lower it. A vitamin D supplement is recorded as taken from "
        f"{TODAY:%Y-%m-%d}, not before this result: recheck vitamin D by {recheck}." in text
    )
    assert "dose may need checking" not in text
