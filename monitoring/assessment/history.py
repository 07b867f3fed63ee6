"""Convert a patient's database rows into the domain's `History`.

`histories_for` reads only the columns the rules need (the reassessment hot path). A patient
loaded with its records (the patient page, exports) is converted by `history_document` instead.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from monitoring import domain
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    FraxResult,
    LabResult,
    MonitoringPlan,
    Scanner,
    Supplements,
)
from monitoring.models.scans import LSC_FIELD_BY_SITE
from patients.models import PATIENT_RECORD_FIELDS, AromataseInhibitorCourse, Patient


def scanner_keys(scanners: dict[int, tuple[str, str]]) -> dict[int, str]:
    """Each scanner's name in a history, from {id: (name, site code)} of one patient's scanners.

    A name shared by scanners of two sites gets its site code added, so the two stay apart.
    """
    uses: dict[str, int] = defaultdict(int)
    for name, _ in scanners.values():
        uses[name] += 1
    return {
        scanner_id: f"{name} [{site_code}]" if uses[name] > 1 else name
        for scanner_id, (name, site_code) in sorted(scanners.items())
    }


def _lsc(row: tuple[Any, ...]) -> dict[domain.Site, Decimal]:
    """{site: LSC} from a scanner's LSC columns, in LSC_FIELD_BY_SITE order."""
    return {
        domain.Site(site): value
        for site, value in zip(LSC_FIELD_BY_SITE, row, strict=True)
        if value is not None
    }


_PATIENT_COLUMNS = (
    "pk",
    "site__name",
    *(name for name in PATIENT_RECORD_FIELDS if name != "site"),
)


def _patient(values: dict[str, Any]) -> domain.Patient:
    return domain.Patient(
        mrn=values["mrn"],
        sex=domain.Sex(values["sex"]),
        birth_date=values["birth_date"],
        name=values["name"] or None,
        site=values["site__name"],
        # A woman's only: for a man nothing is passed, whatever is stored (`Patient.
        # menopausal_status_applies`); the rules test his age.
        menopausal_status=(
            domain.MenopausalStatus(values["menopausal_status"])
            if domain.Sex(values["sex"]) is domain.Sex.F and values["menopausal_status"]
            else None
        ),
        breast_cancer_diagnosis_date=values["breast_cancer_diagnosis_date"],
        height_cm=values["height_cm"],
        weight_kg=values["weight_kg"],
        risk_factors=domain.RiskFactors(
            prior_fragility_fracture=values["prior_fragility_fracture"],
            prior_fracture_date=values["prior_fracture_date"],
            parent_hip_fracture=values["parent_hip_fracture"],
            smoking=domain.Smoking(values["smoking"]),
            alcohol_3_or_more_units_daily=values["alcohol_3_or_more_units_daily"],
            oral_glucocorticoid_months=Decimal(values["oral_glucocorticoid_months"]),
            rheumatoid_arthritis=values["rheumatoid_arthritis"],
            secondary_osteoporosis=values["secondary_osteoporosis"],
        ),
    )


def _vfa(value: str) -> domain.VertebralFractureAssessment | None:
    """A scan's VFA result for the rules; "" (not done) is absent."""
    return domain.VertebralFractureAssessment(value) if value else None


def _plan(due: Any, reason: str, set_at: Any) -> domain.Plan | None:
    """The plan in force; `set_on` is the local day it was set (a scan from then fulfils it)."""
    if due is None:
        return None
    return domain.Plan(next_dexa_due=due, reason=reason, set_on=timezone.localdate(set_at))


# {scanner id: {LSC column: value}}: LSC values to assess with instead of the stored ones.
LscOverrides = Mapping[int, Mapping[str, Decimal | None]]


