"""Clinical entries: scans, labs, FRAX, therapy, doses, supplements and the monitoring plan.

Each service runs in one transaction that also writes the audit event and reassesses the patient,
so the alerts a nurse sees after saving are those of the data just saved.

A record that must exist once (a lab result per sample, a dose per day, a scan per scanner and day,
the supplements row) is checked under the patient's row lock, so double submits take turns and
the second is refused by the check; the unique index behind each check refuses any writer that
skipped it, and that refusal is turned into the same message.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.concurrency import ConcurrentEditError, FieldChange
from bonehealth.audit.models import AuditAction
from bonehealth.audit.records import created_values, mark_in_error, versioned_update
from bonehealth.audit.services import audit_record
from monitoring import domain
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    FraxResult,
    LabResult,
    MonitoringPlan,
    Supplements,
)
from monitoring.models.choices import Analyte
from monitoring.models.labs import canonical_value
from monitoring.models.records import ClinicalEntry
from patients.models import Patient


class EntryConflictError(Exception):
    """The entry clashes with a record already saved; `field` names the form field to blame."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
        super().__init__(message)


class PlanChangedError(EntryConflictError):
    """A newer plan was set after the form was opened; nothing was saved."""

    def __init__(self, newer: MonitoringPlan) -> None:
        self.newer = newer
        when = f"{timezone.localtime(newer.set_at):%Y-%m-%d %H:%M}"
        due = f"{newer.next_dexa_due:%Y-%m-%d}" if newer.next_dexa_due else "the computed date"
        super().__init__(
            "next_dexa_due",
            f"{newer.set_by or 'Someone'} set the next DEXA to {due} ({newer.reason}) at {when}, "
            "after you opened this form. Save again to replace their plan with yours.",
        )


@dataclass(frozen=True)
class Measurement:
    bmd: Decimal
    t_score: Decimal
    z_score: Decimal | None = None


@dataclass(frozen=True)
class LabEntry:
    analyte: str
    value: Decimal
    unit: str


def _patient_lock(patient_id: int) -> None:
    """Lock the patient's row until the commit: their writers take turns, and each one's duplicate
    check sees what the one before it committed.

    Taken before the assessment lock, as a patient's own edit takes them. FOR NO KEY UPDATE (on
    PostgreSQL) leaves alone the key-share locks of rows inserted for the patient by writers that
    take the assessment first (an acknowledgement's audit event), so they cannot deadlock with it.
    """
    rows = Patient.objects.filter(pk=patient_id)
    no_key = connection.features.has_select_for_no_key_update
    list(rows.select_for_update(no_key=no_key).values_list("pk"))


def _entered(entry: ClinicalEntry) -> str:
    """Who entered a record and when, for a refusal's message."""
    when = f"{timezone.localtime(entry.entered_at):%Y-%m-%d %H:%M}"
    return f"entered by {entry.entered_by} at {when}" if entry.entered_by else f"entered at {when}"


def _saved_once[T](save: Callable[[], T], *, check: Callable[[], None]) -> T:
    """Run `save` in a savepoint; if a unique index refuses it, raise `check`'s conflict.

    The last line of defence: a concurrent writer that skipped the check committed the same record
    first. The savepoint keeps the transaction usable for `check` to read the row that won.
    """
    try:
        with transaction.atomic():
            return save()
    except IntegrityError as refused:
        check()
        raise EntryConflictError(
            None, "The same record was saved by someone else at the same time; reload the page."
        ) from refused


SCAN_FIELDS = ["scan_date", "scanner", "trabecular_bone_score", "vertebral_fracture_assessment"]
LAB_FIELDS = ["sample_date", "analyte", "value", "entered_value", "entered_unit", "fasting"]
FRAX_FIELDS = ["assessed_on", "major_osteoporotic_pct", "hip_pct", "with_bmd"]
THERAPY_FIELDS = ["drug", "dose", "start_date", "stop_date", "stop_reason", "dental_review_date"]


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
            f"patient ({_entered(scan)}); correct that one instead.",
        )
    taken = DexaMeasurement.objects.filter(
        scan__patient=patient,
        scan__scan_date=scan_date,
        scan__entered_in_error=False,
        site__in=list(sites),
    )
    if exclude_scan is not None:
        taken = taken.exclude(scan_id=exclude_scan)
    clash = taken.order_by("site").values_list("site", flat=True).first()
    if clash is not None:
        raise EntryConflictError(
            f"{clash}_bmd",
            f"This site already has a measurement on {scan_date:%Y-%m-%d} for this patient.",
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
) -> DexaScan:
    """Record a DEXA scan with all its measured sites; refused if that scan is recorded already."""
    _patient_lock(patient.pk)

    def check() -> None:
        _check_sites_free(
            patient=patient,
            scan_date=values["scan_date"],
            scanner_id=values["scanner"].pk,
            sites=list(measurements),
        )

    check()
    scan = _saved_once(
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
        },
    )
    patient_assessment_refresh(patient=patient)
    return scan


