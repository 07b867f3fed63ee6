"""Record, when an event is written, the sites it concerns (security9 F16).

An event naming no patient (a list view, a bulk export, a login, an account change) was scoped by
where its people work *now*: removing a leader from their sites hid their exports from their sites'
administrators. `audit_auditeventsite` holds the sites at write time; `sites_recorded` tells the
events written since (true) from the older ones (false, the column's database default: adding it
rewrites no row, which the append-only trigger would refuse), which keep the old rule.

On PostgreSQL the new table is append-only like the trail itself: the same trigger function (now
naming the table it refuses) on UPDATE, DELETE and TRUNCATE.
"""

import django.db.models.deletion
from django.db import migrations, models


FORWARD = """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditeventsite_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditeventsite
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();

CREATE TRIGGER audit_auditeventsite_no_truncate
    BEFORE TRUNCATE ON audit_auditeventsite
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditeventsite_no_truncate ON audit_auditeventsite;
DROP TRIGGER IF EXISTS audit_auditeventsite_no_update_delete ON audit_auditeventsite;
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_user_version"),
        ("audit", "0005_auditevent_import_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="sites_recorded",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.CreateModel(
            name="AuditEventSite",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="site_links",
                        to="audit.auditevent",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.site",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("event", "site"), name="audit_event_site_once")
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
