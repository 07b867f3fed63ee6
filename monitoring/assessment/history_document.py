"""A patient loaded by `selectors.patients_with_records` as the history JSON format
(docs/history-format.md) and as the domain's `History`, from its prefetches, without another
query: the patient page and the exports, which load the records anyway."""

from decimal import Decimal
from typing import Any

from django.utils import timezone

from monitoring import domain
from monitoring.assessment.history import scanner_keys
from monitoring.models import DexaScan, LabResult
from patients.models import Patient


def history_from_records(patient: Patient) -> domain.History:
    """The domain history of a patient loaded with its records (`selectors.with_records`).

    Without another query: the export's JSON read by the domain's own parser, which gives what
    `build_history` reads from the database (tested on every vignette and showcase patient), but
    for scanners without an LSC of their own, which the export leaves out and the rules treat the
    same (the default LSC applies).
    """
    return domain.parse_history(history_json(patient))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _calcium_source(lab: LabResult) -> dict[str, Any]:
    """The total calcium and albumin a calcium was worked out from, as the lab form kept them."""
    if lab.total_calcium is None:
        return {}
    return {
        "total_calcium": _number(lab.total_calcium),
        "albumin": _number(lab.albumin),
        "albumin_unit": lab.albumin_unit,
    }


def history_json(patient: Patient, *, as_of: Any = None) -> dict[str, Any]:
    """Return the history of one patient in the JSON format of docs/history-format.md (for export).

    Lab values are exported as entered (value and unit), so a round trip keeps them exactly; so
    are what the rules do not read but the record holds: a scan's trabecular bone score, and the
    total calcium and albumin a calcium was worked out from (nurse14 #7).
    """
    scans: list[DexaScan] = patient.valid_scans  # type: ignore[attr-defined]
    keys = scanner_keys(
        {scan.scanner_id: (scan.scanner.name, scan.scanner.site.code) for scan in scans}
    )
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
            "menopausal_status": (
                patient.menopausal_status or None if patient.menopausal_status_applies else None
            ),
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
                **(
                    {"vertebral_fracture_assessment": scan.vertebral_fracture_assessment}
                    if scan.vertebral_fracture_assessment
                    else {}
                ),
                **(
                    {"trabecular_bone_score": _number(scan.trabecular_bone_score)}
                    if scan.trabecular_bone_score is not None
                    else {}
                ),
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
                **_calcium_source(lab),
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
            "set_on": timezone.localdate(plans[0].set_at).isoformat(),
        }
    if as_of is not None:
        data = {"as_of": as_of.isoformat(), **data}
    return data