def _current_measurements(scan: DexaScan) -> dict[str, Measurement]:
    return {
        m.site: Measurement(bmd=m.bmd, t_score=m.t_score, z_score=m.z_score)
        for m in scan.measurements.all()
    }


@transaction.atomic
def dexa_scan_update(
    *,
    actor: User,
    scan: DexaScan,
    values: Mapping[str, Any],
    measurements: Mapping[str, Measurement],
    expected_version: int,
    request: HttpRequest | None = None,
) -> DexaScan:
    """Correct a scan; refused if it changed since the form was opened. Clears the sign-off."""
    _patient_lock(scan.patient_id)

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
    if measurement_changes and scan.reviewed_at is not None:
        # Changed numbers need a new review.
        review = {"reviewed_at": None, "reviewed_by": None}
    updated, changes = _saved_once(
        lambda: versioned_update(
            actor=actor,
            instance=scan,
            values={**values, **review},
            fields=[*SCAN_FIELDS, "reviewed_at", "reviewed_by"],
            expected_version=expected_version,
            patient=scan.patient,
            request=request,
            extra_changes=measurement_changes,
        ),
        check=check,
    )
    if measurement_changes:
        _replace_measurements(updated, measurements)
    if changes:
        patient_assessment_refresh(patient=scan.patient)
    return updated


@transaction.atomic
def dexa_scan_sign_off(*, actor: User, scan: DexaScan, request: HttpRequest | None = None) -> None:
    """A physician signs off a reviewed scan; a scan signed off already keeps its first reviewer.

    Raises EntryConflictError naming who signed it off and when.
    """
    fresh = (
        DexaScan.objects.select_for_update(of=("self",))
        .select_related("reviewed_by")
        .get(pk=scan.pk)
    )
    if fresh.reviewed_at is not None:
        when = f"{timezone.localtime(fresh.reviewed_at):%Y-%m-%d %H:%M}"
        raise EntryConflictError(
            None, f"This scan was already signed off by {fresh.reviewed_by} at {when}."
        )
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


@transaction.atomic
def entry_mark_in_error(
    *,
    actor: User,
    entry: DexaScan | LabResult | FraxResult | BoneTherapyCourse | BoneTherapyDose,
    patient: Patient,
    reason: str,
    request: HttpRequest | None = None,
) -> None:
    """Mark a clinical entry entered in error: kept, hidden, and out of the assessment."""
    if mark_in_error(actor=actor, instance=entry, patient=patient, reason=reason, request=request):
        patient_assessment_refresh(patient=patient)


def _check_lab_free(
    *, patient: Patient, sample_date: date, analyte: str, exclude: int | None = None
) -> None:
    taken = LabResult.objects.filter(
        patient=patient, sample_date=sample_date, analyte=analyte, entered_in_error=False
    ).select_related("entered_by")
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    result = taken.first()
    if result is not None:
        raise EntryConflictError(
            analyte,
            f"A {Analyte(analyte).label} result from {sample_date:%Y-%m-%d} is already recorded "
            f"for this patient ({result.entered_value.normalize():f} {result.entered_unit}, "
            f"{_entered(result)}); correct that one instead.",
        )


def _lab_values(entry: LabEntry) -> dict[str, Any]:
    unit = domain.normalize_unit(entry.unit)
    return {
        "analyte": entry.analyte,
        "value": canonical_value(entry.analyte, entry.value, unit),
        "entered_value": entry.value,
        "entered_unit": unit,
    }


def _lab_result_create(
    *, actor: User, patient: Patient, sample_date: date, fasting: bool, entry: LabEntry
) -> LabResult:
    def check() -> None:
        _check_lab_free(patient=patient, sample_date=sample_date, analyte=entry.analyte)

    check()
    return _saved_once(
        lambda: LabResult.objects.create(
            patient=patient,
            sample_date=sample_date,
            # Fasting matters only for CTX (BTM-RESPONSE eligibility).
            fasting=fasting and entry.analyte == domain.Analyte.CTX,
            entered_by=actor,
            **_lab_values(entry),
        ),
        check=check,
    )


