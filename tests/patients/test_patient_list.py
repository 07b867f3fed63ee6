"""The patient list: scoped to the user's sites, searchable, paginated, constant query count."""

import pytest
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from tests.factories import AromataseInhibitorCourseFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_search_by_mrn_or_name_and_only_own_sites(
    nurse_client: Client, site: Site, other_site: Site
) -> None:
    PatientFactory(site=site, mrn="A100", name="Mary Shelley")
    PatientFactory(site=site, mrn="B200", name="Emily Bronte")
    PatientFactory(site=other_site, mrn="A101", name="Mary Other")
    url = reverse("patients:list")
    assert [p.mrn for p in nurse_client.get(url).context["page"]] == ["A100", "B200"]
    assert [p.mrn for p in nurse_client.get(url, {"q": "a10"}).context["page"]] == ["A100"]
    assert [p.mrn for p in nurse_client.get(url, {"q": "bront"}).context["page"]] == ["B200"]
    assert [p.mrn for p in nurse_client.get(url, {"q": "mary"}).context["page"]] == ["A100"]


def test_pagination(nurse_client: Client, site: Site, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAGE_SIZE = 10
    PatientFactory.create_batch(25, site=site)
    response = nurse_client.get(reverse("patients:list"), {"page": 3})
    assert response.context["page"].number == 3
    assert len(response.context["page"]) == 5
    assert "Page 3 of 3" in response.text
    # A page past the end shows the last page rather than an error.
    assert nurse_client.get(reverse("patients:list"), {"page": 99}).context["page"].number == 3


def test_pager_links_keep_the_search(nurse_client: Client, site: Site, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAGE_SIZE = 10
    PatientFactory.create_batch(25, site=site, name="Ann Smith")
    response = nurse_client.get(reverse("patients:list"), {"q": "smith", "ended": "1", "page": 2})
    assert 'href="?q=smith&amp;ended=1&amp;page=1">Previous' in response.text
    assert 'href="?q=smith&amp;ended=1&amp;page=3">Next' in response.text


def _list_queries(client: Client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("patients:list"))
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_patients(nurse_client: Client, site: Site) -> None:
    def add(count: int) -> None:
        for patient in PatientFactory.create_batch(count, site=site):
            AromataseInhibitorCourseFactory(patient=patient)
            AromataseInhibitorCourseFactory(patient=patient, drug="letrozole")

    add(1)
    with_one = _list_queries(nurse_client)
    add(29)
    with_thirty = _list_queries(nurse_client)
    # session, user, 2 permission lookups, count, page, AI-course prefetch, session save (3)
    assert with_one == with_thirty <= 10
    assert "Letrozole" in nurse_client.get(reverse("patients:list")).text
