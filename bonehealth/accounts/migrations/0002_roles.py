"""Create the nurse, physician and admin roles with the permissions of bonehealth/accounts/roles.py."""

from django.db import migrations

from bonehealth.accounts.migration_helpers import grant, revoke

NURSE = [
    "patients.view_patient",
    "patients.add_patient",
    "patients.change_patient",
    "patients.mark_patient_in_error",
    "patients.view_aromataseinhibitorcourse",
    "patients.add_aromataseinhibitorcourse",
    "patients.change_aromataseinhibitorcourse",
]
GRANTS = {
    "nurse": NURSE,
    "physician": [*NURSE, "patients.end_follow_up"],
    "admin": [
        "accounts.manage_users",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_site",
        "audit.view_auditevent",
    ],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0001_initial"),
        ("patients", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
