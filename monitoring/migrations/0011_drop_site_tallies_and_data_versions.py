"""Drop the per-site dashboard tallies and data versions (issue 13).

The dashboard counts the stored assessments with one conditional aggregate instead of keeping
per-site counts, and nothing caches the overview pages any more, so neither table is read; each
held one row per site that every clinical write at the site locked until its commit.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0010_keep_superseded_measurements"),
    ]

    operations = [
        migrations.DeleteModel(name="SiteTally"),
        migrations.DeleteModel(name="SiteDataVersion"),
    ]
