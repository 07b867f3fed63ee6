"""The patient list finds patients by date of birth when the query is a date, the ISO form of the
date pickers or the day-first form of the site's locale, so a nurse can check by hand whether
someone is registered already under another spelling."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from patients.models import Patient
from patients.selectors import patient_search
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed", ["1958-03-31", " 31/03/1958 ", "31.03.1958", "31-03-1958", "1958/03/31"]
)
def test_a_date_finds_the_patients_born_that_day(nurse: User, site: Site, typed: str) -> None:
    PatientFactory(site=site, mrn="DEMO-000004", name="Rosa Quinn", birth_date="1958-03-31")
    PatientFactory(site=site, mrn="NG-2", name="Maria Lopez", birth_date="1958-03-30")
    assert [p.mrn for p in patient_search(user=nurse, query=typed)] == ["DEMO-000004"]


def test_a_date_does_not_find_another_sites_patients(
    nurse: User, site: Site, other_site: Site
) -> None:
    PatientFactory(site=other_site, mrn="R-1", name="Rosa Quinn", birth_date="1958-03-31")
    assert not patient_search(user=nurse, query="1958-03-31").exists()


def test_a_date_still_finds_an_mrn_made_of_its_digits(nurse: User, site: Site) -> None:
    PatientFactory(site=site, mrn="1958-03-31", name="Ada Lovelace", birth_date="1950-01-01")
    assert [p.mrn for p in patient_search(user=nurse, query="1958-03-31")] == ["1958-03-31"]


def test_the_list_page_searches_by_date(nurse_client: Client, site: Site) -> None:
    PatientFactory(site=site, mrn="DEMO-000004", name="Rosa Quinn", birth_date="1958-03-31")
    page = nurse_client.get(reverse("patients:list"), {"q": "31/03/1958"})
    assert "DEMO-000004" in page.text
    assert "date of birth" in page.text  # the search box says it takes one


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner is PostgreSQL's")
def test_a_date_search_reads_the_site_birth_date_index(nurse: User, site: Site) -> None:
    Patient.objects.bulk_create(
        PatientFactory.build(
            site=site,
            mrn=f"MRN{n:05d}",
            search_mrn=f"mrn{n:05d}",
            name=f"Patient Number{n}",
            birth_date=date(1953, 1, 1) + timedelta(days=n),
        )
        for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient")
        cursor.execute("SET LOCAL enable_seqscan = off")
    # The search's three readings of a date, as the existing trigram test reads them: unordered,
    # without the gate (whose own indexes a planner forbidden to read the table would walk).
    matches = (
        Q(search_name__contains="1958 03 31")
        | Q(search_mrn__contains="19580331")
        | Q(birth_date=date(1958, 3, 31))
    )
    plan = Patient.objects.filter(matches).order_by().explain()
    assert "Bitmap Index Scan on patient_site_birth_date" in plan, plan
    assert [p.mrn for p in patient_search(user=nurse, query="1958-03-31")] == ["MRN01915"]


@pytest.mark.parametrize("typed", ["fischer patricia", "Fischer, Patricia", "patricia fisch"])
def test_a_name_is_found_with_its_words_in_any_order(nurse: User, site: Site, typed: str) -> None:
    """nurse9 F4: the surname first, as on a wristband or a label, found nothing."""
    PatientFactory(site=site, mrn="NG-1", name="Patricia Fischer", birth_date="1974-08-06")
    PatientFactory(site=site, mrn="NG-2", name="Patricia Fox", birth_date="1974-08-06")
    assert [p.mrn for p in patient_search(user=nurse, query=typed)] == ["NG-1"]
