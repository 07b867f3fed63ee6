"""Let the admin role choose the units a site's lab results are shown in (bonehealth/accounts/roles.py)."""

from django.db import migrations

from bonehealth.accounts.migration_helpers import grant, revoke

GRANTS = {"admin": ["accounts.set_lab_units"]}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_site_lab_units"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
