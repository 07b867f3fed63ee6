"""nurse10 F7 and F13 on the patient form: a date of birth making the patient older than 105 is
saved only once ticked as right (an unchanged save of a patient stored with one still goes
through), and the menopausal status starts at "Choose…", not at a man's "Not applicable"."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from patients.models import Patient
from tests.factories import PatientFactory
from tests.html_forms import posted_data
from tests.patients.test_patient_forms import valid_data

pytestmark = pytest.mark.django_db


def test_an_implausible_age_is_refused_beside_the_date_and_kept(
    nurse_client: Client, site: Site
) -> None:
    data = valid_data(site, birth_date="1900-01-01")
    response = nurse_client.post(reverse("patients:create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    (error,) = form.errors["birth_date"]
    assert error.startswith("This date of birth makes the patient 12")
    assert "check the year" in error
    assert 'value="1900-01-01"' in response.text  # kept as typed
    assert 'name="confirm_birth_date"' in response.text  # the tick is offered
    assert not Patient.objects.exists()


def test_an_implausible_age_ticked_as_right_is_saved(nurse_client: Client, site: Site) -> None:
    data = valid_data(site, birth_date="1900-01-01", confirm_birth_date="on")
    assert nurse_client.post(reverse("patients:create"), data).status_code == 302
    assert Patient.objects.get().birth_date == date(1900, 1, 1)


def test_a_plausible_age_asks_nothing(nurse_client: Client, site: Site) -> None:
    page = nurse_client.get(reverse("patients:create")).text
    assert 'name="confirm_birth_date"' not in page
    assert nurse_client.post(reverse("patients:create"), valid_data(site)).status_code == 302


def test_a_patient_stored_with_such_a_date_is_still_editable(
    physician_client: Client, site: Site
) -> None:
    old = PatientFactory(site=site, birth_date=date(1900, 1, 1), name="Old Record")
    url = reverse("patients:update", args=[old.pk])
    data = posted_data(physician_client.get(url).text, having="version")
    response = physician_client.post(url, data | {"name": "Old Record Renamed"}, follow=True)
    assert response.status_code == 200
    old.refresh_from_db()
    assert (old.name, old.birth_date) == ("Old Record Renamed", date(1900, 1, 1))


def test_changing_a_date_of_birth_to_an_implausible_one_is_asked(
    physician_client: Client, site: Site
) -> None:
    patient = PatientFactory(site=site, birth_date=date(1960, 1, 1))
    url = reverse("patients:update", args=[patient.pk])
    data = posted_data(physician_client.get(url).text, having="version")
    response = physician_client.post(url, data | {"birth_date": "1900-01-01"})
    assert response.status_code == 200
    assert "check the year" in response.context["form"].errors["birth_date"][0]
    patient.refresh_from_db()
    assert (patient.birth_date, patient.version) == (date(1960, 1, 1), 1)


def test_the_menopausal_status_starts_at_choose(nurse_client: Client) -> None:
    page = nurse_client.get(reverse("patients:create")).text
    select = page[page.index('name="menopausal_status"') :]
    select = select[: select.index("</select>")]
    assert '<option value="" selected>Choose…</option>' in select
    assert '<option value="not_applicable">Not applicable (men)</option>' in select


def test_a_woman_left_at_choose_is_asked_for_her_status(nurse_client: Client, site: Site) -> None:
    response = nurse_client.post(reverse("patients:create"), valid_data(site, menopausal_status=""))
    assert response.context["form"].errors["menopausal_status"] == [
        "Give a woman's menopausal status."
    ]
    assert not Patient.objects.exists()


def test_a_woman_given_a_mans_not_applicable_is_refused(nurse_client: Client, site: Site) -> None:
    data = valid_data(site, menopausal_status="not_applicable")
    response = nurse_client.post(reverse("patients:create"), data)
    assert response.context["form"].errors["menopausal_status"] == [
        "Give a woman's menopausal status ('Not applicable (men)' is for men)."
    ]
    assert not Patient.objects.exists()


def test_a_man_given_not_applicable_is_stored_blank(nurse_client: Client, site: Site) -> None:
    data = valid_data(site, sex="M", name="Alan Turing", menopausal_status="not_applicable")
    assert nurse_client.post(reverse("patients:create"), data).status_code == 302
    assert Patient.objects.get().menopausal_status == ""
