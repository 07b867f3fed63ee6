"""physician10 F4, F9, F10 through the pages.

F4: denosumab or an oral bisphosphonate with no kidney function of the last 12 months on file
fails the pre-treatment kidney check (saved only with a physician's reason), raises
RENAL_FUNCTION_UNKNOWN, and a planned denosumab's bloods row asks for it.
F9: a contraindicated drug (RENAL_CONTRAINDICATION) or a dose held for a low calcium
(HYPOCALCEMIA) is a therapy decision row for a physician until one acknowledges it.
F10: the bloods row no longer calls a denosumab injection an infusion.
"""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.assessment.permissions import THERAPY_DECISION_CODES
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.domain.reference import ALERT_LIFECYCLE
from monitoring.models import Alert, BoneTherapyCourse
from patients.models import Patient
from tests.factories import LabResultFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
UNITS = {
    "vitamin_d_25oh": "ng/mL",
    "calcium": "mmol/L",
    "egfr": "mL/min/1.73m2",
    "crcl": "mL/min",
}
REASON = "Bloods taken today, result by phone: eGFR 70"
DECISION = "Therapy decision (physician)"
BLOODS = "Bloods before the antiresorptive (calcium, renal function)"


def _labs(patient: Patient, days_ago: int = 7, **values: str) -> None:
    for analyte, value in values.items():
        LabResultFactory(
            patient=patient,
            sample_date=TODAY - timedelta(days=days_ago),
            analyte=analyte,
            value=Decimal(value),
            entered_value=Decimal(value),
            entered_unit=UNITS[analyte],
        )


def _start(client: Client, patient: Patient, drug: str, **more: str):  # type: ignore[no-untyped-def]
    data = {
        "drug": drug,
        "dose": "as labelled",
        "start_date": TODAY.isoformat(),
        "dental_review_date": (TODAY - timedelta(days=10)).isoformat(),
        **more,
    }
    return client.post(reverse("monitoring:therapy_create", args=[patient.pk]), data)


def _row(page: str, check: str) -> tuple[str, str]:
    found = re.search(rf'<tr data-check="{check}" data-status="(\w+)">(.*?)</tr>', page, re.S)
    assert found, check
    return found.group(1), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(2)))


def _open(patient: Patient) -> dict[str, Alert]:
    return {a.code: a for a in Alert.objects.filter(patient=patient, cleared_at__isnull=True)}


def _worklist_csv(client: Client) -> list[dict[str, str]]:
    response = client.get(reverse("monitoring:worklist_csv"), {"weeks": 8})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _work(client: Client, patient: Patient) -> list[tuple[str, str, str]]:
    return [
        (row["item"], row["asked_by"], row["severity"])
        for row in _worklist_csv(client)
        if row["mrn"] == patient.mrn and row["asked_by"] != "schedule"
    ]


# --- F4: the checklist ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drug", "why"),
    [
        ("denosumab", "(it risks severe hypocalcaemia below 30 mL/min): measure it before the"),
        ("alendronate", "(it is contraindicated below 35 mL/min): measure it before it is"),
        ("risedronate", "(it is contraindicated below 30 mL/min): measure it before it is"),
    ],
)
def test_no_kidney_function_on_file_fails_the_check_and_saves_nothing(
    physician_client: Client, patient: Patient, drug: str, why: str
) -> None:
    _labs(patient, vitamin_d_25oh="40", calcium="2.40")
    _labs(patient, days_ago=400, egfr="80")  # too old to count
    response = _start(physician_client, patient, drug)
    assert response.status_code == 200
    status, renal = _row(response.text, "renal")
    assert status == "failed"
    assert "Not checked" not in renal
    assert f"No creatinine clearance or eGFR in the last 12 months for {drug} {why}" in renal
    assert _row(response.text, "vitamin_d")[0] == "passed"
    assert "Failed pre-treatment checks" in response.context["form"].errors["safety_override"][0]
    assert not BoneTherapyCourse.objects.exists()


def test_a_physician_overrides_the_kidney_check_with_a_reason(
    physician_client: Client, patient: Patient
) -> None:
    _labs(patient, vitamin_d_25oh="40", calcium="2.40")
    response = _start(physician_client, patient, "denosumab", safety_override="on")
    assert "Give the reason" in response.context["form"].errors["override_reason"][0]
    assert not BoneTherapyCourse.objects.exists()
    response = _start(
        physician_client, patient, "denosumab", safety_override="on", override_reason=REASON
    )
    assert response.status_code == 302
    course = BoneTherapyCourse.objects.get(patient=patient)
    assert course.safety_checks_failed == ["renal"]
    assert course.safety_override_reason == REASON
    unknown = _open(patient)["RENAL_FUNCTION_UNKNOWN"]
    assert unknown.severity == "warning"
    assert "for denosumab" in unknown.message


def test_a_kidney_result_of_the_last_12_months_passes(
    physician_client: Client, patient: Patient
) -> None:
    _labs(patient, vitamin_d_25oh="40", calcium="2.40", egfr="70")
    assert _start(physician_client, patient, "alendronate").status_code == 302
    course = BoneTherapyCourse.objects.get(patient=patient)
    assert course.safety_checks_failed == []
    assert "RENAL_FUNCTION_UNKNOWN" not in _open(patient)


