from django.db import migrations


def one_row_per_site(apps, schema_editor):
    """Every site gets its data version row (new sites get theirs when created)."""
    Site = apps.get_model("accounts", "Site")
    SiteDataVersion = apps.get_model("monitoring", "SiteDataVersion")
    have = set(SiteDataVersion.objects.values_list("site_id", flat=True))
    SiteDataVersion.objects.bulk_create(
        SiteDataVersion(site_id=pk) for pk in Site.objects.values_list("pk", flat=True)
        if pk not in have
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_permissions_version"),
        ("monitoring", "0006_followed_assessments"),
    ]

    operations = [migrations.RunPython(one_row_per_site, migrations.RunPython.noop)]
