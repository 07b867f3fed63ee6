"""The lab form and the labs table as a nurse met them (nurse11 F13, F11).

- F13: a blank lab form offers each analyte in the unit its site reads it in (the SI or
  conventional site setting), never replacing a unit the user posted or a result saved.
- F11: a creatinine and an eGFR of one sample give one verdict, not two: RENAL judges the
  measured clearance when there is one, else the lower of the eGFR and the creatinine's
  Cockcroft-Gault estimate (phys13 F3); the other is information only.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from monitoring import domain
from monitoring.models import LabResult
from monitoring.overview.labs import KIDNEY_REDUCED_NOTE, lab_rows
from patients.models import Patient
from tests.factories import LabResultFactory
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SAMPLED = TODAY - timedelta(days=3)
SI_UNITS = {"vitamin_d_25oh": "nmol/L", "calcium": "mmol/L", "creatinine": "µmol/L"}
CONVENTIONAL_UNITS = {"vitamin_d_25oh": "ng/mL", "calcium": "mg/dL", "creatinine": "mg/dL"}


def _labs_url(patient: Patient) -> str:
    return reverse("monitoring:labs_create", args=[patient.pk])


def _selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select is not None, name
    chosen = re.findall(r'<option value="([^"]*)" selected>', select.group(0))
    return chosen[0] if chosen else ""


@pytest.mark.parametrize(
    ("units", "expected"), [("si", SI_UNITS), ("conventional", CONVENTIONAL_UNITS)]
)
def test_a_blank_form_offers_the_sites_units(
    nurse_client: Client, patient: Patient, site: Site, units: str, expected: dict[str, str]
) -> None:
    site.lab_units = units
    site.save()
    page = nurse_client.get(_labs_url(patient)).text
    for analyte, unit in expected.items():
        assert _selected(page, f"{analyte}_unit") == unit, analyte
    assert _selected(page, "ctx_unit") == "ng/mL"
    assert _selected(page, "p1np_unit") == "µg/L"

    # Saved as a browser posts the form: each value in the unit offered.
    data = posted_data(page, having="sample_date") | {
        "sample_date": SAMPLED.isoformat(),
        "vitamin_d_25oh_value": "62" if units == "si" else "25",
        "calcium_value": "2.35" if units == "si" else "9.4",
    }
    assert nurse_client.post(_labs_url(patient), data).status_code == 302
    saved = {lab.analyte: lab.entered_unit for lab in LabResult.objects.filter(patient=patient)}
    assert saved == {a: expected[a] for a in ("vitamin_d_25oh", "calcium")}


def test_a_unit_the_user_posted_is_kept_not_replaced_by_the_sites(
    nurse_client: Client, patient: Patient, site: Site
) -> None:
    site.lab_units = "conventional"
    site.save()
    data = {
        "sample_date": SAMPLED.isoformat(),
        "vitamin_d_25oh_value": "62",
        "vitamin_d_25oh_unit": "nmol/L",  # the report's unit, not the site's
        "calcium_value": "2.35",
        "calcium_unit": "",  # cleared: asked for, not filled in by the site's
        "creatinine_value": "abc",
        "creatinine_unit": "µmol/L",
    }
    refused = nurse_client.post(_labs_url(patient), data)
    assert refused.status_code == 200
    assert _selected(refused.text, "vitamin_d_25oh_unit") == "nmol/L"
    assert _selected(refused.text, "calcium_unit") == ""
    assert _selected(refused.text, "creatinine_unit") == "µmol/L"
    assert refused.context["form"].errors["calcium_unit"] == ["Choose the unit of this result."]
    assert not LabResult.objects.exists()
    fixed = data | {"calcium_unit": "mmol/L", "creatinine_value": "80"}
    assert nurse_client.post(_labs_url(patient), fixed).status_code == 302
    saved = {lab.analyte: lab.entered_unit for lab in LabResult.objects.filter(patient=patient)}
    assert saved == {"vitamin_d_25oh": "nmol/L", "calcium": "mmol/L", "creatinine": "µmol/L"}


def test_a_saved_result_keeps_its_unit_on_its_edit_form(
    nurse_client: Client, patient: Patient, site: Site
) -> None:
    """An SI site: a result entered in ng/mL is shown and saved unchanged in ng/mL."""
    lab = LabResultFactory(
        patient=patient, sample_date=SAMPLED, value=25, entered_value=25, entered_unit="ng/mL"
    )
    url = reverse("monitoring:lab_update", args=[patient.pk, lab.pk])
    data = posted_data(nurse_client.get(url).text, having="version")
    assert data["unit"] == "ng/mL"
    before = LabResult.objects.values().get(pk=lab.pk)
    response = nurse_client.post(url, data, follow=True)
    assert "Nothing was changed" in response.text
    assert LabResult.objects.values().get(pk=lab.pk) == before


def _lab(patient: Patient, analyte: str, value: str, unit: str, day: object = SAMPLED) -> None:
    canonical = domain.to_canonical(analyte, Decimal(value), unit)
    LabResultFactory(
        patient=patient,
        sample_date=day,
        analyte=analyte,
        value=canonical,
        entered_value=Decimal(value),
        entered_unit=unit,
    )


def _creatinine_flag(patient: Patient) -> object:
    (row,) = [
        row
        for row in lab_rows(
            LabResult.objects.filter(patient=patient), domain.UnitSystem.SI, patient
        )
        if row.lab.analyte == "creatinine"
    ]
    return row.flag


def test_a_creatinine_beside_an_egfr_of_its_sample_gives_one_verdict(
    nurse_client: Client, patient: Patient
) -> None:
    """nurse11 F11: eGFR 72 and creatinine 80 µmol/L of one sample (a woman of 68, 60 kg: an
    estimate of about 56 mL/min) read as two verdicts. phys13 F3: the lower estimate is the
    kidney function RENAL judges (rules/kidney.py), so it is flagged as the one judged and the
    eGFR points to it, unflagged."""
    data = {
        "sample_date": SAMPLED.isoformat(),
        "egfr_value": "72",
        "creatinine_value": "80",
        "creatinine_unit": "µmol/L",
    }
    assert nurse_client.post(_labs_url(patient), data).status_code == 302
    assert LabResult.objects.filter(patient=patient).count() == 2
    flag = _creatinine_flag(patient)
    assert flag is not None
    assert (flag.word, flag.level, flag.judged) == ("reduced clearance", "warning", True)  # type: ignore[attr-defined]
    assert (
        "(Cockcroft-Gault, 60 kg on record), lower than the eGFR 72 mL/min/1.73 m² of the same "
        "sample: the kidney function the rules judge" in flag.note  # type: ignore[attr-defined]
    )
    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    table = re.search(r'<table class="table table-sm labs-table.*?</table>', page, re.S)
    assert table is not None
    assert "not judged" not in table.group(0)
    assert "see creatinine" in table.group(0)
    assert table.group(0).count('class="lab-flagged"') == 1  # the estimate, not the eGFR


def test_a_higher_estimate_is_information_beside_the_egfr(patient: Patient) -> None:
    _lab(patient, "egfr", "50", "mL/min/1.73m2")
    _lab(patient, "creatinine", "80", "µmol/L")
    flag = _creatinine_flag(patient)
    assert (flag.word, flag.level) == ("estimate", "info")  # type: ignore[attr-defined]
    assert "not lower than the eGFR 50 mL/min/1.73 m² of the same sample" in flag.note  # type: ignore[attr-defined]


def test_a_clearance_wins_over_an_egfr_of_the_same_sample(patient: Patient) -> None:
    _lab(patient, "egfr", "72", "mL/min/1.73m2")
    _lab(patient, "crcl", "58", "mL/min")
    _lab(patient, "creatinine", "80", "µmol/L")
    flag = _creatinine_flag(patient)
    assert "the creatinine clearance 58 mL/min of the same sample" in flag.note  # type: ignore[attr-defined]


def test_a_creatinine_without_a_measured_function_that_day_is_still_flagged(
    patient: Patient,
) -> None:
    _lab(patient, "egfr", "72", "mL/min/1.73m2", day=SAMPLED - timedelta(days=1))
    _lab(patient, "creatinine", "80", "µmol/L")
    flag = _creatinine_flag(patient)
    assert (flag.word, flag.level) == ("reduced clearance", "warning")  # type: ignore[attr-defined]
    assert KIDNEY_REDUCED_NOTE in flag.note  # type: ignore[attr-defined]
