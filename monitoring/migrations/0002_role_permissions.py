"""Grant the monitoring permissions to the roles, as bonehealth/accounts/roles.py says."""

from django.db import migrations

from bonehealth.accounts.migration_helpers import grant, revoke

NURSE = [
    "monitoring.view_scanner",
    "monitoring.view_dexascan",
    "monitoring.add_dexascan",
    "monitoring.change_dexascan",
    "monitoring.view_labresult",
    "monitoring.add_labresult",
    "monitoring.change_labresult",
    "monitoring.view_fraxresult",
    "monitoring.add_fraxresult",
    "monitoring.change_fraxresult",
    "monitoring.view_bonetherapycourse",
    "monitoring.view_bonetherapydose",
    "monitoring.add_bonetherapydose",
    "monitoring.change_bonetherapydose",
    "monitoring.view_supplements",
    "monitoring.change_supplements",
    "monitoring.view_monitoringplan",
    "monitoring.view_alert",
    "monitoring.acknowledge_alert",
]
GRANTS = {
    "nurse": NURSE,
    "physician": [
        *NURSE,
        "monitoring.add_bonetherapycourse",
        "monitoring.change_bonetherapycourse",
        "monitoring.manage_bone_therapy",
        "monitoring.add_monitoringplan",
        "monitoring.set_monitoring_plan",
        "monitoring.acknowledge_high_alert",
        "monitoring.sign_off_dexascan",
    ],
    # Site settings: scanners and their least-significant-change values.
    "admin": ["monitoring.view_scanner", "monitoring.add_scanner", "monitoring.change_scanner"],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_clinical_records"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