@transaction.atomic
def lab_results_record(
    *,
    actor: User,
    patient: Patient,
    sample_date: date,
    fasting: bool,
    entries: Sequence[LabEntry],
    request: HttpRequest | None = None,
) -> list[LabResult]:
    """Record several analytes of one sample (all or none); refused if one is recorded already."""
    _patient_lock(patient.pk)
    results = []
    for entry in entries:
        result = _lab_result_create(
            actor=actor, patient=patient, sample_date=sample_date, fasting=fasting, entry=entry
        )
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=result,
            patient=patient,
            changes=created_values(result, LAB_FIELDS),
        )
        results.append(result)
    patient_assessment_refresh(patient=patient)
    return results


@transaction.atomic
def lab_result_update(
    *,
    actor: User,
    result: LabResult,
    sample_date: date,
    fasting: bool,
    entry: LabEntry,
    expected_version: int,
    request: HttpRequest | None = None,
) -> LabResult:
    """Correct one lab result."""
    _patient_lock(result.patient_id)

    def check() -> None:
        _check_lab_free(
            patient=result.patient,
            sample_date=sample_date,
            analyte=entry.analyte,
            exclude=result.pk,
        )

    check()
    updated, changes = _saved_once(
        lambda: versioned_update(
            actor=actor,
            instance=result,
            values={
                "sample_date": sample_date,
                "fasting": fasting and entry.analyte == domain.Analyte.CTX,
                **_lab_values(entry),
            },
            fields=LAB_FIELDS,
            expected_version=expected_version,
            patient=result.patient,
            request=request,
        ),
        check=check,
    )
    if changes:
        patient_assessment_refresh(patient=result.patient)
    return updated


def _simple_create[M: (FraxResult, BoneTherapyCourse)](
    *,
    model: type[M],
    actor: User,
    patient: Patient,
    values: Mapping[str, Any],
    fields: list[str],
    request: HttpRequest | None,
    duplicate: Callable[[], M | None],
    duplicate_message: Callable[[M], str],
    duplicate_field: str,
) -> M:
    # The patient's lock makes the duplicate check and the insert one step for this patient.
    _patient_lock(patient.pk)
    existing = duplicate()
    if existing is not None:
        raise EntryConflictError(
            duplicate_field, f"{duplicate_message(existing)} ({_entered(existing)})."
        )
    entry = model.objects.create(patient=patient, entered_by=actor, **values)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=entry,
        patient=patient,
        changes=created_values(entry, fields),
    )
    patient_assessment_refresh(patient=patient)
    return entry


def _simple_update[M: (FraxResult, BoneTherapyCourse)](
    *,
    actor: User,
    entry: M,
    values: Mapping[str, Any],
    fields: list[str],
    expected_version: int,
    request: HttpRequest | None,
) -> M:
    updated, changes = versioned_update(
        actor=actor,
        instance=entry,
        values=values,
        fields=fields,
        expected_version=expected_version,
        patient=entry.patient,
        request=request,
    )
    if changes:
        patient_assessment_refresh(patient=entry.patient)
    return updated


@transaction.atomic
def frax_record(
    *, actor: User, patient: Patient, values: Mapping[str, Any], request: HttpRequest | None = None
) -> FraxResult:
    """Record a FRAX result from the official calculator (one per patient and day)."""
    return _simple_create(
        model=FraxResult,
        actor=actor,
        patient=patient,
        values=values,
        fields=FRAX_FIELDS,
        request=request,
        duplicate=lambda: (
            FraxResult.objects.filter(
                patient=patient, assessed_on=values["assessed_on"], entered_in_error=False
            )
            .select_related("entered_by")
            .first()
        ),
        duplicate_message=lambda frax: (
            f"A FRAX result from {frax.assessed_on:%Y-%m-%d} is already recorded "
            f"({frax.major_osteoporotic_pct} % / {frax.hip_pct} %); correct that one instead"
        ),
        duplicate_field="assessed_on",
    )


