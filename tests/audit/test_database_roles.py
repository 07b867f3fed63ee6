"""The database roles of docs/deployment.md, tried as an attacker holding the app's credentials.

On PostgreSQL with psql on PATH: a scratch database owned by a migration role (no superuser) is
migrated by that role, which then applies deploy/postgres/runtime_role.sql; a second role, the
runtime one, connects on its own connection. It can read and append to the audit trail and
change clinical records, and nothing more: no UPDATE, DELETE, TRUNCATE, ALTER TABLE or DROP
TRIGGER on the trail, no DELETE of a clinical row. Skipped on SQLite (no roles there).
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from monitoring.models import Alert
from tests.record_edits import CLINICAL_RECORDS

ROOT = Path(__file__).resolve().parent.parent.parent
GRANTS = ROOT / "deploy" / "postgres" / "runtime_role.sql"

pytestmark = pytest.mark.postgres_tools

# Tables whose rows the runtime role may delete, as docs/deployment.md lists them.
DELETABLE = {
    "django_session",
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
    "otp_totp_totpdevice",
    "accounts_user_groups",
    "accounts_user_sites",
    "accounts_user_user_permissions",
    "auth_group_permissions",
    "django_tasks_database_dbtaskresult",
    "monitoring_scheduleditem",
}
CLINICAL = [*CLINICAL_RECORDS, Alert]


@dataclass(frozen=True)
class Roles:
    server: dict[str, Any]
    database: str
    owner: str
    runtime: str

    def connect(self, role: str) -> psycopg.Connection[Any]:
        return psycopg.connect(**self.server, user=role, dbname=self.database)

    def url(self, role: str) -> str:
        return f"postgres://{role}@{self.server['host']}:{self.server['port']}/{self.database}"


def _drop(admin: psycopg.Connection[Any], database: str, *roles: str) -> None:
    admin.execute(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
    )
    for role in roles:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.fixture(scope="module")
def roles() -> Iterator[Roles]:
    """A database migrated by its owning role, with the runtime role's grants applied."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles exist on PostgreSQL only")
    psql = shutil.which("psql")
    if psql is None:
        if os.environ.get("CI") == "true":
            pytest.fail("psql not on PATH in CI")
        pytest.skip("psql not on PATH")
    params = connection.settings_dict
    server = {"host": params["HOST"] or "127.0.0.1", "port": int(params["PORT"] or 5432)}
    # Roles belong to the whole server: named after this run's database, so runs do not collide.
    stem = params["NAME"].removeprefix("test_")
    found = Roles(server, f"{stem}_roles_check", f"{stem}_migrator", f"{stem}_runtime")
    superuser = {"user": params["USER"] or "postgres", "password": params["PASSWORD"] or None}
    with psycopg.connect(**server, **superuser, dbname="postgres", autocommit=True) as admin:
        _drop(admin, found.database, found.runtime, found.owner)
        for statement in (
            "CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
            "CREATE ROLE {runtime} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
            "CREATE DATABASE {database} OWNER {owner}",
            "REVOKE ALL ON DATABASE {database} FROM PUBLIC",
            "GRANT CONNECT ON DATABASE {database} TO {runtime}",
        ):
            admin.execute(
                sql.SQL(statement).format(
                    owner=sql.Identifier(found.owner),
                    runtime=sql.Identifier(found.runtime),
                    database=sql.Identifier(found.database),
                )
            )
        try:
            env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
            env |= {"DJANGO_DEBUG": "true", "DATABASE_URL": found.url(found.owner)}
            migrate = _manage(["migrate", "--no-input", "-v0"], env)
            assert migrate.returncode == 0, migrate.stderr
            grants = subprocess.run(  # noqa: S603
                [
                    psql,
                    "-q",
                    found.url(found.owner),
                    "-v",
                    f"runtime_role={found.runtime}",
                    "-f",
                    str(GRANTS),
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert grants.returncode == 0, grants.stderr
            yield found
        finally:
            _drop(admin, found.database, found.runtime, found.owner)


def _manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )


AUDIT_REFUSALS = {
    "update": "UPDATE audit_auditevent SET action = 'view'",
    "delete": "DELETE FROM audit_auditevent",
    "truncate": "TRUNCATE audit_auditevent",
    "update an event's sites": "UPDATE audit_auditeventsite SET site_id = site_id",
    "delete an event's sites": "DELETE FROM audit_auditeventsite",
    "truncate an event's sites": "TRUNCATE audit_auditeventsite",
    "truncate with the old escape": (
        "SET LOCAL bonehealth.allow_audit_truncate = on; TRUNCATE audit_auditevent"
    ),
    "disable its triggers": "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "alter a column": "ALTER TABLE audit_auditevent ALTER COLUMN username DROP NOT NULL",
    "drop a trigger": "DROP TRIGGER audit_auditevent_no_update_delete ON audit_auditevent",
    "drop the table": "DROP TABLE audit_auditevent CASCADE",
    "switch triggers off": "SET session_replication_role = replica",
    "create a table": "CREATE TABLE audit_copy (id int)",
}

INSERT_EVENT = (
    "INSERT INTO audit_auditevent (at, username, action, object_type, object_id, changes)"
    " VALUES (now(), 'intruder', 'login', '', '', '{}')"
)


@pytest.mark.parametrize("statement", AUDIT_REFUSALS.values(), ids=AUDIT_REFUSALS.keys())
def test_the_runtime_role_appends_to_the_trail_and_cannot_touch_it(
    roles: Roles, statement: str
) -> None:
    with roles.connect(roles.runtime) as conn:
        conn.execute(INSERT_EVENT)
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute(statement)
        rows = conn.execute("SELECT username, action FROM audit_auditevent").fetchall()
        assert rows == [("intruder", "login")]
        conn.rollback()


def test_the_owner_cannot_truncate_with_the_old_escape_either(roles: Roles) -> None:
    """The trigger itself has no escape hatch: even the table's owner is refused."""
    with roles.connect(roles.owner) as conn:
        conn.execute(INSERT_EVENT)
        # Check the deferred foreign keys now, or TRUNCATE fails for that reason instead.
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(
                "SET LOCAL bonehealth.allow_audit_truncate = on;"
                " TRUNCATE audit_auditevent, audit_auditeventsite"
            )
        conn.rollback()


@pytest.mark.parametrize("model", CLINICAL, ids=lambda model: model._meta.db_table)
def test_the_runtime_role_cannot_delete_clinical_rows(roles: Roles, model: Any) -> None:
    table = sql.Identifier(model._meta.db_table)
    with roles.connect(roles.runtime) as conn:
        for statement in ("DELETE FROM {}", "TRUNCATE {} CASCADE"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(sql.SQL(statement).format(table))
        conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table))


