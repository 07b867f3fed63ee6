"""Trigram indexes for the patient list search (`patients.selectors.patient_search`).

The search is `mrn__icontains` OR `name__icontains`, which Django renders on PostgreSQL as
`UPPER("mrn"::text) LIKE UPPER('%...%')`: no B-tree index serves a pattern with a leading `%`, so
every patient of the user's sites was read and filtered. A GIN index of pg_trgm's trigrams on each
of the two expressions, exactly as the query writes them, serves such a pattern (three characters
or more; shorter fragments still read the sites' patients). Measured in bench/README.md.

PostgreSQL only: the indexes are not in `Patient.Meta.indexes` (SQLite has no GIN, and would try
to build them whenever it remakes the table), and both operations do nothing on SQLite.
`CREATE EXTENSION pg_trgm` needs no superuser: pg_trgm is a trusted extension (PostgreSQL 13 and
later), which the database's owner (the migration role of docs/deployment.md) may create.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models.functions import Upper

SEARCH_INDEXES = (
    GinIndex(OpClass(Upper("mrn"), name="gin_trgm_ops"), name="patient_mrn_upper_trgm"),
    GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="patient_name_upper_trgm"),
)


def add_search_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    patient = apps.get_model("patients", "Patient")
    for index in SEARCH_INDEXES:
        schema_editor.add_index(patient, index)


def remove_search_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    patient = apps.get_model("patients", "Patient")
    for index in SEARCH_INDEXES:
        schema_editor.remove_index(patient, index)


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [
        # Does nothing on other databases (Django checks the vendor), and nothing if it exists.
        TrigramExtension(),
        migrations.RunPython(add_search_indexes, remove_search_indexes, elidable=False),
    ]
