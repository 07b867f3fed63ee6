"""Convert a patient's database rows into the domain's `History` (and the history JSON format).

`patient` must come from `selectors.patients_with_records`, whose prefetches this module reads.
"""

from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.models import DexaScan, Scanner
from patients.models import Patient


def scanner_key(scanner: Scanner, *, clash: bool = False) -> str:
    """The scanner's name in a history; with a same-named scanner at another site, add the site."""
    return f"{scanner.name} [{scanner.site.code}]" if clash else scanner.name


def _scanner_keys(scans: list[DexaScan]) -> dict[int, str]:
    by_name: dict[str, set[int]] = {}
    for scan in scans:
        by_name.setdefault(scan.scanner.name, set()).add(scan.scanner_id)
    return {
        scan.scanner_id: scanner_key(scan.scanner, clash=len(by_name[scan.scanner.name]) > 1)
        for scan in scans
    }


def _lab_value(lab: Any) -> Decimal:
    # Convert from what was entered with the domain's own conversion, so the application and
    # `manage.py assess` judge exactly the same number.
    return domain.to_canonical(lab.analyte, lab.entered_value, lab.entered_unit)


def build_history(patient: Patient) -> domain.History:
    """Return the domain history of one patient loaded by `patients_with_records`."""
    scans: list[DexaScan] = patient.valid_scans  # type: ignore[attr-defined]
    keys = _scanner_keys(scans)
    scanners = {
        keys[scan.scanner_id]: domain.Scanner(
            lsc={domain.Site(site): value for site, value in scan.scanner.lsc_by_site().items()}  # type: ignore[misc]
        )
        for scan in scans
    }
    supplements = getattr(patient, "supplements", None)
    plans = patient.plan_history  # type: ignore[attr-defined]
    plan = plans[0] if plans else None
    return domain.History(
        patient=domain.Patient(
            mrn=patient.mrn,
            sex=domain.Sex(patient.sex),
            birth_date=patient.birth_date,
            name=patient.name or None,
            site=patient.site.name,
            menopausal_status=domain.MenopausalStatus(patient.menopausal_status),
            breast_cancer_diagnosis_date=patient.breast_cancer_diagnosis_date,
            height_cm=patient.height_cm,
            weight_kg=patient.weight_kg,
            risk_factors=domain.RiskFactors(
                prior_fragility_fracture=patient.prior_fragility_fracture,
                prior_fracture_date=patient.prior_fracture_date,
                parent_hip_fracture=patient.parent_hip_fracture,
                smoking=domain.Smoking(patient.smoking),
                alcohol_3_or_more_units_daily=patient.alcohol_3_or_more_units_daily,
                oral_glucocorticoid_months=Decimal(patient.oral_glucocorticoid_months),
                rheumatoid_arthritis=patient.rheumatoid_arthritis,
                secondary_osteoporosis=patient.secondary_osteoporosis,
            ),
        ),
        aromatase_inhibitors=tuple(
            domain.AromataseInhibitorCourse(
                drug=domain.AromataseInhibitor(course.drug),
                start_date=course.start_date,
                stop_date=course.stop_date,
                stop_reason=course.stop_reason or None,
                planned_duration_months=course.planned_duration_months,
            )
            for course in patient.valid_ai_courses  # type: ignore[attr-defined]
        ),
        scanners=scanners,
        dexa_scans=tuple(
            domain.DexaScan(
                date=scan.scan_date,
                scanner=keys[scan.scanner_id],
                sites={
                    domain.Site(m.site): domain.SiteMeasurement(
                        bmd=m.bmd, t_score=m.t_score, z_score=m.z_score
                    )
                    for m in scan.measurement_list  # type: ignore[attr-defined]
                },
            )
            for scan in scans
        ),
        labs=tuple(
            domain.LabResult(
                date=lab.sample_date,
                analyte=domain.Analyte(lab.analyte),
                value=_lab_value(lab),
                fasting=lab.fasting,
            )
            for lab in patient.valid_labs  # type: ignore[attr-defined]
        ),
        frax=tuple(
            domain.FraxResult(
                date=frax.assessed_on,
                major_osteoporotic_pct=frax.major_osteoporotic_pct,
                hip_pct=frax.hip_pct,
                with_bmd=frax.with_bmd,
            )
            for frax in patient.valid_frax  # type: ignore[attr-defined]
        ),
        bone_therapy=tuple(
            domain.BoneTherapyCourse(
                drug=domain.BoneTherapyDrug(course.drug),
                start_date=course.start_date,
                stop_date=course.stop_date,
                stop_reason=course.stop_reason or None,
                dose=course.dose or None,
                doses=tuple(dose.given_on for dose in course.valid_doses),
                dental_review_date=course.dental_review_date,
            )
            for course in patient.valid_therapy  # type: ignore[attr-defined]
        ),
        supplements=domain.Supplements(calcium=supplements.calcium, vitamin_d=supplements.vitamin_d)
        if supplements is not None
        else None,
        plan=domain.Plan(next_dexa_due=plan.next_dexa_due, reason=plan.reason)
        if plan is not None and plan.next_dexa_due is not None
        else None,
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def history_json(patient: Patient, *, as_of: Any = None) -> dict[str, Any]:
    """Return the history of one patient in the JSON format of history-format.md (for export).

    Lab values are exported as entered (value and unit), so a round trip keeps them exactly.
    """
    scans: list[DexaScan] = patient.valid_scans  # type: ignore[attr-defined]
    keys = _scanner_keys(scans)
    scanners: dict[str, Any] = {}
    for scan in scans:
        lsc = scan.scanner.lsc_by_site()
        if lsc and keys[scan.scanner_id] not in scanners:
            scanners[keys[scan.scanner_id]] = {
                "lsc": {site: _number(value) for site, value in lsc.items()}  # type: ignore[arg-type]
            }
    supplements = getattr(patient, "supplements", None)
    plans = patient.plan_history  # type: ignore[attr-defined]
    data: dict[str, Any] = {
        "patient": {
            "mrn": patient.mrn,
            "name": patient.name or None,
            "site": patient.site.name,
            "sex": patient.sex,
            "birth_date": patient.birth_date.isoformat(),
            "menopausal_status": patient.menopausal_status,
            "breast_cancer_diagnosis_date": _iso(patient.breast_cancer_diagnosis_date),
            "height_cm": _number(patient.height_cm),
            "weight_kg": _number(patient.weight_kg),
            "risk_factors": {
                "prior_fragility_fracture": patient.prior_fragility_fracture,
                "prior_fracture_date": _iso(patient.prior_fracture_date),
                "parent_hip_fracture": patient.parent_hip_fracture,
                "smoking": patient.smoking,
                "alcohol_3_or_more_units_daily": patient.alcohol_3_or_more_units_daily,
                "oral_glucocorticoid_months": patient.oral_glucocorticoid_months,
                "rheumatoid_arthritis": patient.rheumatoid_arthritis,
                "secondary_osteoporosis": patient.secondary_osteoporosis,
            },
        },
        "aromatase_inhibitors": [
            {
                "drug": course.drug,
                "start_date": _iso(course.start_date),
                "stop_date": _iso(course.stop_date),
                "stop_reason": course.stop_reason or None,
                "planned_duration_months": course.planned_duration_months,
            }
            for course in patient.valid_ai_courses  # type: ignore[attr-defined]
        ],
        "scanners": scanners,
        "dexa_scans": [
            {
                "date": scan.scan_date.isoformat(),
                "scanner": keys[scan.scanner_id],
                "sites": {
                    m.site: {
                        key: value
                        for key, value in (
                            ("bmd", _number(m.bmd)),
                            ("t_score", _number(m.t_score)),
                            ("z_score", _number(m.z_score)),
                        )
                        if value is not None
                    }
                    for m in scan.measurement_list  # type: ignore[attr-defined]
                },
            }
            for scan in scans
        ],
        "labs": [
            {
                "date": lab.sample_date.isoformat(),
                "analyte": lab.analyte,
                "value": _number(lab.entered_value),
                "unit": lab.entered_unit,
                **({"fasting": True} if lab.fasting else {}),
            }
            for lab in patient.valid_labs  # type: ignore[attr-defined]
        ],
        "frax": [
            {
                "date": frax.assessed_on.isoformat(),
                "major_osteoporotic_pct": _number(frax.major_osteoporotic_pct),
                "hip_pct": _number(frax.hip_pct),
                "with_bmd": frax.with_bmd,
            }
            for frax in patient.valid_frax  # type: ignore[attr-defined]
        ],
        "bone_therapy": [
            {
                "drug": course.drug,
                "dose": course.dose or None,
                "start_date": _iso(course.start_date),
                "stop_date": _iso(course.stop_date),
                "stop_reason": course.stop_reason or None,
                "doses": [dose.given_on.isoformat() for dose in course.valid_doses],
                "dental_review_date": _iso(course.dental_review_date),
            }
            for course in patient.valid_therapy  # type: ignore[attr-defined]
        ],
    }
    if supplements is not None:
        data["supplements"] = {"calcium": supplements.calcium, "vitamin_d": supplements.vitamin_d}
    if plans and plans[0].next_dexa_due is not None:
        data["plan"] = {
            "next_dexa_due": plans[0].next_dexa_due.isoformat(),
            "reason": plans[0].reason,
        }
    if as_of is not None:
        data = {"as_of": as_of.isoformat(), **data}
    return data