def test_only_the_listed_tables_allow_delete_and_none_truncate(roles: Roles) -> None:
    with roles.connect(roles.owner) as conn:
        privileges = conn.execute(
            "SELECT tablename, has_table_privilege(%(role)s, quote_ident(tablename), 'DELETE'),"
            " has_table_privilege(%(role)s, quote_ident(tablename), 'TRUNCATE'),"
            " has_table_privilege(%(role)s, quote_ident(tablename), 'UPDATE')"
            " FROM pg_tables WHERE schemaname = 'public'",
            {"role": roles.runtime},
        ).fetchall()
    assert {table for table, delete, _, _ in privileges if delete} == DELETABLE
    assert not [table for table, _, truncate, _ in privileges if truncate]
    no_update = {table for table, _, _, update in privileges if not update}
    assert no_update == {"audit_auditevent", "audit_auditeventsite", "django_migrations"}
    assert all(model._meta.db_table not in DELETABLE for model in CLINICAL)


def test_the_app_works_as_the_runtime_role(roles: Roles) -> None:
    """Everyday writes, a scan correction among them, succeed with the runtime role's grants."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env |= {"DJANGO_DEBUG": "true", "DATABASE_URL": roles.url(roles.runtime)}
    run = _manage(["shell", "-c", "from tests.audit.runtime_workload import main; main()"], env)
    assert run.returncode == 0, run.stderr
    assert "scan corrected" in run.stdout
    assert "wrong password counted" in run.stdout
    assert "session ended" in run.stdout
    with roles.connect(roles.owner) as conn:
        kept = conn.execute(
            "SELECT bmd::text FROM monitoring_dexameasurement WHERE superseded_at IS NOT NULL"
        ).fetchall()
        events = set(conn.execute("SELECT action, object_type FROM audit_auditevent").fetchall())
    assert kept == [("0.900",)]
    assert events >= {
        ("create", "monitoring.dexascan"),
        ("change", "monitoring.dexascan"),
        ("mark_error", "monitoring.dexascan"),
        ("change", "patients.patient"),
        ("change", "accounts.user"),
        ("login_failed", ""),
    }
