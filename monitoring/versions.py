"""Raise the version counters that key cached pages (monitoring.page_cache).

Two counters, both only ever raised, each inside the transaction of the change it announces (the
change and its new version commit together, so a reader never sees one without the other):
- `PatientAssessment.records_version`, raised by every audited change to a patient's records (the
  audit trail records each create, change and error-mark with the patient; monitoring.receivers
  hooks it);
- `SiteDataVersion.version`, raised by those changes and by every (re)assessment, which may open
  or clear alerts and move what is due. Its row stays locked until the writer commits, so writers
  at one site queue for the end of each other's transaction (milliseconds); rows are always locked
  in site order, so two writers can never deadlock on them.
"""

from collections.abc import Collection

from django.db import connection
from django.db.models import F

from bonehealth.accounts.models import User
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


def site_versions_for(*, user: User) -> tuple[tuple[int, str, int], ...]:
    """(id, name, data version) of each of the user's active sites, in one query.

    Read from the same database as the data it keys (the replica, on the pages that read from it),
    so a body is never cached under a version newer than the rows it was rendered from. Every
    site has its row (created with the site).
    """
    return tuple(
        SiteDataVersion.objects.filter(site__users=user, site__is_active=True)
        .order_by("site__name", "site_id")
        .values_list("site_id", "site__name", "version")
    )
