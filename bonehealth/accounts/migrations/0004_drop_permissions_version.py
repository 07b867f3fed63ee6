"""Drop `User.permissions_version` (issue 13): permissions are no longer kept in the session, so
nothing stamps them; Django's ModelBackend reads them once per request as it does by default."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_permissions_version"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="permissions_version"),
    ]