@transaction.atomic
def frax_update(
    *,
    actor: User,
    frax: FraxResult,
    values: Mapping[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> FraxResult:
    """Correct a FRAX result."""
    return _simple_update(
        actor=actor,
        entry=frax,
        values=values,
        fields=FRAX_FIELDS,
        expected_version=expected_version,
        request=request,
    )


@transaction.atomic
def bone_therapy_start(
    *, actor: User, patient: Patient, values: Mapping[str, Any], request: HttpRequest | None = None
) -> BoneTherapyCourse:
    """A physician plans or starts a course of bone-protective therapy.

    The same drug from the same start (or planned twice, not stopped) is the course already saved:
    a double submit, refused.
    """
    same = BoneTherapyCourse.objects.filter(
        patient=patient, drug=values["drug"], entered_in_error=False
    )
    if values.get("start_date") is None:
        same = same.filter(start_date=None, stop_date=None)
    else:
        same = same.filter(start_date=values["start_date"])
    return _simple_create(
        model=BoneTherapyCourse,
        actor=actor,
        patient=patient,
        values=values,
        fields=THERAPY_FIELDS,
        request=request,
        duplicate=lambda: same.select_related("entered_by").first(),
        duplicate_message=lambda course: (
            f"This {course.get_drug_display()} course ({course}) is already recorded; "
            "change that one instead"
        ),
        duplicate_field="drug",
    )


@transaction.atomic
def bone_therapy_update(
    *,
    actor: User,
    course: BoneTherapyCourse,
    values: Mapping[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> BoneTherapyCourse:
    """A physician changes or stops a course."""
    return _simple_update(
        actor=actor,
        entry=course,
        values=values,
        fields=THERAPY_FIELDS,
        expected_version=expected_version,
        request=request,
    )


@transaction.atomic
def bone_therapy_dose_record(
    *,
    actor: User,
    course: BoneTherapyCourse,
    given_on: date,
    request: HttpRequest | None = None,
) -> BoneTherapyDose:
    """Record an injection or infusion given; refused if a dose that day is recorded already."""
    _patient_lock(course.patient_id)

    def check() -> None:
        given = course.doses.filter(given_on=given_on, entered_in_error=False)
        dose = given.select_related("entered_by").first()
        if dose is not None:
            raise EntryConflictError(
                "given_on",
                f"A dose on {given_on:%Y-%m-%d} is already recorded for this course "
                f"({_entered(dose)}).",
            )

    check()
    dose = _saved_once(
        lambda: BoneTherapyDose.objects.create(course=course, given_on=given_on, entered_by=actor),
        check=check,
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=dose,
        patient=course.patient,
        changes={"given_on": given_on, "course": course.pk},
    )
    patient_assessment_refresh(patient=course.patient)
    return dose


@transaction.atomic
def supplements_set(
    *,
    actor: User,
    patient: Patient,
    calcium: bool,
    vitamin_d: bool,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Supplements:
    """Record whether the patient takes calcium and vitamin D supplements.

    `expected_version` is the version the form was opened on, 0 when the patient had no row yet:
    a row created since then (someone else's first save) is a concurrent edit, refused like one.
    """
    _patient_lock(patient.pk)

    def check() -> None:
        current = Supplements.objects.filter(patient=patient).select_related("updated_by").first()
        if current is not None and expected_version == 0:
            by = str(current.updated_by or "")
            raise ConcurrentEditError(
                current_version=current.version,
                changes=[
                    FieldChange(name, getattr(current, name), by, current.updated_at)
                    for name in ("calcium", "vitamin_d")
                ],
                current=current,
            )

    check()
    current = Supplements.objects.filter(patient=patient).first()
    if current is None:
        current = _saved_once(
            lambda: Supplements.objects.create(
                patient=patient, calcium=calcium, vitamin_d=vitamin_d, updated_by=actor
            ),
            check=check,
        )
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            request=request,
            obj=current,
            patient=patient,
            changes={"calcium": calcium, "vitamin_d": vitamin_d},
        )
    else:
        current, _ = versioned_update(
            actor=actor,
            instance=current,
            values={"calcium": calcium, "vitamin_d": vitamin_d, "updated_by": actor},
            fields=["calcium", "vitamin_d"],
            expected_version=expected_version,
            patient=patient,
            request=request,
        )
    patient_assessment_refresh(patient=patient)
    return current


@transaction.atomic
def monitoring_plan_set(
    *,
    actor: User,
    patient: Patient,
    next_dexa_due: date | None,
    reason: str,
    expected_in_force: int | None = None,
    request: HttpRequest | None = None,
) -> MonitoringPlan:
    """A physician sets the next DEXA date (or, with None, returns to the computed date).

    The same decision again (a double submit) is the plan already in force: nothing is written.
    With `expected_in_force` (the plan's id when the form was opened, 0 for none), a newer plan
    set by someone else in between refuses the save (PlanChangedError).
    """
    _patient_lock(patient.pk)
    in_force = (
        MonitoringPlan.objects.filter(patient=patient)
        .select_related("set_by")
        .order_by("-set_at", "-id")
        .first()
    )
    if in_force and (in_force.next_dexa_due, in_force.reason) == (next_dexa_due, reason):
        return in_force
    if expected_in_force is not None and in_force and in_force.pk != expected_in_force:
        raise PlanChangedError(in_force)
    plan = MonitoringPlan.objects.create(
        patient=patient, next_dexa_due=next_dexa_due, reason=reason, set_by=actor
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=plan,
        patient=patient,
        changes={"next_dexa_due": next_dexa_due, "reason": reason},
    )
    patient_assessment_refresh(patient=patient)
    return plan
