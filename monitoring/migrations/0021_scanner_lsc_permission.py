"""Changing the LSC of a scanner with scans is a physician's (bonehealth/accounts/roles.py): it
decides which changes in BMD are significant, so it opens and closes therapy-indicating alerts."""

from django.db import migrations

from bonehealth.accounts.migration_helpers import grant, revoke

GRANTS = {"physician": ["monitoring.change_scanner_lsc"]}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0020_alert_seen_before_decision"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="scanner",
            options={
                "ordering": ["site", "name"],
                "permissions": [
                    ("change_scanner_lsc", "Change the LSC of a scanner that has scans")
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