# --- F4, F10: the bloods row ---------------------------------------------------------------------


def test_planned_denosumab_with_no_labs_asks_for_calcium_and_kidney_function(
    nurse_client: Client, patient: Patient, physician: User
) -> None:
    BoneTherapyCourse.objects.create(patient=patient, drug="denosumab", entered_by=physician)
    patient_assessment_refresh(patient=patient)
    assert sorted(_work(nurse_client, patient)) == [
        (BLOODS, "open alert", "warning"),
        ("Dental review before the antiresorptive", "open alert", "warning"),
    ]
    page = nurse_client.get(reverse("monitoring:worklist")).text
    assert BLOODS in page
    assert "Bloods before the infusion" not in page
    # A result recorded: the row asks for what is still missing.
    _labs(patient, egfr="70")
    patient_assessment_refresh(patient=patient)
    assert ("Bloods before the antiresorptive (calcium)", "open alert", "warning") in _work(
        nurse_client, patient
    )


def test_a_long_running_oral_bisphosphonate_gets_no_bloods_row(
    nurse_client: Client, patient: Patient, physician: User
) -> None:
    """Its one gate, the start, is years past: no kidney result asked for (module docstring of
    monitoring/records/safety.py)."""
    BoneTherapyCourse.objects.create(
        patient=patient,
        drug="alendronate",
        start_date=TODAY - timedelta(days=800),
        entered_by=physician,
    )
    patient_assessment_refresh(patient=patient)
    assert "RENAL_FUNCTION_UNKNOWN" not in _open(patient)
    assert not [row for row in _work(nurse_client, patient) if row[0].startswith("Bloods")]


# --- F9: therapy decisions -----------------------------------------------------------------------


def _course(patient: Patient, physician: User, drug: str, started_days_ago: int | None) -> None:
    start = None if started_days_ago is None else TODAY - timedelta(days=started_days_ago)
    BoneTherapyCourse.objects.create(
        patient=patient,
        drug=drug,
        start_date=start,
        dental_review_date=TODAY - timedelta(days=30),
        entered_by=physician,
    )
    patient_assessment_refresh(patient=patient)


@pytest.mark.parametrize(
    ("drug", "started_days_ago", "labs", "code", "severity"),
    [
        ("zoledronic_acid", None, {"crcl": "34.9"}, "RENAL_CONTRAINDICATION", "critical"),
        ("alendronate", 400, {"crcl": "34"}, "RENAL_CONTRAINDICATION", "high"),
        ("denosumab", 60, {"calcium": "2.11", "egfr": "70"}, "HYPOCALCEMIA", "critical"),
    ],
)
def test_a_contraindication_or_a_held_dose_is_a_physicians_decision_row(
    physician_client: Client,
    nurse_client: Client,
    patient: Patient,
    physician: User,
    drug: str,
    started_days_ago: int | None,
    labs: dict[str, str],
    code: str,
    severity: str,
) -> None:
    _labs(patient, vitamin_d_25oh="40", **{"calcium": "2.40", **labs})
    _course(patient, physician, drug, started_days_ago)
    alert = _open(patient)[code]
    assert alert.severity == severity
    assert (DECISION, "open alert", severity) in _work(physician_client, patient)
    assert (DECISION, "open alert", severity) in _work(nurse_client, patient)
    nurse_page = nurse_client.get(reverse("monitoring:worklist")).text
    assert "(a physician decides)" in nurse_page

    # A nurse may not write on a high or critical alert: nothing stored, the row stays.
    url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
    nurse_client.post(url, {"note": "Seen"})
    alert.refresh_from_db()
    assert (alert.acknowledged_at, alert.seen_at, alert.seen_note) == (None, None, "")
    assert (DECISION, "open alert", severity) in _work(physician_client, patient)

    # The physician decides: acknowledged, and the row is gone.
    physician_client.post(url, {"note": "Course cancelled, switching"})
    alert.refresh_from_db()
    assert alert.acknowledged_by == physician
    assert alert.acknowledgement_note == "Course cancelled, switching"
    assert DECISION not in [item for item, _by, _sev in _work(physician_client, patient)]


def test_the_renal_hypocalcaemia_risk_of_denosumab_is_no_decision_row(
    physician_client: Client, patient: Patient, physician: User
) -> None:
    """Not a contraindication: the alert asks for calcium to be watched (permissions.py)."""
    _labs(patient, vitamin_d_25oh="40", calcium="2.40", egfr="25")
    _course(patient, physician, "denosumab", 60)
    assert _open(patient)["HYPOCALCEMIA_RISK_RENAL"].severity == "high"
    assert DECISION not in [item for item, _by, _sev in _work(physician_client, patient)]


def test_the_rules_page_names_every_therapy_decision_code() -> None:
    """docs/clinical-rules.md's list is written in the rules package, which may not import the
    application's: kept equal here."""
    (sentence,) = [text for text in ALERT_LIFECYCLE if "therapy decision" in text]
    named = set(re.findall(r"[A-Z][A-Z_]{5,}", sentence))
    assert named == THERAPY_DECISION_CODES
