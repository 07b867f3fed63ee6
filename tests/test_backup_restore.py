"""deploy/backup.sh and deploy/restore_check.sh, run for real against the PostgreSQL test database.

They run only when the suite itself runs on PostgreSQL and pg_dump is installed (CI's PostgreSQL
run); on SQLite they are skipped, and in CI a missing pg_dump is a failure, not a skip.
"""

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import DexaScanFactory, LabResultFactory, PatientFactory, SiteFactory

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"

pytestmark = [
    pytest.mark.postgres_tools,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def database_url() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("needs the suite on PostgreSQL (DATABASE_URL=postgres://...)")
    missing = [tool for tool in ("pg_dump", "pg_restore", "psql") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{', '.join(missing)} not on PATH in CI")
        pytest.skip(f"{', '.join(missing)} not on PATH")
    params = connection.settings_dict
    user = params["USER"] or "postgres"
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


def _run(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The scripts run manage.py with production settings, not the suite's tests.settings.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(  # noqa: S603
        [str(DEPLOY / script)],
        env={**base, "DJANGO_DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_backup_then_restore_check_round_trip(database_url: str, tmp_path: Path) -> None:
    site = SiteFactory()
    for n in range(3):
        patient = PatientFactory(site=site, mrn=f"BK{n}")
        DexaScanFactory(patient=patient, scan_date=date(2024, 1, 10 + n))
        LabResultFactory(patient=patient)
    backups = tmp_path / "backups"
    env = {"DATABASE_URL": database_url, "BACKUP_DIR": str(backups), "BACKUP_KEEP": "2"}

    first = _run("backup.sh", env)
    assert first.returncode == 0, first.stderr
    dump = Path(first.stdout.strip())
    assert dump.parent == backups
    assert dump.name.startswith("bonehealth-")
    assert dump.suffix == ".dump"
    assert dump.stat().st_mode & 0o077 == 0  # patient data: owner-only

    scratch = f"{connection.settings_dict['NAME']}_restore_check"
    check = _run("restore_check.sh", {**env, "RESTORE_DB": scratch})
    assert check.returncode == 0, check.stdout + check.stderr
    assert "restore check passed" in check.stdout
    counts = dict(
        line.split("|") for line in check.stdout.replace(" ", "").splitlines() if "|" in line
    )
    assert counts["patients"] == "3"
    assert counts["dexascans"] == "3"
    assert counts["labresults"] == "3"
    # The scratch database is dropped afterwards.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [scratch])
        assert cursor.fetchone() == (0,)


def test_backup_keeps_only_the_newest_dumps(database_url: str, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    for stamp in ("20200101T000000Z", "20200102T000000Z", "20200103T000000Z"):
        (backups / f"bonehealth-{stamp}.dump").write_bytes(b"old")
    (backups / "notes.txt").write_text("not a dump")
    result = _run(
        "backup.sh", {"DATABASE_URL": database_url, "BACKUP_DIR": str(backups), "BACKUP_KEEP": "2"}
    )
    assert result.returncode == 0, result.stderr
    kept = sorted(p.name for p in backups.iterdir())
    assert kept == [
        "bonehealth-20200103T000000Z.dump",
        Path(result.stdout.strip()).name,
        "notes.txt",
    ]


def test_restore_check_fails_on_a_broken_dump(database_url: str, tmp_path: Path) -> None:
    broken = tmp_path / "bonehealth-20200101T000000Z.dump"
    broken.write_bytes(b"PGDMP this is not a dump")
    scratch = f"{connection.settings_dict['NAME']}_restore_broken"
    result = _run(
        "restore_check.sh",
        {"DATABASE_URL": database_url, "DUMP": str(broken), "RESTORE_DB": scratch},
    )
    assert result.returncode != 0
    assert "restore check passed" not in result.stdout


def test_restore_check_refuses_to_restore_over_the_live_database(database_url: str) -> None:
    live = connection.settings_dict["NAME"]
    result = _run(
        "restore_check.sh",
        {"DATABASE_URL": database_url, "DUMP": "/dev/null", "RESTORE_DB": live},
    )
    assert result.returncode == 2
    assert "must differ from the live database" in result.stderr
