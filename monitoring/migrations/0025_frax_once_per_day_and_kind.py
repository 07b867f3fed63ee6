# One valid FRAX result per patient, day and kind (with or without BMD), as the services already
# refuse a second one: a unique index behind the rule, for any writer that bypasses them.
#
# A deployed database may hold such duplicates already (an edit could move a result onto a day and
# kind that had one before the services checked it). Unlike 0009, this migration marks nothing: a
# FRAX result decides TX-FRAX, and even two identical rows were two entries whose history only a
# clinician should close. It stops before adding the index, naming each group of rows (ids,
# patient, day, kind, values, who entered them), and changes nothing; a clinician marks the wrong
# row of each group entered in error in the app, then `migrate` is run again.

from django.core.management.base import CommandError
from django.db import migrations, models
from django.utils import timezone


def _kind(with_bmd):
    return "with BMD" if with_bmd else "without BMD"


def _row(row):
    when = f"{timezone.localtime(row['entered_at']):%Y-%m-%d %H:%M}"
    by = f" by {row['entered_by__username']}" if row["entered_by__username"] else ""
    return (
        f"FRAX #{row['pk']} ({row['major_osteoporotic_pct']} % / {row['hip_pct']} %, "
        f"entered{by} at {when})"
    )


def _group(rows):
    first = rows[0]
    hidden = (
        " (the patient is marked entered in error: restore the patient first, then mark again)"
        if first["patient__entered_in_error"]
        else ""
    )
    return (
        f"- patient #{first['patient_id']} (MRN {first['patient__mrn']}, site "
        f"{first['patient__site__code']}), {first['assessed_on']:%Y-%m-%d}, "
        f"{_kind(first['with_bmd'])}{hidden}: " + ", ".join(_row(row) for row in rows)
    )


def duplicate_frax_groups(FraxResult):
    """The valid FRAX results sharing a patient, day and kind with another, grouped, in id order."""
    key = ("patient_id", "assessed_on", "with_bmd")
    valid = FraxResult.objects.filter(entered_in_error=False)
    repeated = (
        valid.values(*key).annotate(n=models.Count("pk")).filter(n__gt=1).order_by()
    )
    patients = {group["patient_id"] for group in repeated}
    if not patients:
        return []
    rows = valid.filter(patient_id__in=patients).order_by(*key, "pk").values(
        "pk",
        *key,
        "major_osteoporotic_pct",
        "hip_pct",
        "entered_at",
        "entered_by__username",
        "patient__mrn",
        "patient__site__code",
        "patient__entered_in_error",
    )
    groups = {}
    for row in rows:
        groups.setdefault(tuple(row[f] for f in key), []).append(row)
    return [rows for rows in groups.values() if len(rows) > 1]


def refuse_duplicates(apps, schema_editor):
    """Stop, changing nothing, while two valid FRAX results share a patient, day and kind."""
    FraxResult = apps.get_model("monitoring", "FraxResult")
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        # No writer adds a duplicate between this check and the index (held until the commit).
        table = schema_editor.quote_name(FraxResult._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
    groups = duplicate_frax_groups(FraxResult)
    if groups:
        raise CommandError(
            "Not migrated (monitoring.0025, one FRAX result per patient, day and kind): nothing "
            "was changed. These FRAX results are recorded more than once for the same patient, "
            "day and kind, none marked entered in error, and only a clinician can tell which one "
            "is right. On each patient's page, mark every one but the right one entered in error "
            "(reason: recorded twice), then run migrate again.\n"
            + "\n".join(_group(rows) for rows in groups)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0024_alert_work_renal_hypocalcemia'),
        ('patients', '0006_patient_search_mrn'),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='fraxresult',
            constraint=models.UniqueConstraint(condition=models.Q(('entered_in_error', False)), fields=('patient', 'assessed_on', 'with_bmd'), name='frax_once_per_day_and_kind'),
        ),
    ]
