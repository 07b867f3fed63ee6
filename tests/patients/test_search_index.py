"""The patient search's trigram indexes (patients migrations 0002, 0004 and 0005): PostgreSQL
only.

The test asks the planner how it reads `search_mrn__contains` (the folded MRN) and
`search_name__contains` (the folded name): through the trigram indexes. On SQLite the migrations
make none. The search itself, without case, accents or punctuation, is tested on both databases.
"""

import pytest
from django.db import connection

from bonehealth.accounts.models import User
from patients.models import Patient
from patients.selectors import patient_search
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TRIGRAM_INDEXES = {"patient_search_mrn_trgm", "patient_search_name_trgm"}


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "patients_patient"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_icontains_reads_the_trigram_indexes(nurse: User) -> None:
    site = nurse.sites.get()
    Patient.objects.bulk_create(
        PatientFactory.build(
            site=site, mrn=f"MRN{n:05d}", search_mrn=f"mrn{n:05d}", name=f"Patient Number{n}"
        )
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
        ("search_mrn__contains", "patient_search_mrn_trgm"),
        ("search_name__contains", "patient_search_name_trgm"),
    ):
        # Unordered: the list's order has an index of its own (patient_list_order), which a
        # planner forbidden to read the table would walk instead.
        plan = Patient.objects.filter(**{lookup: "77321"}).order_by().explain()
        assert f"Bitmap Index Scan on {index}" in plan, plan
    # Replaced by the folded name's and the folded MRN's.
    assert not {"patient_name_upper_trgm", "patient_mrn_upper_trgm"} & _index_names()
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


@pytest.mark.parametrize("typed", ["NG-7001", "NG 7001", "ng7001", "NG-7001.", "g 70", "7001"])
def test_the_search_ignores_the_mrns_case_and_punctuation(nurse: User, typed: str) -> None:
    site = nurse.sites.get()
    PatientFactory(site=site, mrn="NG-7001", name="Hélène Lefèvre-Øster")
    PatientFactory(site=site, mrn="NG-7101", name="Other Patient")
    assert [p.mrn for p in patient_search(user=nurse, query=typed)] == ["NG-7001"]


def test_a_changed_mrn_is_found_folded(nurse: User) -> None:
    patient = PatientFactory(site=nurse.sites.get(), mrn="AB/12", name="Ann Bell")
    patient.mrn = "CD_34"
    patient.save(update_fields=["mrn"])
    assert [p.mrn for p in patient_search(user=nurse, query="cd 34")] == ["CD_34"]
    assert not patient_search(user=nurse, query="ab12").exists()
