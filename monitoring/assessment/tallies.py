"""Keep each site's dashboard counts (monitoring.models.SiteTally) as patients are reassessed.

The dashboard shows, for the user's sites, how many followed patients fall in each risk category
and have an open alert of each severity, how many open alerts of each code there are and how many
scans await review. Counting those rows takes tens of milliseconds at 10,000 patients and grows
with every patient; the tallies give them in one read of a few dozen rows.

Every reassessment (monitoring.assessment.refresh, in the writer's transaction) describes what
each patient counted for before and after as a `Standing`, and `tallies_apply` adds the difference.
The reassessment first locks its patients' stored assessments, so two writers never both subtract
the same "before". `tallies_rebuild` counts everything afresh from the stored assessments and
alerts: the migration fills the table with it and the nightly reassessment ends with it, so that
anything written around the services (a bulk load, a shell) is put right by the next morning.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Sum

from monitoring.models import Alert, PatientAssessment, SiteTally, TallyKind

TallyKey = tuple[int, str, str]  # (site id, kind, key)


@dataclass(frozen=True)
class Standing:
    """What one patient counts for in their site's tallies."""

    site_id: int | None
    followed: bool
    risk_category: str
    worst_rank: int | None
    alerts: tuple[tuple[str, int], ...]  # (code, severity rank) of each open alert
    unreviewed_scans: int


def counts_of(standing: Standing) -> Counter[TallyKey]:
    """The tallies one patient adds to: none unless followed (active follow-up, not in error)."""
    counts: Counter[TallyKey] = Counter()
    site = standing.site_id
    if not standing.followed or site is None:
        return counts
    counts[(site, TallyKind.RISK.value, standing.risk_category)] += 1
    if standing.worst_rank is not None:
        counts[(site, TallyKind.WORST.value, str(standing.worst_rank))] += 1
    for code, rank in standing.alerts:
        counts[(site, TallyKind.ALERT.value, alert_key(code, rank))] += 1
    if standing.unreviewed_scans:
        counts[(site, TallyKind.UNREVIEWED.value, "")] += standing.unreviewed_scans
    return counts


def alert_key(code: str, rank: int) -> str:
    """The key of an ALERT tally: the alert code and severity rank."""
    return f"{code}:{rank}"


def alert_key_parts(key: str) -> tuple[str, int]:
    """(code, severity rank) of an ALERT tally's key."""
    code, rank = key.rsplit(":", 1)
    return code, int(rank)


def changes(before: Iterable[Standing], after: Iterable[Standing]) -> dict[TallyKey, int]:
    """How each tally moves when patients go from `before` to `after` (zero moves left out)."""
    delta: Counter[TallyKey] = Counter()
    for standing in after:
        delta.update(counts_of(standing))
    for standing in before:
        delta.subtract(counts_of(standing))
    return {key: n for key, n in delta.items() if n}


def tallies_apply(delta: dict[TallyKey, int]) -> None:
    """Add `delta` to the stored tallies (one statement).

    Rows are written in key order, so two writers lock shared rows in the same order.
    """
    if not delta:
        return
    table = SiteTally._meta.db_table
    keys = sorted(delta)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(keys))
    params: list[Any] = []
    for site_id, kind, key in keys:
        params += [site_id, kind, key, delta[(site_id, kind, key)]]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (site_id, kind, key, n) VALUES {values} "  # noqa: S608 (table name from _meta)
            f"ON CONFLICT (site_id, kind, key) DO UPDATE SET n = {table}.n + excluded.n",
            params,
        )


def counted(assessments: Any = PatientAssessment, alerts: Any = Alert) -> dict[TallyKey, int]:
    """Every tally counted afresh from the stored assessments and open alerts (four queries).

    The models are parameters so that the migration can pass its historical ones.
    """
    followed = assessments.objects.filter(followed=True, site__isnull=False)
    counts: dict[TallyKey, int] = {}
    for site_id, risk, n in (
        followed.values_list("site_id", "risk_category").annotate(n=Count("pk")).order_by()
    ):
        counts[(site_id, TallyKind.RISK.value, risk)] = n
    for site_id, rank, n in (
        followed.filter(worst_alert_rank__isnull=False)
        .values_list("site_id", "worst_alert_rank")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(site_id, TallyKind.WORST.value, str(rank))] = n
    for site_id, n in (
        followed.filter(unreviewed_scans__gt=0)
        .values_list("site_id")
        .annotate(n=Sum("unreviewed_scans"))
        .order_by()
    ):
        counts[(site_id, TallyKind.UNREVIEWED.value, "")] = n
    for site_id, code, rank, n in (
        alerts.objects.filter(
            cleared_at__isnull=True,
            patient__assessment__followed=True,
            patient__assessment__site__isnull=False,
        )
        .annotate(tally_site=F("patient__assessment__site_id"))
        .values_list("tally_site", "code", "severity_rank")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(site_id, TallyKind.ALERT.value, alert_key(code, rank))] = n
    return counts


def tallies_rebuild(tallies: Any = SiteTally, **models: Any) -> None:
    """Replace every stored tally with a fresh count.

    On PostgreSQL the table is locked against writers first: a writer that has not yet added its
    change waits and then adds it to the fresh count, and a writer that has added it has committed
    before the count reads. Readers are not blocked.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tallies._meta.db_table} IN EXCLUSIVE MODE")
        fresh = counted(**models)
        tallies.objects.all().delete()
        tallies.objects.bulk_create(
            tallies(site_id=site_id, kind=kind, key=key, n=n)
            for (site_id, kind, key), n in sorted(fresh.items())
        )


def stored_tallies() -> dict[TallyKey, int]:
    """The stored tallies without the zeros (what `counted()` would give when all is well)."""
    return {
        (site_id, kind, key): n
        for site_id, kind, key, n in SiteTally.objects.exclude(n=0).values_list(
            "site_id", "kind", "key", "n"
        )
    }
