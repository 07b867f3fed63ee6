"""The worst unacknowledged open alert of each patient, stored for the dashboard's order, filled
from the open alerts (one UPDATE)."""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Alert = apps.get_model("monitoring", "Alert")
    PatientAssessment = apps.get_model("monitoring", "PatientAssessment")
    worst = (
        Alert.objects.filter(
            patient_id=OuterRef("patient_id"), cleared_at__isnull=True, acknowledged_at__isnull=True
        )
        .order_by()
        .values("patient_id")
        .annotate(worst=Max("severity_rank"))
        .values("worst")
    )
    PatientAssessment.objects.update(worst_unacknowledged_rank=Subquery(worst))


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0011_drop_site_tallies_and_data_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="patientassessment",
            name="worst_unacknowledged_rank",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
