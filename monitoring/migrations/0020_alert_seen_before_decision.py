"""A therapy decision alert is acknowledged only by one who may decide therapy; anyone else's note
marks it seen (`seen_*`, phys9 F15). The open decision alerts already acknowledged by a user
without that permission (a nurse) move their acknowledgement to `seen_*`, audited, so they are
back on the physician's worklist and unacknowledged on the dashboard."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Max, Q
from django.utils import timezone

# monitoring.assessment.permissions.THERAPY_DECISION_CODES and DECIDE_THERAPY_PERMISSION, as of
# this migration.
DECISION_CODES = [
    "BONE_THERAPY_INDICATED",
    "DENOSUMAB_STOPPED_NO_FOLLOW_ON",
    "BISPHOSPHONATE_DURATION_REVIEW",
    "BTM_RESPONSE_INADEQUATE",
    "FRACTURE_ON_THERAPY",
]
DECIDE = ("monitoring", "manage_bone_therapy")


def reopen_decisions(apps, schema_editor):  # type: ignore[no-untyped-def]
    Alert = apps.get_model("monitoring", "Alert")
    PatientAssessment = apps.get_model("monitoring", "PatientAssessment")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    decide = Q(content_type__app_label=DECIDE[0], codename=DECIDE[1])
    Permission = apps.get_model("auth", "Permission")
    allowed = Permission.objects.filter(decide)
    deciders = User.objects.filter(
        Q(is_superuser=True) | Q(user_permissions__in=allowed) | Q(groups__permissions__in=allowed)
    ).values("pk")
    noted = Alert.objects.filter(
        cleared_at__isnull=True, code__in=DECISION_CODES, acknowledged_at__isnull=False
    ).exclude(acknowledged_by__in=deciders)
    now = timezone.now()
    patients = set()
    for alert in noted.order_by("pk"):
        before = (alert.acknowledged_at, alert.acknowledged_by_id, alert.acknowledgement_note)
        alert.seen_at, alert.seen_by_id, alert.seen_note = before
        alert.acknowledged_at, alert.acknowledged_by_id, alert.acknowledgement_note = None, None, ""
        alert.save(
            update_fields=[
                "seen_at", "seen_by", "seen_note",
                "acknowledged_at", "acknowledged_by", "acknowledgement_note",
            ]
        )
        at = before[0].isoformat()
        AuditEvent.objects.create(
            at=now,
            action="change",
            object_type="monitoring.alert",
            object_id=str(alert.pk),
            patient_id=alert.patient_id,
            changes={
                "acknowledged_at": [at, None],
                "acknowledged_by": [before[1], None],
                "acknowledgement_note": [before[2], ""],
                "seen_at": [None, at],
                "seen_by": [None, before[1]],
                "seen_note": ["", before[2]],
                "reason": "a therapy decision is acknowledged by one who may decide therapy",
            },
        )
        patients.add(alert.patient_id)
    for patient_id in patients:
        waiting = Alert.objects.filter(
            patient_id=patient_id, cleared_at__isnull=True, acknowledged_at__isnull=True
        ).aggregate(worst=Max("severity_rank"))["worst"]
        PatientAssessment.objects.filter(patient_id=patient_id).update(
            worst_unacknowledged_rank=waiting, records_version=F("records_version") + 1
        )


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0019_alert_work_fracture_on_therapy'),
        ('audit', '0005_auditevent_import_action'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='alert',
            name='seen_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='alert',
            name='seen_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='alert',
            name='seen_note',
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(reopen_decisions, migrations.RunPython.noop),
    ]
