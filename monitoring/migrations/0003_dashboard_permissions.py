"""Permissions for the overview pages: the alert dashboard (physicians) and the worklist (both)."""

from django.db import migrations

from bonehealth.accounts.migration_helpers import grant, revoke

GRANTS = {
    "nurse": ["monitoring.view_worklist"],
    "physician": ["monitoring.view_worklist", "monitoring.view_dashboard"],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_role_permissions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="patientassessment",
            options={
                "permissions": [
                    ("view_dashboard", "See the physician's alert dashboard"),
                    ("view_worklist", "See the worklist of what is due"),
                ]
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
