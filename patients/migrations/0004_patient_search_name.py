"""The patient's name folded for the search (`patients.search.folded`: no case, no accents), and
on PostgreSQL its trigram index in place of the one on UPPER(name), which the search no longer
uses (`patients.selectors.patient_search`; migration 0002 says why a trigram index)."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models.functions import Upper

from patients.search import folded

NAME_UPPER = GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="patient_name_upper_trgm")
SEARCH_NAME = GinIndex(OpClass("search_name", name="gin_trgm_ops"), name="patient_search_name_trgm")


def fold_names(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    patient = apps.get_model("patients", "Patient")
    rows = list(patient.objects.exclude(name="").only("pk", "name"))
    for row in rows:
        row.search_name = folded(row.name)
    patient.objects.bulk_update(rows, ["search_name"], batch_size=2000)


def swap_indexes(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    patient = apps.get_model("patients", "Patient")
    schema_editor.remove_index(patient, NAME_UPPER)
    schema_editor.add_index(patient, SEARCH_NAME)


def swap_back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    patient = apps.get_model("patients", "Patient")
    schema_editor.remove_index(patient, SEARCH_NAME)
    schema_editor.add_index(patient, NAME_UPPER)


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_patient_list_order_index")]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="search_name",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(fold_names, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(swap_indexes, swap_back, elidable=False),
    ]
