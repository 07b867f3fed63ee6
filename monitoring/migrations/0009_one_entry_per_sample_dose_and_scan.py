# One valid lab result per sample and analyte, one valid dose per course and day, one valid scan
# per scanner and day (issue 12: double submits stored duplicates).
#
# A deployed database may already hold such duplicates, which would make the new unique indexes
# fail. Before adding them, `mark_exact_duplicates` keeps the first-entered row of each group and
# marks the later rows entered in error, with a reason and an audit event, but only when they are
# exact copies (same values): removing a copy changes no assessment. A group whose rows differ is a
# clinical question the migration will not answer: it stops, naming the rows, and leaves the data
# as it was; a clinician marks the wrong one entered in error in the app, then `migrate` is rerun.

from functools import reduce
from operator import or_

from django.db import migrations, models
from django.db.models import Count, F, Q
from django.db.models.functions import Now

REASON = "Duplicate of {label} #{kept}, entered twice before duplicates were refused (migration 0009)."


def _lab_values(lab):
    return (lab.entered_value, lab.entered_unit, lab.fasting)


def _dose_values(dose):
    return ()


def _scan_values(scan):
    measured = sorted((m.site, m.bmd, m.t_score, m.z_score) for m in scan.measurements.all())
    return (scan.trabecular_bone_score, scan.vertebral_fracture_assessment, tuple(measured))


def _duplicate_groups(model, key_fields, prefetch, patient_path):
    """The valid rows sharing a key with another, grouped by key, first entered first."""
    valid = model.objects.filter(entered_in_error=False)
    keys = valid.values(*key_fields).annotate(n=Count("pk")).filter(n__gt=1).order_by()
    if not keys:
        return []
    rows = (
        valid.filter(reduce(or_, (Q(**{f: key[f] for f in key_fields}) for key in keys)))
        .annotate(owner=F(patient_path))
        .prefetch_related(*prefetch)
        .order_by("pk")
    )
    groups = {}
    for row in rows:
        groups.setdefault(tuple(getattr(row, f) for f in key_fields), []).append(row)
    return list(groups.values())


def mark_exact_duplicates(apps, schema_editor):
    """Mark later exact copies entered in error; stop on duplicates whose values differ."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    PatientAssessment = apps.get_model("monitoring", "PatientAssessment")
    kinds = [
        ("lab result", "LabResult", ["patient_id", "analyte", "sample_date"], _lab_values, [], "patient_id"),
        ("dose", "BoneTherapyDose", ["course_id", "given_on"], _dose_values, [], "course__patient_id"),
        ("DEXA scan", "DexaScan", ["patient_id", "scan_date", "scanner_id"], _scan_values, ["measurements"], "patient_id"),
    ]
    to_mark = []  # (label, model, kept row, duplicate row, patient id)
    differing = []
    for label, model_name, key_fields, values, prefetch, patient_path in kinds:
        model = apps.get_model("monitoring", model_name)
        for group in _duplicate_groups(model, key_fields, prefetch, patient_path):
            first = group[0]
            for row in group[1:]:
                if values(row) == values(first):
                    to_mark.append((label, model, first, row, row.owner))
                else:
                    differing.append(f"{label}s #{first.pk} and #{row.pk} (patient {row.owner})")
    if differing:
        raise RuntimeError(
            "Not migrated: these records are recorded twice with different values, and only a "
            "clinician can tell which is right. Mark the wrong one of each pair entered in error "
            "in the application, then run migrate again: " + "; ".join(differing)
        )
    if not to_mark:
        return
    patients = set()
    for label, model, first, row, patient_id in to_mark:
        reason = REASON.format(label=label, kept=first.pk)
        model.objects.filter(pk=row.pk).update(
            entered_in_error=True,
            error_reason=reason,
            error_marked_at=Now(),
            version=F("version") + 1,
        )
        AuditEvent.objects.create(
            action="mark_error",
            username="migration",
            object_type=model._meta.label_lower,
            object_id=str(row.pk),
            patient_id=patient_id,
            changes={
                "entered_in_error": [False, True],
                "reason": reason,
                "version": [row.version, row.version + 1],
            },
        )
        patients.add(patient_id)
    # Cached fragments of these patients' pages are out of date (monitoring.assessment.versions).
    # (The sites' data versions this also raised are dropped by migration 0011.)
    PatientAssessment.objects.filter(patient_id__in=patients).update(
        records_version=F("records_version") + 1
    )
    # A marked scan no longer awaits review: recount as migration 0008 did (the copies change no
    # other part of an assessment). The sites' tallies it also recounted are dropped by 0011.
    DexaScan = apps.get_model("monitoring", "DexaScan")
    for patient_id in patients:
        PatientAssessment.objects.filter(patient_id=patient_id).update(
            unreviewed_scans=DexaScan.objects.filter(
                patient_id=patient_id, entered_in_error=False, reviewed_at__isnull=True
            ).count()
        )


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_trigger'),
        ('monitoring', '0008_dashboard_tallies'),
        ('patients', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(mark_exact_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='bonetherapydose',
            constraint=models.UniqueConstraint(condition=models.Q(('entered_in_error', False)), fields=('course', 'given_on'), name='dose_once_per_course_day'),
        ),
        migrations.AddConstraint(
            model_name='dexascan',
            constraint=models.UniqueConstraint(condition=models.Q(('entered_in_error', False)), fields=('patient', 'scan_date', 'scanner'), name='scan_once_per_scanner_day'),
        ),
        migrations.AddConstraint(
            model_name='labresult',
            constraint=models.UniqueConstraint(condition=models.Q(('entered_in_error', False)), fields=('patient', 'analyte', 'sample_date'), name='lab_result_once_per_sample'),
        ),
    ]
