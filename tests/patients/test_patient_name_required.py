"""A patient's name is required on the registration and edit forms, blank once stripped refused
beside the field (sec11 #6: a nameless patient is easy to take for another). A history file may
carry none: its import still registers the patient, with no name made up, and she shows her MRN
where a name is wanted until her record's form gives one."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from monitoring.records.history_import import history_import
from patients.models import Patient
from tests.factories import PatientFactory
from tests.html_forms import posted_data
from tests.patients.test_patient_forms import valid_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["", "   ", "\u00a0\t "])
def test_registration_without_a_name_is_refused_beside_it(
    nurse_client: Client, site: Site, name: str
) -> None:
    response = nurse_client.post(reverse("patients:create"), valid_data(site, name=name))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Give the patient's name."]
    assert not Patient.objects.exists()
    kept = posted_data(response.text, having="mrn")
    assert (kept["mrn"], kept["birth_date"], kept["ai_start_date"]) == (
        "b2002",
        "1956-03-02",
        "2024-01-15",
    )


def test_a_name_is_stored_stripped(nurse_client: Client, site: Site) -> None:
    response = nurse_client.post(reverse("patients:create"), valid_data(site, name="  Ada  "))
    assert response.status_code == 302
    assert Patient.objects.get().name == "Ada"


def test_editing_a_name_to_blank_is_refused_and_nothing_changes(
    nurse_client: Client, patient: Patient
) -> None:
    url = reverse("patients:update", args=[patient.pk])
    opened = posted_data(nurse_client.get(url).text, having="mrn")
    response = nurse_client.post(url, opened | {"name": "  ", "weight_kg": "61"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Give the patient's name."]
    assert posted_data(response.text, having="mrn")["weight_kg"] == "61"
    stored = Patient.objects.get(pk=patient.pk)
    assert (stored.name, stored.weight_kg, stored.version) == ("Jane Example", 60, patient.version)


def _history(**patient: Any) -> dict[str, Any]:
    return {"patient": {"mrn": "H7001", "sex": "F", "birth_date": "1960-02-02", **patient}}


@pytest.mark.parametrize("name", [None, "", "   "])
def test_a_history_without_a_name_still_imports_with_no_name_made_up(
    site: Site, nurse: User, nurse_client: Client, name: str | None
) -> None:
    history_import(data=_history() if name is None else _history(name=name), site=site, actor=nurse)
    patient = Patient.objects.get(mrn="H7001")
    assert patient.name == ""
    # Her MRN stands where a name is wanted; the list's name column says there is none.
    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert '<h1 class="h3 me-auto mb-0">H7001 <small' in page
    listing = nurse_client.get(reverse("patients:list")).text
    assert re.search(r">H7001</a></td>\s*<td>—</td>", listing)
    assert str(patient) == "H7001"


def test_an_imported_nameless_patient_is_asked_her_name_at_her_first_edit(
    site: Site, nurse: User, nurse_client: Client
) -> None:
    history_import(data=_history(), site=site, actor=nurse)
    patient = Patient.objects.get(mrn="H7001")
    url = reverse("patients:update", args=[patient.pk])
    opened = posted_data(nurse_client.get(url).text, having="mrn")
    refused = nurse_client.post(url, opened)
    assert refused.context["form"].errors["name"] == [
        "Give the patient's name; the record has none yet."
    ]
    assert Patient.objects.get(pk=patient.pk).version == patient.version
    assert nurse_client.post(url, opened | {"name": "Hanna Imported"}).status_code == 302
    assert Patient.objects.get(pk=patient.pk).name == "Hanna Imported"
    # The same file again: its missing name contradicts nothing, and the name stays.
    history_import(data=_history(), site=site, actor=nurse)
    assert Patient.objects.get(pk=patient.pk).name == "Hanna Imported"


def test_a_history_name_is_compared_and_stored_stripped(site: Site, nurse: User) -> None:
    PatientFactory(site=site, mrn="H7001", name="Hanna Imported", birth_date="1960-02-02")
    history_import(data=_history(name="  Hanna Imported "), site=site, actor=nurse)
    assert Patient.objects.get(mrn="H7001").name == "Hanna Imported"
