"""nurse14 #8: a registration refused for an MRN registered already, or held back for a possible
duplicate, links to the page of each patient it names, for a user who may see them (the access
gate, `patients_for_user`); anyone else gets the words alone. Nothing is saved either way."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from patients.forms import PatientForm
from patients.models import Patient
from patients.registration import PossibleDuplicateError, registration_conflict_words
from patients.selectors import patients_seen_among
from patients.services import MrnTakenError
from tests.factories import PatientFactory, UserFactory
from tests.html_forms import visible_text
from tests.patients.test_patient_forms import valid_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(site: Site) -> Patient:
    patient: Patient = PatientFactory(
        site=site, mrn="NB-14-002", name="Zofia Kowalczyk", birth_date=date(1961, 5, 4)
    )
    return patient


def _page(patient: Patient) -> str:
    return reverse("monitoring:patient", args=[patient.pk])


def _created() -> int:
    return AuditEvent.objects.filter(action=AuditAction.CREATE).count()


def test_a_taken_mrn_links_to_the_patient_registered_with_it(
    nurse_client: Client, site: Site, registered: Patient
) -> None:
    created = _created()
    response = nurse_client.post(reverse("patients:create"), valid_data(site, mrn="NB-14-002"))
    assert response.status_code == 200
    assert (
        f'<a href="{_page(registered)}" target="_blank" rel="noopener">Open that patient'
        in response.text
    )
    text = visible_text(response.text)
    assert (
        f"MRN NB-14-002 is already registered at {site}. Open that patient's page (opens in a "
        "new tab)."
    ) in text
    assert 'value="Ada Lovelace"' in response.text  # what was typed is kept
    assert Patient.objects.count() == 1
    assert _created() == created


def test_an_mrn_changed_to_a_taken_one_links_to_its_patient(
    nurse_client: Client, site: Site, registered: Patient, patient: Patient
) -> None:
    url = reverse("patients:update", args=[patient.pk])
    response = nurse_client.post(url, valid_data(site, mrn="NB-14-002", version=patient.version))
    assert response.status_code == 200
    assert _page(registered) in response.context["form"].errors["mrn"][0]
    assert Patient.objects.get(pk=patient.pk).mrn == "A1001"


def test_each_possible_duplicate_is_linked_to_its_page(
    nurse_client: Client, site: Site, registered: Patient
) -> None:
    response = nurse_client.post(reverse("patients:create"), valid_data(site, mrn="NB14-002"))
    assert response.status_code == 200
    warning = response.context["form"].errors["confirm_not_duplicate"][0]
    assert f'<a href="{_page(registered)}" target="_blank" rel="noopener">' in warning
    text = visible_text(response.text)
    assert (
        f"Possibly registered already at {site}: MRN NB-14-002, Zofia Kowalczyk, born 1961-05-04. "
        "Check that this is a different patient (each link opens that patient's page in a new "
        "tab), then tick this to register anyway."
    ) in text
    assert Patient.objects.count() == 1


def test_a_patient_the_user_may_not_see_is_named_as_before_without_a_link(
    other_site: Site, registered: Patient
) -> None:
    """A form whose sites were not the user's (never the case on the pages, whose sites are the
    user's own): the gate, not the form's sites, decides the link."""
    elsewhere = UserFactory(username="elsewhere", role="nurse", sites=[other_site])
    assert patients_seen_among(user=elsewhere, ids=[registered.pk]) == frozenset()
    data = valid_data(registered.site, mrn="NB-14-002")
    form = PatientForm(data, sites=Site.objects.all(), user=elsewhere)
    assert not form.is_valid()
    assert form.errors["mrn"] == [f"MRN NB-14-002 is already registered at {registered.site}."]
    form = PatientForm(
        valid_data(registered.site, mrn="NB14-002"), sites=Site.objects.all(), user=elsewhere
    )
    assert not form.is_valid()
    warning = form.errors["confirm_not_duplicate"][0]
    assert "<a " not in warning
    assert "(open the patient list in another tab)" in warning


def test_a_refusal_at_the_save_links_only_patients_the_user_may_see(
    nurse: User, other_site: Site, registered: Patient
) -> None:
    elsewhere = UserFactory(username="elsewhere", role="nurse", sites=[other_site])
    taken = MrnTakenError("MRN NB-14-002 is already registered.", holder=registered)
    assert _page(registered) in registration_conflict_words(taken, user=nurse)
    assert registration_conflict_words(taken, user=elsewhere) == str(taken)
    found = PossibleDuplicateError(registered.site, [registered])
    assert _page(registered) in registration_conflict_words(found, user=nurse)
    assert "<a " not in registration_conflict_words(found, user=elsewhere)
    # A patient marked entered in error is hidden from everyone: never linked.
    Patient.objects.filter(pk=registered.pk).update(entered_in_error=True)
    assert registration_conflict_words(taken, user=nurse) == str(taken)
