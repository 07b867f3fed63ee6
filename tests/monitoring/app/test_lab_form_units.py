"""The lab form's units (nurse9 F6): an analyte measured in one unit only has it chosen already,
and a result posted without it takes it; where there are two, the blank form offers the site's
(nurse11 F13, tests/monitoring/app/test_nurse11_forms.py) and a result posted without one is asked
for it."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring import domain
from monitoring.models import LabResult
from patients.models import Patient
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ONE_UNIT = {
    "egfr": "mL/min/1.73m2",
    "crcl": "mL/min",
    "bsap": "µg/L",
    "untx": "nmol BCE/mmol creatinine",
}


def test_the_only_units_are_the_ones_the_form_names() -> None:
    single = {
        analyte.value: units[0]
        for analyte, units in domain.ACCEPTED_UNITS.items()
        if len(units) == 1
    }
    assert single == ONE_UNIT


def test_a_one_unit_analyte_has_its_unit_chosen(nurse_client: Client, patient: Patient) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = posted_data(nurse_client.get(url).text, having="sample_date")
    for analyte, unit in ONE_UNIT.items():
        assert data[f"{analyte}_unit"] == unit, analyte
    assert data["vitamin_d_25oh_unit"] == "nmol/L"  # two units: the site's (SI) is offered
    response = nurse_client.post(
        url, {**data, "sample_date": TODAY.isoformat(), "egfr_value": "85", "bsap_value": "12,5"}
    )
    assert response.status_code == 302
    saved = {lab.analyte: (lab.entered_value, lab.entered_unit) for lab in LabResult.objects.all()}
    assert saved == {"egfr": (Decimal(85), ONE_UNIT["egfr"]), "bsap": (Decimal("12.5"), "µg/L")}


def test_a_result_posted_without_its_only_unit_takes_it(
    nurse_client: Client, patient: Patient
) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {"sample_date": TODAY.isoformat(), "egfr_value": "85", "egfr_unit": ""}
    assert nurse_client.post(url, data).status_code == 302
    lab = LabResult.objects.get()
    assert (lab.analyte, lab.entered_value, lab.entered_unit) == ("egfr", 85, ONE_UNIT["egfr"])


def test_two_units_still_need_a_choice(nurse_client: Client, patient: Patient) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {"sample_date": TODAY.isoformat(), "vitamin_d_25oh_value": "45"}
    response = nurse_client.post(url, data)
    assert response.context["form"].errors["vitamin_d_25oh_unit"] == [
        "Choose the unit of this result."
    ]
    assert not LabResult.objects.exists()
