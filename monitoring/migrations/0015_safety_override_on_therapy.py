"""The override of failed pre-treatment checks, kept on the course or dose it let through (it was
kept only in the audit trail, which no clinician reads). Filled from the audit rows of the
overrides already given: for each record, the latest one."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = {"monitoring.bonetherapycourse": "BoneTherapyCourse", "monitoring.bonetherapydose": "BoneTherapyDose"}


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.filter(
        object_type__in=list(MODELS), changes__has_key="safety_override"
    ).order_by("at", "id")
    for event in events.iterator():
        override = event.changes["safety_override"]
        model = apps.get_model("monitoring", MODELS[event.object_type])
        model.objects.filter(pk=int(event.object_id)).update(
            safety_override_reason=override.get("reason", ""),
            safety_checks_failed=[check.get("check", "") for check in override.get("failed_checks", [])],
            safety_override_by_id=event.actor_id,
            safety_override_at=event.at,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0014_site_versions_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='bonetherapycourse',
            name='safety_checks_failed',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='bonetherapycourse',
            name='safety_override_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='bonetherapycourse',
            name='safety_override_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='bonetherapycourse',
            name='safety_override_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='bonetherapydose',
            name='safety_checks_failed',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='bonetherapydose',
            name='safety_override_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='bonetherapydose',
            name='safety_override_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='bonetherapydose',
            name='safety_override_reason',
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
