"""Number boxes as a nurse on a phone meets them (nurse11 F6, F8, F9).

- F6: a T-score or Z-score box opens a keyboard with a minus ("text"): the iPhone's decimal keypad
  has none, and scores are mostly negative. Boxes of values never negative keep the decimal keypad.
- F8: the error summary names the site or analyte of a label the form repeats, and each box's
  example fits it (a BMD's is 0.912, never 62.5).
- F9: one rule for a decimal comma everywhere: the forms and the results CSV take 81,5 as 81.5 and
  refuse 1,000 saying why; no message says "with a dot".
"""

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.decimals import DecimalField
from monitoring import domain
from monitoring.models import DexaScan, FraxResult, LabResult, Scanner
from monitoring.models.choices import MeasuredSite
from monitoring.records.forms.frax import FraxForm
from monitoring.records.forms.labs import LabResultsForm, lab_example
from monitoring.records.forms.scanners import ScannerForm
from monitoring.records.forms.scans import DexaScanForm
from monitoring.records.imports.results_csv import results_read
from monitoring.records.lab_bounds import entry_range_missed
from patients.forms import PatientForm
from patients.models import Patient
from tests.factories import ScannerFactory
from tests.monitoring.imports.helpers import results_csv

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SCANNED = (TODAY - timedelta(days=10)).isoformat()


