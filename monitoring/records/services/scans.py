"""DEXA scans: recorded with all their measured sites, corrected, and signed off by a physician."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import (
    changed_by_line,
    changes_since,
    lock_valid,
    rows_to_update,
)
from bonehealth.audit.models import AuditAction
from bonehealth.audit.records import created_values, versioned_update
from bonehealth.audit.services import audit_record, field_values
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import DexaMeasurement, DexaScan
from monitoring.records.services.guards import (
    EntryConflictError,
    entered_by_line,
    patient_lock,
    saved_once,
)
from patients.models import Patient


@dataclass(frozen=True)
class Measurement:
    bmd: Decimal
    t_score: Decimal
    z_score: Decimal | None = None


SCAN_FIELDS = ["scan_date", "scanner", "trabecular_bone_score", "vertebral_fracture_assessment"]
# What a physician's sign-off covers: every field of the scan (it has no free-text notes) and
# every measured site's BMD, T-score and Z-score. A change to any of them resets the sign-off to
# awaiting review (recheck11 #2: a new vertebral fracture, or a change of scanner, which decides
# the LSC and which scans are compared, kept a signature given to other content).
SIGNED_OFF_FIELDS = SCAN_FIELDS


def _measurements_changes(
    before: Mapping[str, Measurement], after: Mapping[str, Measurement]
) -> dict[str, Any]:
    def shown(m: Measurement | None) -> Any:
        return None if m is None else [str(m.bmd), str(m.t_score), str(m.z_score or "")]

    return {
        f"site:{site}": [shown(before.get(site)), shown(after.get(site))]
        for site in sorted(set(before) | set(after))
        if before.get(site) != after.get(site)
    }


def confirmed_changes(confirmed: Mapping[str, list[str]] | None) -> dict[str, Any]:
    """The audit row's record of the T-score checks confirmed at entry (the scan form's ticks,
    `records.score_checks`): per site, the words the user confirmed; nothing when none."""
    return {"values_confirmed": dict(sorted(confirmed.items()))} if confirmed else {}


def _check_sites_free(
    *,
    patient: Patient,
    scan_date: date,
    scanner_id: int,
    sites: Sequence[str],
    exclude_scan: int | None = None,
) -> None:
    same = DexaScan.objects.filter(
        patient=patient, scan_date=scan_date, scanner_id=scanner_id, entered_in_error=False
    ).select_related("entered_by", "scanner")
    if exclude_scan is not None:
        same = same.exclude(pk=exclude_scan)
    scan = same.first()
    if scan is not None:
        raise EntryConflictError(
            "scan_date",
            f"A scan on {scan.scanner} from {scan_date:%Y-%m-%d} is already recorded for this "
            f"patient ({entered_by_line(scan)}); correct that one instead.",
            existing=scan,
        )
    taken = DexaMeasurement.objects.filter(
        scan__patient=patient,
        scan__scan_date=scan_date,
        scan__entered_in_error=False,
        site__in=list(sites),
    )
    if exclude_scan is not None:
        taken = taken.exclude(scan_id=exclude_scan)
    clash = taken.order_by("site").select_related("scan").first()
    if clash is not None:
        raise EntryConflictError(
            f"{clash.site}_bmd",
            f"This site already has a measurement on {scan_date:%Y-%m-%d} for this patient.",
            existing=clash.scan,
        )


def _replace_measurements(scan: DexaScan, measurements: Mapping[str, Measurement]) -> None:
    # Measurements are part of the scan: written with it, never edited alone, never deleted. A
    # correction stamps the rows it replaces (kept, with their values, for the record) before
    # adding the new ones: one current row per site.
    current = {m.site: m for m in DexaMeasurement.objects.filter(scan=scan)}
    changed = {
        site
        for site, row in current.items()
        if measurements.get(site)
        != Measurement(bmd=row.bmd, t_score=row.t_score, z_score=row.z_score)
    }
    if changed:
        DexaMeasurement.objects.filter(pk__in=[current[site].pk for site in changed]).update(
            superseded_at=timezone.now()
        )
    DexaMeasurement.objects.bulk_create(
        DexaMeasurement(scan=scan, site=site, bmd=m.bmd, t_score=m.t_score, z_score=m.z_score)
        for site, m in measurements.items()
        if site not in current or site in changed
    )


@transaction.atomic
def dexa_scan_record(
    *,
    actor: User,
    patient: Patient,
    values: Mapping[str, Any],
    measurements: Mapping[str, Measurement],
    request: HttpRequest | None = None,
    confirmed: Mapping[str, list[str]] | None = None,
) -> DexaScan:
    """Record a DEXA scan with all its measured sites; refused if that scan is recorded already.
    `confirmed`: per site, the words of the T-score checks its entry confirmed (kept in the
    audit row, `confirmed_changes`)."""
    patient_lock(patient.pk)

    def check() -> None:
        _check_sites_free(
            patient=patient,
            scan_date=values["scan_date"],
            scanner_id=values["scanner"].pk,
            sites=list(measurements),
        )

    check()
    scan = saved_once(
        lambda: DexaScan.objects.create(patient=patient, entered_by=actor, **values), check=check
    )
    _replace_measurements(scan, measurements)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=scan,
        patient=patient,
        changes={
            **created_values(scan, SCAN_FIELDS),
            **_measurements_changes({}, measurements),
            **confirmed_changes(confirmed),
        },
    )
    patient_assessment_refresh(patient=patient)
    return scan


def _current_measurements(scan: DexaScan) -> dict[str, Measurement]:
    return {
        m.site: Measurement(bmd=m.bmd, t_score=m.t_score, z_score=m.z_score)
        for m in scan.measurements.all()
    }


def _signed_off_content_changed(
    stored: DexaScan, values: Mapping[str, Any], measurement_changes: Mapping[str, Any]
) -> bool:
    """Whether the save changes anything the sign-off covers (`SIGNED_OFF_FIELDS`, the sites);
    `stored` is the row as read under its lock, a copy this sets `values` on."""
    if measurement_changes:
        return True
    before = field_values(stored, SIGNED_OFF_FIELDS)
    for name, value in values.items():
        setattr(stored, name, value)
    return field_values(stored, SIGNED_OFF_FIELDS) != before


@transaction.atomic
def dexa_scan_update(
    *,
    actor: User,
    scan: DexaScan,
    values: Mapping[str, Any],
    measurements: Mapping[str, Measurement],
    expected_version: int,
    request: HttpRequest | None = None,
    confirmed: Mapping[str, list[str]] | None = None,
) -> DexaScan:
    """Correct a scan; refused if it changed or was marked entered in error since the form was
    opened. Clears the sign-off when anything it covers changed (`SIGNED_OFF_FIELDS`, the sites).
    `confirmed` as for `dexa_scan_record`: asked only of values the correction changes, so it
    comes with a change, never makes one."""
    patient_lock(scan.patient_id)
    # Before the duplicate check: a scan marked in error since the form opened is refused as such.
    stored = lock_valid(scan)

    def check() -> None:
        _check_sites_free(
            patient=scan.patient,
            scan_date=values["scan_date"],
            scanner_id=values["scanner"].pk,
            sites=list(measurements),
            exclude_scan=scan.pk,
        )

    check()
    measurement_changes = _measurements_changes(_current_measurements(scan), measurements)
    review = {}
    if stored.reviewed_at is not None and _signed_off_content_changed(
        stored, values, measurement_changes
    ):
        review = {"reviewed_at": None, "reviewed_by": None}
    updated, changes = saved_once(
        lambda: versioned_update(
            actor=actor,
            instance=scan,
            values={**values, **review},
            fields=[*SCAN_FIELDS, "reviewed_at", "reviewed_by"],
            expected_version=expected_version,
            patient=scan.patient,
            request=request,
            extra_changes={**measurement_changes, **confirmed_changes(confirmed)},
        ),
        check=check,
    )
    if measurement_changes:
        _replace_measurements(updated, measurements)
    if changes:
        patient_assessment_refresh(patient=scan.patient)
    return updated


def _corrected_since(scan: DexaScan, version: int) -> str:
    """Who changed the scan after `version` and when, for a sign-off's refusal."""
    return (
        f"The scan of {scan.scan_date:%Y-%m-%d} was changed "
        f"{changed_by_line(changes_since(scan, version))} since this page was shown; it was not "
        "signed off. Read its values again, then sign it off."
    )


