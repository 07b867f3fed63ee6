"""The site setting of lab units, on the administrators' own page: audited, limited to their
sites, and shown at once on the patient page."""

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import LabUnits, Site, User
from bonehealth.audit.models import AuditEvent
from patients.models import Patient
from tests.factories import LabResultFactory

pytestmark = pytest.mark.django_db
URL = reverse("accounts:site_list")


def _units(site: Site) -> str:
    return Site.objects.get(pk=site.pk).lab_units


def test_a_new_site_reads_si_units(site: Site) -> None:
    assert site.lab_units == LabUnits.SI


def test_the_admin_changes_the_units_and_the_change_is_audited(
    admin_client_: Client, admin_user: User, site: Site
) -> None:
    page = admin_client_.get(URL)
    assert page.status_code == 200
    assert "North General" in page.text
    response = admin_client_.post(URL, {"site": site.pk, "lab_units": "conventional"})
    assert response.status_code == 302
    assert _units(site) == LabUnits.CONVENTIONAL
    event = AuditEvent.objects.get(object_type="accounts.site")
    assert event.actor == admin_user
    assert event.changes == {"lab_units": ["si", "conventional"]}


def test_the_patient_page_follows_the_admins_choice(
    admin_client_: Client, nurse_client: Client, site: Site, patient: Patient
) -> None:
    LabResultFactory(patient=patient, value=20, entered_value=20, entered_unit="ng/mL")
    url = reverse("monitoring:patient", args=[patient.pk])
    page = nurse_client.get(url).text
    # 49.92 nmol/L in whole nmol/L, as laboratories report it (nurse14 #6): not below 50, as
    # 20 ng/mL is not deficient.
    assert 'title="Entered as 20 ng/mL">50 nmol/L' in page
    # Written below it too, where a touch screen reaches it (nurse10 F14).
    assert '<span class="d-block small text-body-secondary lab-entered">entered as 20 ng/mL' in page
    admin_client_.post(URL, {"site": site.pk, "lab_units": "conventional"})
    page = nurse_client.get(url).text
    assert 'title="Entered as 20 ng/mL">20 ng/mL' in page
    assert "lab-entered" not in page  # shown as entered: nothing to add


def test_another_sites_units_are_refused(admin_client_: Client, other_site: Site) -> None:
    response = admin_client_.post(URL, {"site": other_site.pk, "lab_units": "conventional"})
    assert response.status_code == 404
    assert _units(other_site) == LabUnits.SI
    assert not AuditEvent.objects.filter(object_type="accounts.site").exists()


@pytest.mark.parametrize("bad_id", ["abc", "1 OR 1=1", "", "999999"])
def test_a_site_id_that_is_no_site_of_the_admin_is_refused_as_unknown(
    admin_client_: Client, site: Site, bad_id: str
) -> None:
    response = admin_client_.post(URL, {"site": bad_id, "lab_units": "conventional"})
    assert response.status_code == 404
    assert _units(site) == LabUnits.SI
    assert not AuditEvent.objects.filter(object_type="accounts.site").exists()


def test_an_unknown_unit_system_is_refused(admin_client_: Client, site: Site) -> None:
    response = admin_client_.post(URL, {"site": site.pk, "lab_units": "imperial"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert _units(site) == LabUnits.SI
    assert not AuditEvent.objects.filter(object_type="accounts.site").exists()


@pytest.mark.parametrize("who", ["nurse_client", "physician_client"])
def test_clinicians_may_not_change_the_units(
    who: str, request: pytest.FixtureRequest, site: Site
) -> None:
    client: Client = request.getfixturevalue(who)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"site": site.pk, "lab_units": "conventional"}).status_code == 403
    assert _units(site) == LabUnits.SI
