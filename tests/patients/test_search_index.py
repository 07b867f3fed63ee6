"""The patient search's trigram indexes (patients migrations 0002 and 0004): PostgreSQL only.

The MRN's index serves `icontains` only if its expression is exactly what Django writes for it
(`UPPER("mrn"::text)`), so the test asks the planner how it reads `mrn__icontains` and
`search_name__contains` (the folded name): through the trigram indexes. On SQLite the migrations
make none. The search itself, without case or accents, is tested on both databases.
"""

import pytest
from django.db import connection

from bonehealth.accounts.models import User
from patients.models import Patient
from patients.selectors import patient_search
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TRIGRAM_INDEXES = {"patient_mrn_upper_trgm", "patient_search_name_trgm"}


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "patients_patient"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_icontains_reads_the_trigram_indexes(nurse: User) -> None:
    site = nurse.sites.get()
    Patient.objects.bulk_create(
        PatientFactory.build(site=site, mrn=f"MRN{n:05d}", name=f"Patient Number{n}")
        for n in range(2000)
    )
    PatientFactory(site=site, mrn="Q-77321", name="Ada Quennell")
    assert _index_names() >= TRIGRAM_INDEXES
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient")
        # A few thousand narrow rows are cheap to read whole; at 10,000 the planner picks the
        # indexes by itself (bench/README.md).
        cursor.execute("SET LOCAL enable_seqscan = off")
    for lookup, index in (
        ("mrn__icontains", "patient_mrn_upper_trgm"),
        ("search_name__contains", "patient_search_name_trgm"),
    ):
        # Unordered: the list's order has an index of its own (patient_list_order), which a
        # planner forbidden to read the table would walk instead.
        plan = Patient.objects.filter(**{lookup: "77321"}).order_by().explain()
        assert f"Bitmap Index Scan on {index}" in plan, plan
    assert "patient_name_upper_trgm" not in _index_names()  # replaced by the folded name's
    assert [p.mrn for p in patient_search(user=nurse, query="quenn")] == ["Q-77321"]
    assert [p.mrn for p in patient_search(user=nurse, query="7732")] == ["Q-77321"]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the indexes exist there")
def test_other_databases_get_no_trigram_index() -> None:
    assert not TRIGRAM_INDEXES & _index_names()


@pytest.mark.parametrize(
    "typed",
    [
        "zoë",
        "ZOË",
        "zoe",
        "Ångström",
        "angstrom",
        "ANGSTROM",
        "ó'brien",
        "o'brien",
        "O\u2019Brien",
        "obrien",  # without the apostrophe
        "Zoe  Angstrom",  # two spaces
        "angstrom obrien",  # a space for the hyphen
    ],
)
def test_the_search_ignores_case_and_accents(nurse: User, typed: str) -> None:
    site = nurse.sites.get()
    PatientFactory(site=site, mrn="U-1", name="Zoë Ångström-Ó'Brien")
    PatientFactory(site=site, mrn="U-2", name="Zoe Smith" if "zo" not in typed.lower() else "Ann")
    found = [p.mrn for p in patient_search(user=nurse, query=typed)]
    assert "U-1" in found


def test_a_renamed_patient_is_found_by_the_new_name(nurse: User) -> None:
    patient = PatientFactory(site=nurse.sites.get(), mrn="U-3", name="Chloe Martin")
    patient.name = "Chloé Dubois"
    patient.save(update_fields=["name"])
    assert [p.mrn for p in patient_search(user=nurse, query="dubois")] == ["U-3"]
    assert not patient_search(user=nurse, query="martin").exists()
