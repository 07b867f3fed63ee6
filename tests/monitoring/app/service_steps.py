"""Strategies and database checks for the state machine over the write services
(test_service_state_machine.py).

Strategies give what the entry forms would let through (monitoring/records/forms.py,
patients/forms.py): measurement dates between the date of birth and today, planned dates up to
the forms' horizon, values inside the forms' ranges. The checks read the database as a reviewer
would: the stored assessment against a fresh one, duplicates, and an audit event for every
changed row.
"""

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from hypothesis import strategies as st

from bonehealth.accounts.models import Site, User
from bonehealth.audit.forms import latest_plausible_date
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring import domain
from monitoring.assessment.history import build_history
from monitoring.domain import thresholds
from monitoring.models import (
    Alert,
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    FraxResult,
    LabResult,
    MonitoringPlan,
    PatientAssessment,
    Scanner,
    ScheduledItem,
    Supplements,
)
from monitoring.models.choices import (
    SEVERITY_RANK,
    Analyte,
    BoneTherapyDrug,
    MeasuredSite,
    Severity,
    VertebralFractureAssessment,
)
from monitoring.records.services.labs import LabEntry
from monitoring.records.services.scans import Measurement
from patients.models import AromataseInhibitorCourse, FollowUpStatus, MenopausalStatus, Patient
from patients.models import Smoking as SmokingChoice

# Days before today: a few fixed offsets make the same day come up again (duplicates, clashes).
DAYS_AGO = st.one_of(st.sampled_from([0, 1, 30, 182, 365, 730]), st.integers(0, 8 * 365))


def days_ago(today: date) -> st.SearchStrategy[date]:
    """A measurement date: not in the future, years after any generated date of birth."""
    return DAYS_AGO.map(lambda days: today - timedelta(days=days))


def planned_dates(today: date) -> st.SearchStrategy[date]:
    """A planned date from today to the last date the forms accept."""
    return st.dates(min_value=today, max_value=latest_plausible_date())


def _decimals(low: Decimal | int | str, high: Decimal | int | str, places: int) -> Any:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places)


BMD_MIN, BMD_MAX = thresholds.BMD_RANGE
SCORE_MIN, SCORE_MAX = thresholds.SCORE_RANGE
MEASUREMENTS = st.dictionaries(
    st.sampled_from([site.value for site in MeasuredSite]),
    st.builds(
        Measurement,
        bmd=_decimals(BMD_MIN, BMD_MAX, 3),
        t_score=_decimals(SCORE_MIN, SCORE_MAX, 1),
        z_score=st.none() | _decimals(SCORE_MIN, SCORE_MAX, 1),
    ),
    min_size=1,
)


def scan_values(today: date) -> st.SearchStrategy[dict[str, Any]]:
    """A scan's fields, with the index of its scanner (of the site's two) for "scanner"."""
    return st.fixed_dictionaries(
        {
            "scan_date": days_ago(today),
            "scanner": st.integers(0, 1),
            "trabecular_bone_score": st.none() | _decimals("0.5", "2.0", 3),
            "vertebral_fracture_assessment": st.sampled_from(VertebralFractureAssessment.values),
        }
    )


@st.composite
def lab_entry(draw: st.DrawFn, analyte: str | None = None) -> LabEntry:
    """One analyte in one of its accepted units, inside the form's plausible range."""
    analyte = analyte or draw(st.sampled_from(Analyte.values))
    low, high = thresholds.LAB_PLAUSIBLE_RANGES[domain.Analyte(analyte)]
    unit = draw(st.sampled_from(domain.ACCEPTED_UNITS[domain.Analyte(analyte)]))
    per_unit = domain.to_canonical(analyte, Decimal(1), unit)
    canonical = draw(_decimals(low, high, 3))
    value = (canonical / per_unit).quantize(Decimal("0.001"))
    if low <= domain.to_canonical(analyte, value, unit) <= high:
        return LabEntry(analyte=analyte, value=value, unit=unit)
    return LabEntry(
        analyte=analyte, value=canonical, unit=domain.CANONICAL_UNIT[domain.Analyte(analyte)]
    )


LAB_ENTRIES = st.lists(
    st.sampled_from(Analyte.values), min_size=1, max_size=3, unique=True
).flatmap(lambda analytes: st.tuples(*(lab_entry(analyte) for analyte in analytes)))


@st.composite
def frax_values(draw: st.DrawFn, today: date) -> dict[str, Any]:
    major = draw(_decimals(0, 100, 1))
    return {
        "assessed_on": draw(days_ago(today)),
        "major_osteoporotic_pct": major,
        "hip_pct": draw(_decimals(0, major, 1)),
        "with_bmd": draw(st.booleans()),
    }


