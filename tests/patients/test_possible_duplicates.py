"""Registering a patient who may be registered already: the same MRN but for its punctuation, or
the same name and birth date at the site. A warning with a tick to register anyway; nothing is
saved until it is ticked, and the form keeps what was typed. The exact MRN stays refused."""

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from patients import forms
from patients.models import Patient
from tests.factories import PatientFactory
from tests.patients.test_patient_forms import valid_data

pytestmark = pytest.mark.django_db

WARNING = "Possibly registered already at"


@pytest.fixture
def registered(site: Site) -> Patient:
    return PatientFactory(
        site=site, mrn="NG-7001", name="Hélène Lefèvre-Øster", birth_date="1956-03-02"
    )


def _register(client: Client, data: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(reverse("patients:create"), data)


@pytest.mark.parametrize(
    ("mrn", "name"),
    [
        ("NG7001", "Somebody Else"),  # the MRN but for its punctuation
        ("ng-7001.", "Somebody Else"),
        ("NG/7001", "Somebody Else"),
        ("B9999", "helene lefevre oster"),  # the same name, folded, and birth date
    ],
)
def test_a_possible_duplicate_is_saved_only_when_confirmed(
    nurse_client: Client, site: Site, registered: Patient, mrn: str, name: str
) -> None:
    data = valid_data(site, mrn=mrn, name=name)
    response = _register(nurse_client, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert WARNING in form.errors["confirm_not_duplicate"][0]
    assert (
        "MRN NG-7001, Hélène Lefèvre-Øster, born 1956-03-02"
        in form.errors["confirm_not_duplicate"][0]
    )
    assert 'name="confirm_not_duplicate"' in response.text
    assert f'value="{name}"' in response.text  # what was typed is kept
    assert Patient.objects.count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()
    confirmed = _register(nurse_client, {**data, "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_someone_else_is_registered_without_a_warning(
    nurse_client: Client, site: Site, registered: Patient
) -> None:
    response = _register(nurse_client, valid_data(site, mrn="NG-7002", name="Hélène Martin"))
    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_the_same_name_born_another_day_is_not_a_duplicate(
    nurse_client: Client, site: Site, registered: Patient
) -> None:
    data = valid_data(site, mrn="NG-7002", name=registered.name, birth_date="1956-03-03")
    assert _register(nurse_client, data).status_code == 302


def test_a_duplicate_at_another_site_or_entered_in_error_is_not_warned_of(
    nurse_client: Client, site: Site, other_site: Site
) -> None:
    PatientFactory(site=other_site, mrn="NG-7001", name="Ada Lovelace", birth_date="1956-03-02")
    PatientFactory(site=site, mrn="NG-7001", name="Ada Lovelace", entered_in_error=True)
    response = _register(nurse_client, valid_data(site, mrn="NG7001"))
    assert response.status_code == 302


def test_the_exact_mrn_is_still_refused(
    nurse_client: Client, site: Site, registered: Patient
) -> None:
    data = valid_data(site, mrn="ng-7001", confirm_not_duplicate="on")
    response = _register(nurse_client, data)
    form = response.context["form"]
    [refused] = form.errors["mrn"]
    assert refused.startswith(f"MRN NG-7001 is already registered at {site}. ")
    # Linked to her page (nurse14 #8: tests/patients/test_nurse14_duplicate_links.py).
    assert reverse("monitoring:patient", args=[registered.pk]) in refused
    assert "confirm_not_duplicate" not in form.errors
    assert Patient.objects.count() == 1


def test_editing_a_patient_does_not_warn(
    nurse_client: Client, site: Site, registered: Patient
) -> None:
    PatientFactory(site=site, mrn="NG7001", name="Other Person", birth_date="1960-01-01")
    page = nurse_client.get(reverse("patients:update", args=[registered.pk]))
    assert "confirm_not_duplicate" not in page.text


@pytest.mark.parametrize(
    "name",
    [
        "Rosa Quin",  # a letter missing
        "Quinn, Rosa",  # surname first
        "ROSA QUINN",
        "Rosa Maria Quinn",  # a middle name added
        "Rosa Quinne",
    ],
)
def test_a_name_alike_born_the_same_day_is_warned_of(
    nurse_client: Client, site: Site, name: str
) -> None:
    PatientFactory(site=site, mrn="DEMO-000004", name="Rosa Quinn", birth_date="1958-03-31")
    data = valid_data(site, mrn="DEMO-00004", name=name, birth_date="1958-03-31")
    response = _register(nurse_client, data)
    assert response.status_code == 200
    error = response.context["form"].errors["confirm_not_duplicate"][0]
    assert "MRN DEMO-000004, Rosa Quinn, born 1958-03-31" in error
    assert Patient.objects.count() == 1
    assert not Patient.objects.filter(mrn="DEMO-00004").exists()
    confirmed = _register(nurse_client, {**data, "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Patient.objects.filter(mrn="DEMO-00004", name=name).exists()


@pytest.mark.parametrize(
    ("name", "birth_date"),
    [
        ("Maria Lopez", "1958-03-31"),  # another name born that day
        ("Rosa Quin", "1958-04-01"),  # a name alike born another day
    ],
)
def test_a_different_name_or_birth_date_is_not_warned_of(
    nurse_client: Client, site: Site, name: str, birth_date: str
) -> None:
    PatientFactory(site=site, mrn="DEMO-000004", name="Rosa Quinn", birth_date="1958-03-31")
    data = valid_data(site, mrn="NG-55502", name=name, birth_date=birth_date)
    assert _register(nurse_client, data).status_code == 302
    assert Patient.objects.filter(mrn="NG-55502").exists()


def test_a_name_alike_at_another_site_is_not_warned_of(
    nurse_client: Client, site: Site, other_site: Site
) -> None:
    PatientFactory(site=other_site, mrn="R-1", name="Rosa Quinn", birth_date="1958-03-31")
    data = valid_data(site, mrn="NG-55502", name="Rosa Quin", birth_date="1958-03-31")
    assert _register(nurse_client, data).status_code == 302
    assert Patient.objects.filter(mrn="NG-55502", site=site).exists()


def test_a_duplicate_registered_after_the_forms_check_is_refused_at_the_save(
    monkeypatch: pytest.MonkeyPatch, nurse_client: Client, site: Site, registered: Patient
) -> None:
    """sec9 F5: the form checked before a colleague's registration committed; the service checks
    again under its locks and the form comes back with the match listed, the tick not given."""
    monkeypatch.setattr(forms, "possible_duplicates", lambda **kwargs: [])
    data = valid_data(site, mrn="NG7001", name="Somebody Else", confirm_not_duplicate="on")
    response = _register(nurse_client, data)
    assert response.status_code == 200
    form = response.context["form"]
    error = form.errors["confirm_not_duplicate"][0]
    assert WARNING in error
    assert "MRN NG-7001, Hélène Lefèvre-Øster, born 1956-03-02" in error
    assert 'name="confirm_not_duplicate"' in response.text
    assert "confirm_not_duplicate" not in form.data  # to be ticked again, for this match
    assert 'value="Somebody Else"' in response.text
    assert list(Patient.objects.values_list("mrn", flat=True)) == ["NG-7001"]
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE).exists()


def test_a_tick_given_for_the_matches_shown_registers_at_the_save(
    nurse_client: Client, site: Site, registered: Patient
) -> None:
    PatientFactory(site=site, mrn="NG-70-01", name="Other Person", birth_date="1950-01-01")
    data = valid_data(site, mrn="NG7001", name="Somebody Else")
    error = _register(nurse_client, data).context["form"].errors["confirm_not_duplicate"][0]
    assert "MRN NG-70-01" in error
    assert "MRN NG-7001," in error
    confirmed = _register(nurse_client, {**data, "confirm_not_duplicate": "on"})
    assert confirmed.status_code == 302
    assert Patient.objects.filter(mrn="NG7001").exists()
