"""When a user was last changed: cached pages that show users' names key on the latest."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_admin_sets_lab_units"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="changed_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
