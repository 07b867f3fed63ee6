"""When the account's set-password links were last spent by a deactivation (sec9 F9)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_user_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="links_spent_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="Set by a deactivation: the set-password links sent before it no "
                "longer work, even once the account is active again.",
            ),
        ),
    ]