def _input(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found is not None, name
    return found.group(0)


def test_score_boxes_open_a_keyboard_with_a_minus(nurse_client: Client, patient: Patient) -> None:
    page = nurse_client.get(reverse("monitoring:scan_create", args=[patient.pk])).text
    for site in MeasuredSite:
        for score in ("t_score", "z_score"):
            box = _input(page, f"{site}_{score}")
            assert 'inputmode="text"' in box, box
            assert 'spellcheck="false"' in box
        assert 'inputmode="decimal"' in _input(page, f"{site}_bmd")  # never negative
    labs = nurse_client.get(reverse("monitoring:labs_create", args=[patient.pk])).text
    assert 'inputmode="decimal"' in _input(labs, "calcium_value")


def test_a_negative_score_typed_with_a_comma_is_saved(
    nurse_client: Client, patient: Patient
) -> None:
    scanner = ScannerFactory(site=patient.site)
    data = {
        "scan_date": SCANNED,
        "scanner": scanner.pk,
        "lumbar_spine_bmd": "0,912",
        "lumbar_spine_t_score": "-1,5",
        "lumbar_spine_z_score": "\u22120.8",  # a minus copied from a PDF
    }
    response = nurse_client.post(reverse("monitoring:scan_create", args=[patient.pk]), data)
    assert response.status_code == 302
    measurement = DexaScan.objects.get(patient=patient).measurements.get()
    assert (measurement.t_score, measurement.z_score) == (Decimal("-1.5"), Decimal("-0.8"))


def test_the_summary_names_the_site_of_a_bmd_and_the_example_fits(
    nurse_client: Client, patient: Patient
) -> None:
    scanner = ScannerFactory(site=patient.site)
    data = {
        "scan_date": SCANNED,
        "scanner": scanner.pk,
        "lumbar_spine_bmd": "0.912",
        "lumbar_spine_t_score": "-1.2",
        "femoral_neck_bmd": "6.9",
        "femoral_neck_t_score": "-1.6",
        "total_hip_bmd": "abc",
        "total_hip_t_score": "-1.1",
    }
    response = nurse_client.post(reverse("monitoring:scan_create", args=[patient.pk]), data)
    assert response.status_code == 200
    page = response.text
    assert "Femoral neck BMD (g/cm²)</a>: Enter a value from 0.2 to 2.0 g/cm²." in page
    assert "Total hip BMD (g/cm²)</a>: Enter a number, e.g. 0.912 or 0,912." in page
    assert "62.5" not in page
    assert not DexaScan.objects.exists()


def test_the_summary_names_the_analyte_of_a_unit(nurse_client: Client, patient: Patient) -> None:
    data = {
        "sample_date": SCANNED,
        "ctx_value": "0.4",
        "ctx_unit": "",
        "p1np_value": "45",
        "p1np_unit": "",
        "calcium_value": "2,35",
        "calcium_unit": "",
        "fasting": "yes",
    }
    response = nurse_client.post(reverse("monitoring:labs_create", args=[patient.pk]), data)
    page = response.text
    for label in ("CTX unit", "P1NP unit", "Calcium (albumin-adjusted) unit"):
        assert f"{label}</a>: Choose the unit of this result." in page
    assert ">Unit</a>" not in page
    assert not LabResult.objects.exists()


@pytest.mark.parametrize("units", ["si", "conventional"])
def test_a_lab_number_not_read_gives_an_example_of_that_analyte(
    nurse_client: Client, patient: Patient, site: Site, units: str
) -> None:
    site.lab_units = units
    site.save()
    data = {"sample_date": SCANNED, "creatinine_value": "eighty"}
    response = nurse_client.post(reverse("monitoring:labs_create", args=[patient.pk]), data)
    (error,) = response.context["form"].errors["creatinine_value"]
    example = "80" if units == "si" else "0.9 or 0,9"
    assert error == f"Enter a number, e.g. {example}."
    assert not LabResult.objects.exists()


def _decimal_fields(form: forms.BaseForm) -> dict[str, DecimalField]:
    return {name: field for name, field in form.fields.items() if isinstance(field, DecimalField)}


def test_every_number_box_has_an_example_that_fits_it(patient: Patient, site: Site) -> None:
    """Each example is accepted by its own field, and a lab's is plausible in its unit."""
    scanners = Scanner.objects.filter(site=site)
    forms_: list[forms.BaseForm] = [
        DexaScanForm(patient=patient, scanners=scanners),
        FraxForm(patient=patient),
        PatientForm(sites=Site.objects.all()),
        ScannerForm(sites=Site.objects.all()),
        LabResultsForm(patient=patient),
    ]
    checked = 0
    for form in forms_:
        for name, field in _decimal_fields(form).items():
            assert field.example, name
            field.clean(field.example)  # raises if the field refuses its own example
            assert "(62.5)" not in field.error_messages["invalid"]
            checked += 1
    assert checked >= 22
    for analyte, units in domain.ACCEPTED_UNITS.items():
        for unit in units:
            example = lab_example(analyte, unit)
            assert example is not None, (analyte, unit)
            assert entry_range_missed(analyte, Decimal(example), unit) is None, (analyte, unit)


# nurse10: "12%" was refused without saying what to type; a decimal comma is fine, so the number
# to type is the one typed, without the %.
@pytest.mark.parametrize(
    ("typed", "number", "stored"), [("12%", "12", "12"), ("12,5%", "12,5", "12.5")]
)
def test_the_frax_percent_is_refused_with_the_number_as_typed(
    nurse_client: Client, patient: Patient, typed: str, number: str, stored: str
) -> None:
    url = reverse("monitoring:frax_create", args=[patient.pk])
    data = {"assessed_on": SCANNED, "major_osteoporotic_pct": typed, "hip_pct": "2"}
    response = nurse_client.post(url, data)
    assert response.context["form"].errors["major_osteoporotic_pct"] == [
        f"Enter the number without %: {number}."
    ]
    assert not FraxResult.objects.exists()
    assert nurse_client.post(url, {**data, "major_osteoporotic_pct": number}).status_code == 302
    assert FraxResult.objects.get().major_osteoporotic_pct == Decimal(stored)


def _rows(**changes: str) -> list[dict[str, Any]]:
    return [
        {"mrn": "A1001", "date": SCANNED, "measure": "lumbar_spine", "value": "0,912",
         "unit": "g/cm2", "scanner": "Lunar", "t_score": "-1,5", "z_score": "-0,4"},
        {"mrn": "A1001", "date": SCANNED, "measure": "vitamin_d_25oh", "value": "81,5",
         "unit": "nmol/L", **changes},
    ]  # fmt: skip


def test_the_results_csv_reads_a_decimal_comma_as_the_forms_do(
    nurse_client: Client, patient: Patient
) -> None:
    ScannerFactory(site=patient.site, name="Lunar")
    upload_page = nurse_client.get(reverse("monitoring:import_upload")).text
    assert "a decimal point or a decimal comma" in upload_page  # said where the file is chosen
    text = results_csv(_rows())
    assert '"81,5"' in text  # a cell holding a comma is quoted, as CSV writers do
    _readings, problems = results_read(text)
    assert problems == []
    upload = nurse_client.post(
        reverse("monitoring:import_upload"),
        {"kind": "results_csv", "file": _file(text)},
        follow=True,
    )
    token = upload.context["upload"]
    done = nurse_client.post(
        reverse("monitoring:import_confirm"),
        {"token": token.token, "sha256": token.sha256},
        follow=True,
    )
    assert done.status_code == 200
    vitamin_d = LabResult.objects.get(patient=patient)
    assert (vitamin_d.entered_value, vitamin_d.entered_unit) == (Decimal("81.5"), "nmol/L")
    measurement = DexaScan.objects.get(patient=patient).measurements.get()
    assert (measurement.bmd, measurement.t_score, measurement.z_score) == (
        Decimal("0.912"),
        Decimal("-1.5"),
        Decimal("-0.4"),
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1,000", "'1,000': Is this 1.000 or 1000? Type the one you mean"),
        ("81,5.0", "'81,5.0': Use one decimal separator (a dot or a comma)"),
        ("81,", "'81,' is not a number"),
    ],
)
def test_the_results_csv_refuses_a_comma_that_is_not_a_decimal_one(
    patient: Patient, value: str, problem: str
) -> None:
    ScannerFactory(site=patient.site, name="Lunar")
    _, problems = results_read(results_csv(_rows(value=value)))
    (refused,) = problems
    assert refused.column == "value"
    assert str(refused.message).startswith(problem)
    assert "with a point" not in refused.message
    assert "with a dot" not in refused.message


def _file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("results.csv", text.encode(), content_type="text/csv")
