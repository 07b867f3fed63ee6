"""A number is written in ASCII digits with nothing inside it but one decimal separator (sec12 #5):
Python reads "7_5" as 75 and fullwidth digits as ASCII ones, so a slipped key was saved as a
plausible, wrong result. Every number field and the results CSV import refuse them, beside the
field or on the row, and nothing is saved."""

from datetime import timedelta

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.decimals import DecimalField, WholeNumberField
from monitoring.models import LabResult
from patients.models import AromataseInhibitorCourse, Patient
from tests.monitoring.imports.helpers import results_csv, snapshot
from tests.monitoring.imports.test_nurse11_import_messages import _confirm, _upload
from tests.patients.test_patient_forms import valid_data

TODAY = timezone.localdate()
UNWRITTEN = ["7_5", "1_000", "_75", "75_", "\uff12.\uff13", "\u0667\u0665"]


@pytest.mark.parametrize("typed", UNWRITTEN)
def test_the_number_fields_refuse_what_a_person_does_not_write(typed: str) -> None:
    with pytest.raises(forms.ValidationError) as refused:
        DecimalField(max_digits=6, decimal_places=3, example="62.5").clean(typed)
    assert refused.value.messages == ["Enter a number, e.g. 62.5 or 62,5."]
    with pytest.raises(forms.ValidationError) as refused:
        WholeNumberField().clean(typed.replace(".", ""))
    assert refused.value.messages == ["Enter a number."]


def test_plain_numbers_still_read() -> None:
    assert str(DecimalField(max_digits=6, decimal_places=3).clean(" 7,5 ")) == "7.5"
    assert str(DecimalField(max_digits=6, decimal_places=3).clean("\u22121.5")) == "-1.5"
    assert WholeNumberField().clean(" 12 ") == 12


@pytest.mark.django_db
class TestForms:
    def test_a_lab_typed_with_an_underscore_is_refused_beside_it_and_not_saved(
        self, nurse_client: Client, patient: Patient
    ) -> None:
        data = {
            "sample_date": TODAY.isoformat(),
            "vitamin_d_25oh_value": "7_5",
            "vitamin_d_25oh_unit": "nmol/L",
            "calcium_value": "2.3",
            "calcium_unit": "mmol/L",
        }
        response = nurse_client.post(reverse("monitoring:labs_create", args=[patient.pk]), data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["vitamin_d_25oh_value"]
        assert errors["vitamin_d_25oh_value"][0].startswith("Enter a number")
        assert 'value="7_5"' in response.text
        assert not LabResult.objects.exists()

    def test_the_patient_forms_whole_and_decimal_numbers_refuse_underscores(
        self, nurse_client: Client, site: Site
    ) -> None:
        data = valid_data(
            site,
            weight_kg="6_1",
            oral_glucocorticoid_months="1_2",
            ai_planned_duration_months="6_0",
        )
        response = nurse_client.post(reverse("patients:create"), data)
        errors = response.context["form"].errors
        for name in ("weight_kg", "oral_glucocorticoid_months", "ai_planned_duration_months"):
            assert errors[name][0].startswith("Enter a number"), name
        assert not Patient.objects.exists()

    def test_the_course_forms_months_refuse_underscores(
        self, nurse_client: Client, patient: Patient
    ) -> None:
        before = list(AromataseInhibitorCourse.objects.values())
        data = {
            "drug": "letrozole",
            "start_date": (TODAY - timedelta(days=3)).isoformat(),
            "planned_duration_months": "6_0",
        }
        url = reverse("patients:ai_course_create", args=[patient.pk])
        response = nurse_client.post(url, data)
        assert response.context["form"].errors["planned_duration_months"] == ["Enter a number."]
        assert list(AromataseInhibitorCourse.objects.values()) == before

    def test_the_worklist_weeks_refuse_underscores(self, nurse_client: Client) -> None:
        response = nurse_client.get(reverse("monitoring:worklist"), {"weeks": "1_2"})
        assert response.status_code == 200
        assert response.context["form"].errors["weeks"] == ["Enter a number."]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["7_5", "\uff17\uff15"])
def test_the_results_csv_refuses_them_on_the_row(
    nurse_client: Client, patient: Patient, typed: str
) -> None:
    before = snapshot()
    rows = [
        {"mrn": patient.mrn, "date": "2025-03-02", "measure": "vitamin_d_25oh", "value": typed,
         "unit": "nmol/L"},
    ]  # fmt: skip
    preview = _upload(nurse_client, results_csv(rows))
    assert f"{typed!r} is not a number" in preview.content.decode().replace("&#x27;", "'")
    _confirm(nurse_client, preview)  # a file with a problem imports nothing, even confirmed
    assert snapshot() == before
    assert not LabResult.objects.exists()
