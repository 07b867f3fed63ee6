"""Raise the version counters that key cached pages (monitoring.overview.page_cache).

Two counters, both only ever raised, each inside the transaction of the change it announces (the
change and its new version commit together, so a reader never sees one without the other):
- `PatientAssessment.records_version`, raised by every audited change to a patient's records (the
  audit trail records each create, change and error-mark with the patient;
  monitoring.assessment.receivers
  hooks it);
- `SiteDataVersion.version`, raised by those changes and by every (re)assessment, which may open
  or clear alerts and move what is due. Its row stays locked until the writer commits, so writers
  at one site queue for the end of each other's transaction (milliseconds); rows are always locked
  in site order, so two writers can never deadlock on them.
"""

from collections.abc import Collection

from django.db import connection, connections, router
from django.db.models import F

from bonehealth.accounts.models import Site, User
from monitoring.models import PatientAssessment, SiteDataVersion
from patients.models import Patient


def patient_records_changed(patient_ids: Collection[int]) -> None:
    """A change to these patients' records: their cached pages and their sites' are out of date."""
    ids = list(patient_ids)
    PatientAssessment.objects.filter(patient_id__in=ids).update(
        records_version=F("records_version") + 1
    )
    site_data_changed(ids)


def site_data_changed(patient_ids: Collection[int]) -> None:
    """Raise the data version of every site these patients belong to (one statement)."""
    if not patient_ids:
        return
    versions = SiteDataVersion._meta.db_table
    patients = Patient._meta.db_table
    placeholders = ", ".join(["%s"] * len(patient_ids))
    with connection.cursor() as cursor:
        # Upsert: a site's row is created by its first change. The WHERE clause also resolves
        # SQLite's INSERT ... SELECT ... ON CONFLICT parsing ambiguity; ORDER BY fixes the order
        # in which the rows are locked.
        cursor.execute(
            f"INSERT INTO {versions} (site_id, version) "  # noqa: S608 (table names from _meta)
            f"SELECT DISTINCT site_id, 1 FROM {patients} WHERE id IN ({placeholders}) "
            f"ORDER BY site_id "
            f"ON CONFLICT (site_id) DO UPDATE SET version = {versions}.version + 1",
            list(patient_ids),
        )


def sites_changed(site_ids: Collection[int]) -> None:
    """Raise the data version of these sites (one statement)."""
    if not site_ids:
        return
    table = SiteDataVersion._meta.db_table
    ordered = sorted(site_ids)
    values = ", ".join(["(%s, 1)"] * len(ordered))
    with connection.cursor() as cursor:
        # Upsert: a site's row is created by its first change; rows are locked in site order.
        cursor.execute(
            f"INSERT INTO {table} (site_id, version) VALUES {values} "  # noqa: S608 (table name from _meta)
            f"ON CONFLICT (site_id) DO UPDATE SET version = {table}.version + 1",
            ordered,
        )


def site_versions_for(*, user: User) -> tuple[tuple[int, str, int], ...]:
    """(id, name, data version) of each of the user's active sites, in one query.

    Read from the same database as the data it keys (the replica, on the pages that read from it),
    so a body is never cached under a version newer than the rows it was rendered from. Every
    site has its row (created with the site). Written in SQL: it runs on every view of the cached
    overview pages, where building it with the ORM took a third of a cached page's time.
    """
    alias = router.db_for_read(SiteDataVersion)
    with connections[alias].cursor() as cursor:
        cursor.execute(_SITE_VERSIONS_SQL, [user.pk])
        return tuple((site_id, name, version) for site_id, name, version in cursor.fetchall())


_SITE_VERSIONS_SQL = (
    "SELECT v.site_id, s.name, v.version "  # noqa: S608 (table names from _meta)
    f'FROM "{SiteDataVersion._meta.db_table}" v '
    f'JOIN "{Site._meta.db_table}" s ON s.id = v.site_id '
    f'JOIN "{User.sites.through._meta.db_table}" us ON us.site_id = s.id '
    "WHERE us.user_id = %s AND s.is_active "
    "ORDER BY s.name, v.site_id"
)
