"""Issue 13: what each removed hand-written piece saved, measured one piece at a time.

The pieces are gone from this code, so run this file from a checkout of the commit before the
cache round (97ed8b9), against a database `bench/scale.py` seeded, e.g.:

    git worktree add /tmp/before 97ed8b9 && cp bench/cache_round_pieces.py /tmp/before/bench/
    cd /tmp/before && /path/to/.venv/bin/python bench/cache_round_pieces.py \
        --database-url postgres://postgres@127.0.0.1:5432/bonehealth_bench

Each pair runs alternately (so both see the same load of a shared machine), --runs times, in one
process; it prints the median wall and CPU time of each. Not part of the test suite.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _pair(
    name: str, removed: Callable[[], object], django_own: Callable[[], object], runs: int
) -> None:
    times: dict[str, list[tuple[float, float]]] = {"removed": [], "Django's own": []}
    for _ in range(3):
        removed(), django_own()
    for _ in range(runs):
        times["removed"].append(_timed(removed))
        times["Django's own"].append(_timed(django_own))
    for label, values in times.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"| {name} | {label} | {wall:.2f} ms | {cpu:.2f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "bonehealth.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-only-" + "k" * 50,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_HTTPS": "false",
            "STATIC_MANIFEST": "false",
        }
    )
    import django

    django.setup()
    from django.contrib.sessions.backends import db as django_sessions
    from django.db import transaction

    from bonehealth.accounts import sessions as sql_sessions
    from bonehealth.accounts.models import User
    from bonehealth.audit.models import AuditAction
    from bonehealth.audit.services import audit_record, audit_view_record
    from monitoring.records.selectors import patient_page_key
    from patients.models import Patient
    from patients.selectors import patients_for_user

    nurse = User.objects.get(username="nurse")
    patient = Patient.objects.filter(site__users=nurse, mrn__startswith="DEMO-").order_by("pk")[7]
    store = django_sessions.SessionStore()
    store["answer"] = 42
    store.save()
    key = store.session_key

    print("| piece | version | wall median | CPU median |")
    print("|---|---|---|---|")
    _pair(
        "session read",
        lambda: sql_sessions.SessionStore(session_key=key).load(),
        lambda: django_sessions.SessionStore(session_key=key).load(),
        args.runs,
    )
    _pair(
        "patient page key (access check, site, assessment versions)",
        lambda: patient_page_key(user=nurse, pk=patient.pk),
        lambda: (
            patients_for_user(user=nurse)
            .select_related("site", "assessment")
            .defer("assessment__data")
            .get(pk=patient.pk)
        ),
        args.runs,
    )

    def audit(write: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            with transaction.atomic():
                write()

        return run

    _pair(
        "audit row of a patient view",
        audit(lambda: audit_view_record(actor=nurse, obj=patient, patient_id=patient.pk)),
        audit(
            lambda: audit_record(action=AuditAction.VIEW, actor=nurse, obj=patient, patient=patient)
        ),
        args.runs,
    )

    def kept_permissions() -> None:
        user = User.objects.get(pk=nurse.pk)
        user._perm_cache = set(perms)  # what the session middleware gave the request

    def read_permissions() -> None:
        User.objects.get(pk=nurse.pk).get_all_permissions()

    perms = nurse.get_all_permissions()
    _pair(
        "permissions (user loaded, then its permissions)",
        kept_permissions,
        read_permissions,
        args.runs,
    )


if __name__ == "__main__":
    main()