def histories_for(
    patient_ids: Iterable[int], *, lsc_overrides: LscOverrides | None = None
) -> dict[int, domain.History]:
    """Build the domain history of each patient straight from the columns the rules need.

    One query per table whatever the number of patients, and no model instances: this is the hot
    path of reassessment. Entries marked in error are left out. `lsc_overrides` replaces scanners'
    LSC values in memory (what a change of them would do; nothing is written).
    """
    ids = list(patient_ids)
    ai: dict[int, list[domain.AromataseInhibitorCourse]] = defaultdict(list)
    for pid, drug, start, stop, reason, months in (
        AromataseInhibitorCourse.objects.filter(patient_id__in=ids, entered_in_error=False)
        .order_by("start_date", "id")
        .values_list(
            "patient_id",
            "drug",
            "start_date",
            "stop_date",
            "stop_reason",
            "planned_duration_months",
        )
    ):
        ai[pid].append(
            domain.AromataseInhibitorCourse(
                drug=domain.AromataseInhibitor(drug),
                start_date=start,
                stop_date=stop,
                stop_reason=reason or None,
                planned_duration_months=months,
            )
        )

    measurements = list(
        DexaMeasurement.objects.filter(scan__patient_id__in=ids, scan__entered_in_error=False)
        .order_by("scan__scan_date", "scan_id", "site")
        .values_list(
            "scan__patient_id",
            "scan_id",
            "scan__scan_date",
            "scan__scanner_id",
            "scan__vertebral_fracture_assessment",
            "site",
            "bmd",
            "t_score",
            "z_score",
        )
    )
    scanner_rows = {
        row[0]: row[1:]
        for row in Scanner.objects.filter(pk__in={m[3] for m in measurements}).values_list(
            "pk",
            "name",
            "site__code",
            *LSC_FIELD_BY_SITE.values(),
        )
    }
    for scanner_id, lsc in (lsc_overrides or {}).items():
        if scanner_id in scanner_rows:
            name, site_code, *stored = scanner_rows[scanner_id]
            scanner_rows[scanner_id] = (
                name,
                site_code,
                *(
                    lsc.get(column, value)
                    for column, value in zip(LSC_FIELD_BY_SITE.values(), stored, strict=True)
                ),
            )
    scans: dict[int, dict[int, tuple[Any, int, str, dict[domain.Site, domain.SiteMeasurement]]]]
    scans = defaultdict(dict)
    for pid, scan_id, day, scanner_id, vfa, site, bmd, t, z in measurements:
        _, _, _, sites = scans[pid].setdefault(scan_id, (day, scanner_id, vfa, {}))
        sites[domain.Site(site)] = domain.SiteMeasurement(bmd=bmd, t_score=t, z_score=z)

    labs: dict[int, list[domain.LabResult]] = defaultdict(list)
    for pid, day, analyte, value, unit, fasting in (
        LabResult.objects.filter(patient_id__in=ids, entered_in_error=False)
        .order_by("sample_date", "analyte", "id")
        .values_list(
            "patient_id", "sample_date", "analyte", "entered_value", "entered_unit", "fasting"
        )
    ):
        labs[pid].append(
            domain.LabResult(
                date=day,
                analyte=domain.Analyte(analyte),
                # Converted from what was entered by the domain's own conversion, so the
                # application and `manage.py assess` judge exactly the same number.
                value=domain.to_canonical(analyte, value, unit),
                fasting=fasting,
                # As entered too: VITD judges a vitamin D in the unit it was entered in.
                entered_value=value,
                entered_unit=domain.normalize_unit(unit),
            )
        )

    frax: dict[int, list[domain.FraxResult]] = defaultdict(list)
    for pid, day, major, hip, with_bmd in (
        FraxResult.objects.filter(patient_id__in=ids, entered_in_error=False)
        .order_by("assessed_on", "id")
        .values_list("patient_id", "assessed_on", "major_osteoporotic_pct", "hip_pct", "with_bmd")
    ):
        frax[pid].append(
            domain.FraxResult(
                date=day, major_osteoporotic_pct=major, hip_pct=hip, with_bmd=with_bmd
            )
        )

    doses: dict[int, list[Any]] = defaultdict(list)
    for course_id, day in (
        BoneTherapyDose.objects.filter(course__patient_id__in=ids, entered_in_error=False)
        .order_by("given_on", "id")
        .values_list("course_id", "given_on")
    ):
        doses[course_id].append(day)
    therapy: dict[int, list[domain.BoneTherapyCourse]] = defaultdict(list)
    for course_id, pid, drug, start, stop, reason, dose, dental in (
        BoneTherapyCourse.objects.filter(patient_id__in=ids, entered_in_error=False)
        .order_by("start_date", "id")
        .values_list(
            "pk",
            "patient_id",
            "drug",
            "start_date",
            "stop_date",
            "stop_reason",
            "dose",
            "dental_review_date",
        )
    ):
        therapy[pid].append(
            domain.BoneTherapyCourse(
                drug=domain.BoneTherapyDrug(drug),
                start_date=start,
                stop_date=stop,
                stop_reason=reason or None,
                dose=dose or None,
                doses=tuple(doses[course_id]),
                dental_review_date=dental,
            )
        )

    supplements = {
        pid: domain.Supplements(calcium=calcium, vitamin_d=vitamin_d)
        for pid, calcium, vitamin_d in Supplements.objects.filter(patient_id__in=ids).values_list(
            "patient_id", "calcium", "vitamin_d"
        )
    }
    plans: dict[int, domain.Plan | None] = {}
    for pid, due, reason, set_at in (
        MonitoringPlan.objects.filter(patient_id__in=ids)
        .order_by("patient_id", "-set_at", "-id")
        .values_list("patient_id", "next_dexa_due", "reason", "set_at")
    ):
        if pid not in plans:  # the latest decision is in force; no date means "as computed"
            plans[pid] = _plan(due, reason, set_at)

    histories: dict[int, domain.History] = {}
    for row in Patient.objects.filter(pk__in=ids).values_list(*_PATIENT_COLUMNS):
        values = dict(zip(_PATIENT_COLUMNS, row, strict=True))
        pid = values["pk"]
        patient_scans = list(scans[pid].values())
        keys = scanner_keys(
            {scanner_id: scanner_rows[scanner_id][:2] for _, scanner_id, _, _ in patient_scans}
        )
        histories[pid] = domain.History(
            patient=_patient(values),
            aromatase_inhibitors=tuple(ai[pid]),
            scanners={
                key: domain.Scanner(lsc=_lsc(scanner_rows[scanner_id][2:]))
                for scanner_id, key in keys.items()
            },
            dexa_scans=tuple(
                domain.DexaScan(
                    date=day,
                    scanner=keys[scanner_id],
                    sites=sites,
                    vertebral_fracture_assessment=_vfa(vfa),
                )
                for day, scanner_id, vfa, sites in patient_scans
            ),
            labs=tuple(labs[pid]),
            frax=tuple(frax[pid]),
            bone_therapy=tuple(therapy[pid]),
            supplements=supplements.get(pid),
            plan=plans.get(pid),
        )
    return histories


def build_history(patient: Patient) -> domain.History:
    """Return the domain history of one patient (as `histories_for` builds it)."""
    return histories_for([patient.pk])[patient.pk]