@st.composite
def therapy_values(draw: st.DrawFn, today: date) -> dict[str, Any]:
    """A course as the therapy form accepts it: planned, started, or started and stopped."""
    start = draw(days_ago(today) | st.none() | planned_dates(today))
    stop = None
    if start is not None and start <= today and draw(st.booleans()):
        stop = draw(st.dates(min_value=start, max_value=today))
    return {
        "drug": draw(st.sampled_from(BoneTherapyDrug.values)),
        "dose": draw(st.sampled_from(["", "60 mg every 6 months", "5 mg yearly"])),
        "start_date": start,
        "stop_date": stop,
        "stop_reason": "side effects" if stop and draw(st.booleans()) else "",
        "dental_review_date": draw(st.none() | days_ago(today)),
    }


@st.composite
def patient_changes(draw: st.DrawFn, today: date, birth: date) -> dict[str, Any]:
    """Risk factors and measures a nurse corrects on the patient form."""
    fractured = draw(st.booleans())
    return {
        "menopausal_status": draw(st.sampled_from(MenopausalStatus.values)),
        "height_cm": draw(_decimals(140, 190, 1)),
        "weight_kg": draw(_decimals(40, 120, 1)),
        "prior_fragility_fracture": fractured,
        "prior_fracture_date": draw(st.none() | st.dates(birth, today)) if fractured else None,
        "parent_hip_fracture": draw(st.booleans()),
        "smoking": draw(st.sampled_from(SmokingChoice.values)),
        "alcohol_3_or_more_units_daily": draw(st.booleans()),
        "oral_glucocorticoid_months": draw(st.integers(0, 24)),
        "rheumatoid_arthritis": draw(st.booleans()),
        "secondary_osteoporosis": draw(st.booleans()),
    }


# --- Users, records and forms -------------------------------------------------------------------


@dataclass
class World:
    """What every example shares: the site, its nurse and physician, and its two scanners; and a
    user who may acknowledge alerts of any severity but not decide therapy (`onlooker`), so a
    high therapy decision alert, the usual one, is noted as seen by someone who may not decide."""

    site: Site
    nurse: User
    physician: User
    scanners: list[Scanner]
    onlooker: User


def valid[M: DexaScan | LabResult | FraxResult | BoneTherapyCourse](
    model: type[M], patient_pk: int
) -> list[M]:
    """The patient's entries of a kind that a view lets a user pick (not marked in error)."""
    return list(model.objects.filter(patient_id=patient_pk, entered_in_error=False).order_by("pk"))


def pick[T](data: st.DataObject, rows: list[T]) -> T | None:
    """One of the rows, as a user picks a record on the page; None if there is none yet.

    Rules with nothing to act on do nothing rather than wait on a precondition: with preconditions
    false early in most examples, a few unconditioned rules ran many times more than the others.
    """
    return data.draw(st.sampled_from(rows)) if rows else None


def form_version(version: int, outdated: bool) -> int:
    """The version a form sends: the current one, or another (a form opened before a save)."""
    return (version - 1 if version > 1 else version + 1) if outdated else version


# --- What the services owe ----------------------------------------------------------------------


def scan_taken(patient_pk: int, values: dict[str, Any], sites: list[str], exclude: int = 0) -> bool:
    """Whether a duplicate refusal is owed: a valid scan that day on that scanner, or of a site."""
    same_day = DexaScan.objects.filter(
        patient_id=patient_pk, scan_date=values["scan_date"], entered_in_error=False
    ).exclude(pk=exclude)
    taken = DexaMeasurement.objects.filter(scan__in=same_day, site__in=sites)
    return same_day.filter(scanner=values["scanner"]).exists() or taken.exists()


def lab_taken(patient_pk: int, day: date, analytes: list[str], exclude: int = 0) -> bool:
    """Whether a duplicate refusal is owed: a valid result of one of the analytes that day."""
    taken = LabResult.objects.filter(patient_id=patient_pk, sample_date=day, analyte__in=analytes)
    return taken.filter(entered_in_error=False).exclude(pk=exclude).exists()


# --- Checks -------------------------------------------------------------------------------------

_VERSIONED = (
    Patient,
    AromataseInhibitorCourse,
    LabResult,
    FraxResult,
    BoneTherapyCourse,
    BoneTherapyDose,
)


