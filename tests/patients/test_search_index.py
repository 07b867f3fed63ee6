"""The patient search's trigram indexes (patients migration 0002): PostgreSQL only.

The indexes serve `icontains` only if their expressions are exactly what Django writes for it
(`UPPER("mrn"::text)`), so the test asks the planner how it reads `mrn__icontains` and
`name__icontains`: through the trigram indexes. On SQLite the migration does nothing.
"""

import pytest
from django.db import connection

from bonehealth.accounts.models import User
from patients.models import Patient
from patients.selectors import patient_search
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TRIGRAM_INDEXES = {"patient_mrn_upper_trgm", "patient_name_upper_trgm"}


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
    for field, index in (("mrn", "patient_mrn_upper_trgm"), ("name", "patient_name_upper_trgm")):
        # Unordered: the list's order has an index of its own (patient_list_order), which a
        # planner forbidden to read the table would walk instead.
        plan = Patient.objects.filter(**{f"{field}__icontains": "77321"}).order_by().explain()
        assert f"Bitmap Index Scan on {index}" in plan, plan
    assert [p.mrn for p in patient_search(user=nurse, query="quenn")] == ["Q-77321"]
    assert [p.mrn for p in patient_search(user=nurse, query="7732")] == ["Q-77321"]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the indexes exist there")
def test_other_databases_get_no_trigram_index() -> None:
    assert not TRIGRAM_INDEXES & _index_names()
