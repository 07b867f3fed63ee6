"""Nurses (and physicians) may record the dental review date of a bone-therapy course alone
(bonehealth/accounts/roles.py): the worklist's "Dental review before the antiresorptive" was a
dead end for the nurse who collects it."""

from django.db import migrations

from bonehealth.accounts.migration_helpers import grant, revoke

GRANTS = {
    "nurse": ["monitoring.record_dental_review"],
    "physician": ["monitoring.record_dental_review"],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0017_assessment_index_by_site_and_span"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="bonetherapycourse",
            options={
                "ordering": ["start_date", "id"],
                "permissions": [
                    ("manage_bone_therapy", "Start, change and stop bone-protective therapy"),
                    ("record_dental_review", "Record the dental review before a course"),
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