def fingerprint() -> dict[tuple[str, str], Any]:
    """Every clinical row's state that a write may change, by the audit trail's object key."""
    rows: dict[tuple[str, str], Any] = {}
    for model in _VERSIONED:
        label = model._meta.label_lower
        for pk, version, in_error in model.objects.values_list("pk", "version", "entered_in_error"):
            rows[(label, str(pk))] = (version, in_error)
    measured: dict[int, set[tuple[Any, ...]]] = {}
    for values in DexaScan.objects.values_list("pk", "measurements__site", "measurements__bmd"):
        measured.setdefault(values[0], set()).add(values[1:])
    for pk, version, in_error in DexaScan.objects.values_list("pk", "version", "entered_in_error"):
        rows[("monitoring.dexascan", str(pk))] = (version, in_error, frozenset(measured[pk]))
    for pk, version in Supplements.objects.values_list("pk", "version"):
        rows[("monitoring.supplements", str(pk))] = version
    for pk in MonitoringPlan.objects.values_list("pk", flat=True):
        rows[("monitoring.monitoringplan", str(pk))] = True
    noted = Q(acknowledged_at__isnull=False) | Q(seen_at__isnull=False)
    for pk, at, seen in Alert.objects.filter(noted).values_list("pk", "acknowledged_at", "seen_at"):
        rows[("monitoring.alert", str(pk))] = (at, seen)
    return rows


def audited_since(last_pk: int) -> set[tuple[str, str]]:
    """The objects of the record changes audited after audit row `last_pk`."""
    changes = [AuditAction.CREATE, AuditAction.CHANGE, AuditAction.MARK_ERROR]
    events = AuditEvent.objects.filter(pk__gt=last_pk, action__in=changes)
    return set(events.values_list("object_type", "object_id"))


def last_audit_pk() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def duplicates() -> list[Any]:
    """Groups of valid rows that should exist once, with their counts."""
    groups = [
        (LabResult, ["patient", "analyte", "sample_date"]),
        (BoneTherapyDose, ["course", "given_on"]),
        (DexaScan, ["patient", "scan_date", "scanner"]),
    ]
    found = []
    for model, key in groups:
        valid = model.objects.filter(entered_in_error=False)  # type: ignore[attr-defined]
        found += list(valid.values(*key).annotate(n=Count("pk")).filter(n__gt=1).order_by())
    found += list(Supplements.objects.values("patient").annotate(n=Count("pk")).filter(n__gt=1))
    open_alerts = Alert.objects.filter(cleared_at__isnull=True)
    found += list(
        open_alerts.values("patient", "code", "site").annotate(n=Count("pk")).filter(n__gt=1)
    )
    return found


def assert_assessment_is_fresh(patient: Patient, today: date) -> None:
    """The stored assessment, open alerts and schedule are what assessing the records gives now."""
    fresh = domain.assess(build_history(patient), as_of=today)
    stored = PatientAssessment.objects.get(patient=patient)
    lowest = fresh.lowest_t_score
    current = Patient.objects.get(pk=patient.pk)
    open_alerts = Alert.objects.filter(patient=patient, cleared_at__isnull=True)
    assert {
        "as_of": stored.as_of,
        "risk": stored.risk_category,
        "who": stored.who_category,
        "lowest": (stored.lowest_t_score, stored.lowest_t_site),
        "therapy": stored.therapy_indicated,
        "next_dexa": (stored.next_dexa_due, stored.computed_next_dexa_due),
        "followed": stored.followed,
        "unreviewed": stored.unreviewed_scans,
        "worst": stored.worst_alert_rank,
    } == {
        "as_of": today,
        "risk": fresh.risk_category.value,
        "who": fresh.who_category.value,
        "lowest": (lowest.value, lowest.site.value) if lowest else (None, ""),
        "therapy": fresh.therapy_indicated,
        "next_dexa": (fresh.next_dexa_due, fresh.computed_next_dexa_due),
        "followed": current.follow_up_status == FollowUpStatus.ACTIVE
        and not current.entered_in_error,
        "unreviewed": DexaScan.objects.filter(
            patient=patient, entered_in_error=False, reviewed_at__isnull=True
        ).count(),
        "worst": max(
            (SEVERITY_RANK[Severity(a.severity.value)] for a in fresh.alerts), default=None
        ),
    }
    assert stored.data == json.loads(json.dumps(domain.assessment_to_dict(fresh)))
    assert Counter(open_alerts.values_list("code", "site", "severity", "message")) == Counter(
        (a.code.value, a.site.value if a.site else "", a.severity.value, a.message)
        for a in fresh.alerts
    )
    assert sorted(ScheduledItem.objects.filter(patient=patient).values_list("item", "due")) == (
        sorted({(entry.item.value, entry.due) for entry in fresh.schedule})
    )
