"""Time the audit trail scoped to an administrator's sites (bench/README.md, sec7 F4, sec9 F16).

Run from the repository root against a scratch PostgreSQL database (created and migrated if
missing, then filled once with synthetic events by SQL):

    .venv/bin/python bench/audit_scope.py [--database-url postgres://postgres@127.0.0.1:5432/audit_scope_bench]
        [--events 300000] [--code PATH]

`--code` times another checkout's `audit_events_for_user` on the same database (the "before" of
a change: the database must have been migrated by the newer code, whose extra column has a
database default and whose extra table the older code never reads). Events, by SQL: 70% patient
views at both sites, 25% list views and exports naming no patient (their sites recorded, as
`audit_record` writes them), 5% logins; `--legacy` writes them as before audit/0006 (no sites).
Prints, for one site's administrator and for both sites', the first page, the count and page 200,
median of 5 runs. Load goes to 127.0.0.1 only. Not part of the test suite.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/audit_scope_bench"


def _setup(code: Path, url: str) -> None:
    os.environ.update(
        DATABASE_URL=url, DJANGO_DEBUG="false", DJANGO_SETTINGS_MODULE="bonehealth.settings"
    )
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "k" * 50)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    sys.path.insert(0, str(code))
    import django

    django.setup()


def _fill(events: int, legacy: bool) -> None:
    from django.db import connection

    from bonehealth.accounts.models import Site, User
    from patients.models import Patient
    from tests.factories import PatientFactory, SiteFactory, UserFactory

    if Site.objects.exists():
        return
    north, river = SiteFactory(code="north"), SiteFactory(code="river")
    for site in (north, river):
        UserFactory(username=f"admin.{site.code}", role="admin", sites=[site])
        for n in range(5):
            UserFactory(username=f"nurse{n}.{site.code}", role="nurse", sites=[site])
        for _ in range(500):
            PatientFactory(site=site)
    UserFactory(username="admin.both", role="admin", sites=[north, river])
    nurses = list(User.objects.filter(username__startswith="nurse").values_list("pk", "username"))
    patients = list(Patient.objects.values_list("pk", flat=True))
    recorded = "false" if legacy else "true"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_nurse (i int, id int, name text, site int)")
        for i, (pk, name) in enumerate(nurses):
            site = north.pk if name.endswith("north") else river.pk
            cursor.execute("INSERT INTO bench_nurse VALUES (%s, %s, %s, %s)", [i, pk, name, site])
        cursor.execute("CREATE TEMP TABLE bench_patient (i int, id int)")
        for i, pk in enumerate(patients):
            cursor.execute("INSERT INTO bench_patient VALUES (%s, %s)", [i, pk])
        # g % 20: 0..13 a patient view, 14..18 a list view (no patient), 19 a login.
        cursor.execute(
            f"""
            INSERT INTO audit_auditevent
                (at, actor_id, username, action, object_type, object_id, patient_id, changes,
                 sites_recorded)
            SELECT now() - (g || ' seconds')::interval, n.id, n.name,
                   CASE WHEN g %% 20 = 19 THEN 'login' ELSE 'view' END,
                   CASE WHEN g %% 20 < 14 THEN 'patients.patient' ELSE '' END,
                   CASE WHEN g %% 20 < 14 THEN p.id::text ELSE '' END,
                   CASE WHEN g %% 20 < 14 THEN p.id END,
                   CASE WHEN g %% 20 BETWEEN 14 AND 18
                        THEN '{{"shown": "worklist"}}'::jsonb ELSE '{{}}'::jsonb END,
                   {recorded}
            FROM generate_series(1, %s) AS g
            JOIN bench_nurse n ON n.i = g %% {len(nurses)}
            JOIN bench_patient p ON p.i = g %% {len(patients)}
            """,  # noqa: S608 (integers and a literal of this script, no input)
            [events],
        )
        if not legacy:
            cursor.execute(
                """
                INSERT INTO audit_auditeventsite (event_id, site_id)
                SELECT e.id, n.site FROM audit_auditevent e JOIN bench_nurse n ON n.id = e.actor_id
                WHERE e.patient_id IS NULL
                """
            )
        cursor.execute("ANALYZE")


def _time(read) -> float:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        read()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def _measure() -> None:
    from bonehealth.accounts.models import User
    from bonehealth.audit.models import AuditEvent
    from bonehealth.audit.selectors import audit_events_search

    print(f"{AuditEvent.objects.count():,} events")
    print("| read | one site's admin | both sites' admin |")
    print("|---|---|---|")
    admins = [User.objects.get(username=name) for name in ("admin.north", "admin.both")]
    reads = {
        "first page (50 newest)": lambda events: list(events[:50]),
        "the count": lambda events: events.count(),
        "page 200 (OFFSET 9950)": lambda events: list(events[9950:10000]),
    }
    for name, read in reads.items():
        cells = [_time(lambda a=admin, r=read: r(audit_events_search(user=a))) for admin in admins]
        print(f"| {name} | " + " | ".join(f"{ms:.0f} ms" for ms in cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="scratch database")
    parser.add_argument("--events", type=int, default=300_000, help="synthetic events to add")
    parser.add_argument("--legacy", action="store_true", help="events as before audit/0006")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose reads are timed")
    args = parser.parse_args()
    if "127.0.0.1" not in args.database_url:
        raise SystemExit("the benchmark only runs against a local database (127.0.0.1)")
    migrate = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"],
        env={**os.environ, "DATABASE_URL": args.database_url, "DJANGO_DEBUG": "true"},
        cwd=ROOT,
        check=False,
    )
    if migrate.returncode:
        raise SystemExit("migrate failed")
    _setup(ROOT, args.database_url)
    _fill(args.events, args.legacy)
    if args.code != ROOT:
        # Another checkout's selectors over the same rows: a fresh interpreter importing it.
        code = f"import sys; sys.argv = ['x']; sys.path.insert(0, {str(ROOT / 'bench')!r}); "
        code += "import audit_scope as b; "
        code += f"b._setup(__import__('pathlib').Path({str(args.code)!r}), {args.database_url!r}); "
        code += "b._measure()"
        subprocess.run([sys.executable, "-c", code], check=True, cwd=args.code)  # noqa: S603
        return
    _measure()


if __name__ == "__main__":
    main()
