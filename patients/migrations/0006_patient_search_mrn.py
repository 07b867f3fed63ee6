"""The MRN folded for the search and the duplicate warning (`patients.search.folded_mrn`: letters
and digits only, no case), with a B-tree index for the warning's equality at a site, one on the
birth date for its same-name check, and on PostgreSQL the search's trigram index on the folded MRN
in place of the one on UPPER(mrn), which the search no longer uses (migration 0002 says why a
trigram index)."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models.functions import Upper

from patients.search import folded_mrn

MRN_UPPER = GinIndex(OpClass(Upper("mrn"), name="gin_trgm_ops"), name="patient_mrn_upper_trgm")
SEARCH_MRN = GinIndex(OpClass("search_mrn", name="gin_trgm_ops"), name="patient_search_mrn_trgm")


def fold_mrns(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    patient = apps.get_model("patients", "Patient")
    rows = list(patient.objects.only("pk", "mrn"))
    for row in rows:
        row.search_mrn = folded_mrn(row.mrn)
    patient.objects.bulk_update(rows, ["search_mrn"], batch_size=2000)


def swap_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    patient = apps.get_model("patients", "Patient")
    schema_editor.remove_index(patient, MRN_UPPER)
    schema_editor.add_index(patient, SEARCH_MRN)


def swap_back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    patient = apps.get_model("patients", "Patient")
    schema_editor.remove_index(patient, SEARCH_MRN)
    schema_editor.add_index(patient, MRN_UPPER)


class Migration(migrations.Migration):
    dependencies = [("patients", "0005_patient_menopausal_status_women_only")]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="search_mrn",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.RunPython(fold_mrns, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(fields=["site", "search_mrn"], name="patient_site_search_mrn"),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(fields=["site", "birth_date"], name="patient_site_birth_date"),
        ),
        migrations.RunPython(swap_indexes, swap_back, elidable=False),
    ]