@transaction.atomic
def dexa_scan_sign_off(
    *,
    actor: User,
    scan: DexaScan,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> None:
    """A physician signs off a reviewed scan; a scan signed off already keeps its first reviewer.

    Raises EntryConflictError naming who signed it off and when, saying that the scan was marked
    entered in error, or (`expected_version`: the scan as the page showed it) naming who corrected
    it since: she signs off only values she has read. Raises PatientInErrorError when the
    patient was marked. Each is read under the lock its writer takes (the patient's, then the
    scan's row, as every writer of her records).
    """
    patient_lock(scan.patient_id)
    fresh = rows_to_update(DexaScan).get(pk=scan.pk)
    if fresh.entered_in_error:
        raise EntryConflictError(
            None,
            f"The scan of {fresh.scan_date:%Y-%m-%d} was marked entered in error since this page"
            " was shown; it was not signed off.",
        )
    if fresh.reviewed_at is not None:
        when = f"{timezone.localtime(fresh.reviewed_at):%Y-%m-%d %H:%M}"
        raise EntryConflictError(
            None, f"This scan was already signed off by {fresh.reviewed_by} at {when}."
        )
    if expected_version is not None and fresh.version != expected_version:
        raise EntryConflictError(None, _corrected_since(fresh, expected_version))
    versioned_update(
        actor=actor,
        instance=fresh,
        values={"reviewed_at": timezone.now(), "reviewed_by": actor},
        fields=["reviewed_at", "reviewed_by"],
        expected_version=fresh.version,
        patient=scan.patient,
        request=request,
    )
    # The patient's count of scans awaiting review (and their site's) goes down.
    patient_assessment_refresh(patient=scan.patient)
