"""phys13 F3, F9, F15c through the pages.

F3: a woman of 76, 47 kg, eGFR 40 and creatinine 110 µmol/L of one sample: the Cockcroft-Gault
clearance (28.5 mL/min) is lower, so RENAL judges it (rules/kidney.py); the alert, the checklist
and the labs table agree, and the table no longer calls it "not judged".
F9: an unmeasured calcium before an oral bisphosphonate is a caution, not "Not checked".
F15c: denosumab below 30 mL/min reads "Caution" (its text: not contraindicated), still saved only
with a physician's override.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from monitoring.models import BoneTherapyCourse
from monitoring.records.safety import CheckStatus, course_checklist
from patients.models import Patient
from tests.factories import LabResultFactory
from tests.monitoring.app.test_kidney_unknown_and_decisions import (
    TODAY,
    _labs,
    _open,
    _row,
    _start,
)

pytestmark = pytest.mark.django_db
SAMPLED = TODAY - timedelta(days=7)  # as `_labs` dates them


@pytest.fixture
def small(patient: Patient) -> Patient:
    """phys13's patient: 76 on the sample date, 47 kg."""
    born = date(SAMPLED.year - 76, 1, 1)  # 76 on the sample date
    Patient.objects.filter(pk=patient.pk).update(birth_date=born, weight_kg=Decimal(47))
    patient.refresh_from_db()
    _labs(patient, vitamin_d_25oh="40", calcium="2.30", egfr="40")
    LabResultFactory(
        patient=patient,
        sample_date=SAMPLED,
        analyte="creatinine",
        value=Decimal(110),
        entered_value=Decimal(110),
        entered_unit="µmol/L",
    )
    return patient


def test_the_checklist_the_alert_and_the_table_judge_the_lower_estimate(
    physician_client: Client, small: Patient
) -> None:
    values: dict[str, object] = {
        "drug": "zoledronic_acid",
        "start_date": TODAY,
        "dental_review_date": TODAY,
    }
    (renal,) = [
        c for c in course_checklist(patient=small, values=values).checks if c.key == "renal"
    ]
    assert renal.status is CheckStatus.FAILED
    assert renal.physician_override  # critical: a physician only
    assert (renal.value, renal.analyte) == ("28.5 mL/min", "crcl")
    assert renal.messages[0].startswith(
        "creatinine clearance 28.5 mL/min on "
        f"{renal.date.isoformat()}, estimated by Cockcroft-Gault (< 35): zoledronic acid is "  # type: ignore[union-attr]
        "contraindicated."
    )

    # Without the override nothing is saved; the page shows what the checklist says.
    status, words = _row(_start(physician_client, small, "zoledronic_acid").text, "renal")
    assert status == "failed"
    assert "Override: a physician only." in words
    assert "28.5 mL/min" in words
    assert not BoneTherapyCourse.objects.filter(patient=small).exists()

    # Planned by a physician with a reason: the stored alert (the reassessment's own history)
    # says the same as the checklist.
    response = _start(
        physician_client,
        small,
        "zoledronic_acid",
        safety_override="on",
        override_reason="Nephrology advice: reduced dose agreed",
    )
    assert response.status_code == 302
    alert = _open(small)["RENAL_CONTRAINDICATION"]
    assert alert.severity == "critical"
    assert alert.message.startswith("creatinine clearance 28.5 mL/min on")
    assert "RENAL_DOSE_CHECK" not in _open(small)

    page = physician_client.get(reverse("monitoring:patient", args=[small.pk])).text
    table = re.search(r'<table class="table table-sm labs-table.*?</table>', page, re.S)
    assert table is not None
    assert "not judged" not in table.group(0)
    assert (
        "estimated creatinine clearance 28.5 mL/min (Cockcroft-Gault, 47 kg on record), lower "
        "than the eGFR 40 mL/min/1.73 m² of the same sample: the kidney function the rules judge"
        in table.group(0)
    )
    assert "check the zoledronic acid dose" not in table.group(0)


def test_an_unmeasured_calcium_before_alendronate_is_a_caution(
    physician_client: Client, patient: Patient
) -> None:
    _labs(patient, vitamin_d_25oh="40", egfr="28")  # eGFR 28 fails: the checklist is shown
    status, words = _row(_start(physician_client, patient, "alendronate").text, "calcium")
    assert status == "caution"
    assert "Not checked" not in words
    assert (
        "No albumin-adjusted calcium of the last 12 months: hypocalcaemia is a contraindication "
        "of alendronate; measure the calcium before it is started." in words
    )
    assert "A caution, not a gate" in words


def test_denosumab_below_30_is_a_caution_a_physician_overrides(
    physician_client: Client, patient: Patient
) -> None:
    _labs(patient, vitamin_d_25oh="40", calcium="2.40", egfr="28")
    page = _start(physician_client, patient, "denosumab").text
    status, words = _row(page, "renal")
    assert status == "physician_caution"
    assert "Caution" in words
    assert "Failed" not in words
    assert "denosumab is not contraindicated" in words
    assert "Override: a physician only." in words
    assert "(creatinine clearance or eGFR): a caution)" in page  # the refusal says so
    assert not BoneTherapyCourse.objects.filter(patient=patient).exists()

    saved = _start(
        physician_client,
        patient,
        "denosumab",
        safety_override="on",
        override_reason="Calcium to be checked weekly, renal team aware",
    )
    assert saved.status_code == 302
    course = BoneTherapyCourse.objects.get(patient=patient)
    assert course.safety_override_reason == "Calcium to be checked weekly, renal team aware"
