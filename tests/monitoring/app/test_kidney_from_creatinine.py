"""nurse9 F12: with zoledronic acid planned, the nurse records the renal bloods (a creatinine) on
the lab form. RENAL decides on a measured clearance or eGFR only (the spec; vignette 38), so
"Kidney function not measured" stays and the worklist still asks for the renal bloods; the alert
quotes the creatinine and its Cockcroft-Gault estimate (below zoledronic acid's limit for 400
µmol/L), and the labs table flags the creatinine by that estimate, labelled as one."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse
from monitoring.overview.labs import creatinine_flag
from monitoring.records.safety import course_checklist
from patients.models import Patient

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _open(patient: Patient) -> dict[str, Alert]:
    return {a.code: a for a in Alert.objects.filter(patient=patient, cleared_at__isnull=True)}


@pytest.fixture
def planned(patient: Patient) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="zoledronic_acid", dose="5 mg", dental_review_date=TODAY
    )
    patient_assessment_refresh(patient=patient)
    assert "RENAL_FUNCTION_UNKNOWN" in _open(patient)
    return course


def _record(client: Client, patient: Patient, value: str, unit: str) -> str:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {
        "sample_date": TODAY.isoformat(),
        "creatinine_value": value,
        "creatinine_unit": unit,
        "calcium_value": "2.35",
        "calcium_unit": "mmol/L",
    }
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize(("value", "unit"), [("400", "µmol/L"), ("4.524", "mg/dL")])
def test_a_high_creatinine_is_shown_with_its_estimate_and_the_function_stays_unknown(
    nurse_client: Client, patient: Patient, planned: BoneTherapyCourse, value: str, unit: str
) -> None:
    _record(nurse_client, patient, value, unit)
    alerts = _open(patient)
    assert not {"RENAL_CONTRAINDICATION", "RENAL_DOSE_CHECK"} & set(alerts)
    unknown = alerts["RENAL_FUNCTION_UNKNOWN"]
    # The spec's code, as vignette 38; high, as its estimate is below the limit (phys14 #1).
    assert unknown.severity == "high"
    assert f"on {TODAY.isoformat()} gives an estimated clearance of" in unknown.message
    assert "below zoledronic acid's 35 mL/min limit" in unknown.message
    assert "enter a measured creatinine clearance or eGFR before the infusion" in unknown.message

    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert "below zoledronic acid&#x27;s 35 mL/min limit" in page  # the alert
    assert "estimated creatinine clearance" in page  # the labs table, labelled an estimate
    worklist = nurse_client.get(reverse("monitoring:worklist")).text
    assert "renal function" in worklist  # the spec: bloods asked while the function is unknown


def test_a_normal_creatinine_leaves_not_measured_and_the_bloods(
    nurse_client: Client, patient: Patient, planned: BoneTherapyCourse
) -> None:
    _record(nurse_client, patient, "75", "µmol/L")
    alerts = _open(patient)
    assert not {"RENAL_CONTRAINDICATION", "RENAL_DOSE_CHECK"} & set(alerts)
    unknown = alerts["RENAL_FUNCTION_UNKNOWN"]
    assert "the decision rests on a measured creatinine clearance or eGFR" in unknown.message
    assert "renal function" in nurse_client.get(reverse("monitoring:worklist")).text


def test_without_a_weight_the_alert_says_the_estimate_needs_it(
    nurse_client: Client, patient: Patient, planned: BoneTherapyCourse
) -> None:
    Patient.objects.filter(pk=patient.pk).update(weight_kg=None)
    _record(nurse_client, patient, "75", "µmol/L")
    unknown = _open(patient)["RENAL_FUNCTION_UNKNOWN"]
    assert unknown.message.startswith("No creatinine clearance or eGFR in the last 12 months")
    assert f"Creatinine 75.00 µmol/L on {TODAY.isoformat()} is on file" in unknown.message
    assert (
        "needs the patient&#x27;s weight"
        in nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    )


@pytest.mark.parametrize(
    ("value", "weight", "word"),
    [
        ("400", "60", "low clearance"),
        ("100", "60", "reduced clearance"),
        ("75", "60", None),
        ("400", None, None),
    ],
)
def test_the_labs_table_flags_a_creatinine_by_its_estimate(
    patient: Patient, value: str, weight: str | None, word: str | None
) -> None:
    patient.weight_kg = Decimal(weight) if weight else None
    flag = creatinine_flag(Decimal(value), TODAY, patient)
    assert (flag.word if flag else None) == word
    if flag:
        assert flag.note.startswith("estimated creatinine clearance")
        assert "(Cockcroft-Gault, an estimate" in flag.note


@pytest.mark.parametrize("value", ["400", "75"])
def test_the_safety_checklist_does_not_judge_by_a_creatinine(
    nurse_client: Client, patient: Patient, value: str
) -> None:
    """The kidney check passes or fails on a measured clearance or eGFR only (the spec): with a
    creatinine alone it fails as unknown, whatever the creatinine (physician10 F4: none on file
    fails before an oral bisphosphonate too), the creatinine quoted as information."""
    _record(nurse_client, patient, value, "µmol/L")
    values: dict[str, object] = {
        "drug": "alendronate",
        "start_date": None,
        "dental_review_date": TODAY,
    }
    checklist = course_checklist(patient=patient, values=values)
    (renal,) = [check for check in checklist.checks if check.key == "renal"]
    assert renal.status == "failed"
    assert renal.messages[0].startswith(
        "No creatinine clearance or eGFR in the last 12 months for alendronate"
    )
    assert renal.value != f"{value} µmol/L"
