"""Strict JSON -> History (`docs/history-format.md`).

Unknown keys, wrong types, impossible dates (outside DATE_MIN..DATE_MAX, or before the birth
date), text longer than its column, numbers finer than their column and implausible values are
rejected with a `HistoryError` whose message starts with the JSON path of the bad field, e.g.
`dexa_scans[0].sites.lumbar_spine.bmd: 2.5 is outside 0.2 to 2.0`. JSON numbers are read as
`Decimal`; lab values are converted to their canonical unit on the way in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Final

from . import columns as col
from . import thresholds as th
from .calcium_adjustment import ALBUMIN_UNITS, adjusted_calcium, albumin_plausible
from .document import check_tree, decode
from .errors import HistoryError
from .readers import (
    JsonObject,
    boolean,
    check_places,
    enum,
    integer,
    iso_date,
    listed,
    number,
    ranged,
    text,
)
from .types import (
    Analyte,
    AromataseInhibitor,
    AromataseInhibitorCourse,
    BoneTherapyCourse,
    BoneTherapyDrug,
    DexaScan,
    FraxResult,
    History,
    LabResult,
    MenopausalStatus,
    Patient,
    Plan,
    RiskFactors,
    Scanner,
    Sex,
    Site,
    SiteMeasurement,
    Smoking,
    Supplements,
    VertebralFractureAssessment,
)
from .units import normalize_unit, to_canonical

_mrn = text(col.MRN_MAX_LENGTH, nonempty=True)
_name = text(col.NAME_MAX_LENGTH)
_site = text(col.SITE_MAX_LENGTH)
_scanner_name = text(col.SCANNER_MAX_LENGTH, nonempty=True)
_dose = text(col.DOSE_MAX_LENGTH)
_reason = text(col.REASON_MAX_LENGTH)
_unit = text(col.UNIT_MAX_LENGTH)


# --- Objects -----------------------------------------------------------------------------------

_RISK_FACTOR_KEYS: Final = frozenset(
    {
        "prior_fragility_fracture",
        "prior_fracture_date",
        "parent_hip_fracture",
        "smoking",
        "alcohol_3_or_more_units_daily",
        "oral_glucocorticoid_months",
        "rheumatoid_arthritis",
        "secondary_osteoporosis",
    }
)


def _risk_factors(value: Any, path: str) -> RiskFactors:
    obj = JsonObject(value, path)
    obj.finish(_RISK_FACTOR_KEYS)
    return RiskFactors(
        prior_fragility_fracture=obj.optional("prior_fragility_fracture", boolean) or False,
        prior_fracture_date=obj.optional("prior_fracture_date", iso_date),
        parent_hip_fracture=obj.optional("parent_hip_fracture", boolean) or False,
        smoking=obj.optional("smoking", enum(Smoking)) or Smoking.NEVER,
        alcohol_3_or_more_units_daily=obj.optional("alcohol_3_or_more_units_daily", boolean)
        or False,
        oral_glucocorticoid_months=obj.optional(
            "oral_glucocorticoid_months",
            ranged(*th.GLUCOCORTICOID_MONTHS_RANGE, places=col.GLUCOCORTICOID_MONTHS_PLACES),
        )
        or Decimal(0),
        rheumatoid_arthritis=obj.optional("rheumatoid_arthritis", boolean) or False,
        secondary_osteoporosis=obj.optional("secondary_osteoporosis", boolean) or False,
    )


_PATIENT_KEYS: Final = frozenset(
    {
        "mrn",
        "name",
        "site",
        "sex",
        "birth_date",
        "menopausal_status",
        "breast_cancer_diagnosis_date",
        "height_cm",
        "weight_kg",
        "risk_factors",
    }
)


def _patient(value: Any, path: str) -> Patient:
    obj = JsonObject(value, path)
    obj.finish(_PATIENT_KEYS)
    return Patient(
        mrn=obj.required("mrn", _mrn),
        sex=obj.required("sex", enum(Sex)),
        birth_date=obj.required("birth_date", iso_date),
        name=obj.optional("name", _name),
        site=obj.optional("site", _site),
        menopausal_status=obj.optional("menopausal_status", enum(MenopausalStatus)),
        breast_cancer_diagnosis_date=obj.optional("breast_cancer_diagnosis_date", iso_date),
        height_cm=obj.optional("height_cm", ranged(*th.HEIGHT_CM_RANGE, places=col.BODY_PLACES)),
        weight_kg=obj.optional("weight_kg", ranged(*th.WEIGHT_KG_RANGE, places=col.BODY_PLACES)),
        risk_factors=obj.optional("risk_factors", _risk_factors) or RiskFactors(),
    )


def _check_order(start: dt.date | None, stop: dt.date | None, path: str) -> None:
    if start is not None and stop is not None and stop < start:
        raise HistoryError(f"{path}.stop_date", f"{stop} is before the start date {start}")


_AI_KEYS: Final = frozenset(
    {"drug", "start_date", "stop_date", "stop_reason", "planned_duration_months"}
)


def _ai_course(value: Any, path: str) -> AromataseInhibitorCourse:
    obj = JsonObject(value, path)
    obj.finish(_AI_KEYS)
    course = AromataseInhibitorCourse(
        drug=obj.required("drug", enum(AromataseInhibitor)),
        start_date=obj.optional("start_date", iso_date),
        stop_date=obj.optional("stop_date", iso_date),
        stop_reason=obj.optional("stop_reason", _reason),
        planned_duration_months=obj.optional(
            "planned_duration_months", integer(*th.PLANNED_DURATION_MONTHS_RANGE)
        ),
    )
    _check_order(course.start_date, course.stop_date, path)
    return course


def _scanner(value: Any, path: str) -> Scanner:
    obj = JsonObject(value, path)
    obj.finish(frozenset({"lsc"}))
    lsc_obj = JsonObject(obj.value.get("lsc") or {}, obj.at("lsc"))
    lsc_obj.finish(frozenset(site.value for site in Site))
    read = ranged(*th.LSC_RANGE, places=col.BMD_PLACES)
    return Scanner(
        lsc={Site(key): read(raw, lsc_obj.at(key)) for key, raw in lsc_obj.value.items()}
    )


def _measurement(value: Any, path: str) -> SiteMeasurement:
    obj = JsonObject(value, path)
    obj.finish(frozenset({"bmd", "t_score", "z_score"}))
    return SiteMeasurement(
        bmd=obj.required("bmd", ranged(*th.BMD_RANGE, places=col.BMD_PLACES)),
        t_score=obj.required("t_score", ranged(*th.SCORE_RANGE, places=col.SCORE_PLACES)),
        z_score=obj.optional("z_score", ranged(*th.SCORE_RANGE, places=col.SCORE_PLACES)),
    )


# `trabecular_bone_score` is recorded with the scan and read by no rule: checked here, imported
# from the file as written (records.history_records), left out of the `DexaScan` the rules read.
_SCAN_KEYS: Final = frozenset(
    {"date", "scanner", "sites", "vertebral_fracture_assessment", "trabecular_bone_score"}
)


def _scan(value: Any, path: str) -> DexaScan:
    obj = JsonObject(value, path)
    obj.finish(_SCAN_KEYS)
    obj.optional("trabecular_bone_score", ranged(*th.TBS_RANGE, places=col.TBS_PLACES))
    sites_obj = JsonObject(obj.required("sites", lambda v, _p: v), obj.at("sites"))
    sites_obj.finish(frozenset(site.value for site in Site))
    if not sites_obj.value:
        raise HistoryError(sites_obj.path, "a scan needs at least one site")
    return DexaScan(
        date=obj.required("date", iso_date),
        # Required although the format lists it as optional: without it no change can be judged.
        scanner=obj.required("scanner", _scanner_name),
        sites={
            Site(key): _measurement(raw, sites_obj.at(key)) for key, raw in sites_obj.value.items()
        },
        vertebral_fracture_assessment=obj.optional(
            "vertebral_fracture_assessment", enum(VertebralFractureAssessment)
        ),
    )


_LAB_RANGES: Final = th.LAB_PLAUSIBLE_RANGES


# What a calcium was worked out from: the total calcium (in the result's unit) and the albumin of
# its sample, as the lab form keeps them beside the adjusted value (`calcium_adjustment`). Read by
# no rule: checked here, imported from the file as written (records.history_records).
CALCIUM_SOURCE_KEYS: Final = ("total_calcium", "albumin", "albumin_unit")
_LAB_KEYS: Final = frozenset({"date", "analyte", "value", "unit", "fasting", *CALCIUM_SOURCE_KEYS})


def _in_range(analyte: Analyte, value: Decimal, unit: str, path: str) -> None:
    """Refuse a value in `unit` (one accepted for `analyte`) outside the plausible range."""
    canonical = to_canonical(analyte, value, unit, path=path)
    low, high = _LAB_RANGES[analyte]
    if not low <= canonical <= high:
        raise HistoryError(path, f"{value} {unit} is outside the plausible range")


def _check_calcium_source(obj: JsonObject, analyte: Analyte, value: Decimal, unit: str) -> None:
    """A calcium given with the total calcium and albumin it was adjusted from: the three come
    together, on a calcium only, and the value is the adjusted calcium worked out from them."""
    given = [key for key in CALCIUM_SOURCE_KEYS if obj.value.get(key) is not None]
    if not given:
        return
    if analyte is not Analyte.CALCIUM:
        raise HistoryError(
            obj.at(given[0]), "only a calcium is worked out from a total calcium and an albumin"
        )
    missing = [key for key in CALCIUM_SOURCE_KEYS if key not in given]
    if missing:
        raise HistoryError(
            obj.at(missing[0]), "is required: total_calcium, albumin and albumin_unit come together"
        )
    total = obj.required("total_calcium", number)
    check_places(total, col.LAB_ENTERED_PLACES, obj.at("total_calcium"))
    _in_range(analyte, total, unit, obj.at("total_calcium"))
    albumin_unit = obj.required("albumin_unit", _unit)
    if albumin_unit not in ALBUMIN_UNITS:
        raise HistoryError(
            obj.at("albumin_unit"), f"{albumin_unit!r} is not one of {', '.join(ALBUMIN_UNITS)}"
        )
    albumin = obj.required("albumin", number)
    check_places(albumin, col.ALBUMIN_PLACES, obj.at("albumin"))
    if not albumin_plausible(albumin, albumin_unit):
        raise HistoryError(obj.at("albumin"), f"{albumin} {albumin_unit} is not plausible")
    adjusted = adjusted_calcium(total, unit, albumin, albumin_unit)
    if adjusted != value:
        raise HistoryError(
            obj.at("value"),
            f"{value} {unit} is not the adjusted calcium worked out from total calcium "
            f"{total} {unit} and albumin {albumin} {albumin_unit} ({adjusted} {unit})",
        )


def _lab(value: Any, path: str) -> LabResult:
    obj = JsonObject(value, path)
    obj.finish(_LAB_KEYS)
    day = obj.required("date", iso_date)
    analyte = obj.required("analyte", enum(Analyte))
    raw = obj.required("value", number)
    check_places(raw, col.LAB_ENTERED_PLACES, obj.at("value"))
    unit = obj.required("unit", _unit)
    canonical = to_canonical(analyte, raw, unit, path=obj.at("unit"))
    _in_range(analyte, raw, unit, obj.at("value"))
    _check_calcium_source(obj, analyte, raw, unit)
    return LabResult(
        date=day,
        analyte=analyte,
        value=canonical,
        fasting=obj.optional("fasting", boolean) or False,
        entered_value=raw,
        entered_unit=normalize_unit(unit),
    )


def _frax(value: Any, path: str) -> FraxResult:
    obj = JsonObject(value, path)
    obj.finish(frozenset({"date", "major_osteoporotic_pct", "hip_pct", "with_bmd"}))
    read = ranged(*th.FRAX_PCT_RANGE, places=col.FRAX_PLACES)
    return FraxResult(
        date=obj.required("date", iso_date),
        major_osteoporotic_pct=obj.required("major_osteoporotic_pct", read),
        hip_pct=obj.required("hip_pct", read),
        with_bmd=obj.optional("with_bmd", boolean) or False,
    )


_THERAPY_KEYS: Final = frozenset(
    {"drug", "dose", "start_date", "stop_date", "stop_reason", "doses", "dental_review_date"}
)


def _therapy(value: Any, path: str) -> BoneTherapyCourse:
    obj = JsonObject(value, path)
    obj.finish(_THERAPY_KEYS)
    start = obj.optional("start_date", iso_date)
    stop = obj.optional("stop_date", iso_date)
    _check_order(start, stop, path)
    doses_path = obj.at("doses")
    doses = tuple(
        iso_date(raw, f"{doses_path}[{i}]")
        for i, raw in enumerate(obj.optional("doses", listed) or [])
    )
    for i, dose in enumerate(doses):
        if start is None:
            raise HistoryError(f"{doses_path}[{i}]", "a dose given on a course with no start date")
        if dose < start:
            raise HistoryError(f"{doses_path}[{i}]", f"{dose} is before the start date {start}")
        if stop is not None and dose > stop:
            # A course stops on or after its last dose, as the app's therapy form requires.
            raise HistoryError(
                f"{doses_path}[{i}]",
                f"{dose} is after the stop date {stop}: a course stops on or after its last dose",
            )
    return BoneTherapyCourse(
        drug=obj.required("drug", enum(BoneTherapyDrug)),
        dose=obj.optional("dose", _dose),
        start_date=start,
        stop_date=stop,
        stop_reason=obj.optional("stop_reason", _reason),
        doses=doses,
        dental_review_date=obj.optional("dental_review_date", iso_date),
    )


def _supplements(value: Any, path: str) -> Supplements:
    obj = JsonObject(value, path)
    obj.finish(frozenset({"calcium", "vitamin_d"}))
    return Supplements(
        calcium=obj.optional("calcium", boolean) or False,
        vitamin_d=obj.optional("vitamin_d", boolean) or False,
    )


def _plan(value: Any, path: str) -> Plan:
    obj = JsonObject(value, path)
    obj.finish(frozenset({"next_dexa_due", "reason", "set_on"}))
    return Plan(
        next_dexa_due=obj.optional("next_dexa_due", iso_date),
        reason=obj.optional("reason", _reason),
        set_on=obj.optional("set_on", iso_date),
    )


def _items[T](obj: JsonObject, key: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
    raw = obj.optional(key, listed) or []
    return tuple(read(item, f"{obj.at(key)}[{i}]") for i, item in enumerate(raw))


_HISTORY_KEYS: Final = frozenset(
    {
        "as_of",
        "patient",
        "aromatase_inhibitors",
        "scanners",
        "dexa_scans",
        "labs",
        "frax",
        "bone_therapy",
        "supplements",
        "plan",
    }
)


def _check_duplicate_sites(scans: tuple[DexaScan, ...]) -> None:
    seen: set[tuple[Site, dt.date]] = set()
    for i, scan in enumerate(scans):
        for site in scan.sites:
            if (site, scan.date) in seen:
                raise HistoryError(
                    f"dexa_scans[{i}].sites.{site}",
                    f"a second measurement of {site} on {scan.date.isoformat()}",
                )
            seen.add((site, scan.date))


def _scanners(value: Any, path: str) -> dict[str, Scanner]:
    obj = JsonObject(value, path)
    return {
        _scanner_name(name, obj.at(name)): _scanner(raw, obj.at(name))
        for name, raw in obj.value.items()
    }


def _dated(history: History) -> Iterator[tuple[str, dt.date | None]]:
    """Yield the path and date of everything that happened, or is due, to the patient."""
    patient = history.patient
    yield "as_of", history.as_of
    yield "patient.breast_cancer_diagnosis_date", patient.breast_cancer_diagnosis_date
    yield "patient.risk_factors.prior_fracture_date", patient.risk_factors.prior_fracture_date
    for i, ai in enumerate(history.aromatase_inhibitors):
        yield f"aromatase_inhibitors[{i}].start_date", ai.start_date
        yield f"aromatase_inhibitors[{i}].stop_date", ai.stop_date
    for i, scan in enumerate(history.dexa_scans):
        yield f"dexa_scans[{i}].date", scan.date
    for i, lab in enumerate(history.labs):
        yield f"labs[{i}].date", lab.date
    for i, frax in enumerate(history.frax):
        yield f"frax[{i}].date", frax.date
    for i, course in enumerate(history.bone_therapy):
        yield f"bone_therapy[{i}].start_date", course.start_date
        yield f"bone_therapy[{i}].stop_date", course.stop_date
        yield f"bone_therapy[{i}].dental_review_date", course.dental_review_date
        for j, dose in enumerate(course.doses):
            yield f"bone_therapy[{i}].doses[{j}]", dose
    if history.plan is not None:
        yield "plan.next_dexa_due", history.plan.next_dexa_due
        yield "plan.set_on", history.plan.set_on


def _check_after_birth(history: History) -> None:
    born = history.patient.birth_date
    for path, day in _dated(history):
        if day is not None and day < born:
            raise HistoryError(path, f"{day} is before the patient's birth date {born}")


def parse_history(data: str | bytes | Mapping[str, Any]) -> History:
    """Parse one patient's history from JSON text or bytes, or an already decoded object.

    Raise `HistoryError` naming the JSON path of the first bad field. Text is decoded by
    `document.decode` and a decoded object walked by `document.check_tree` (size, depth, duplicate
    keys, strings, numbers), then every field is read strictly and no event may precede the
    birth date.
    """
    if isinstance(data, (str, bytes)):
        decoded: Any = decode(data)
    else:
        # A plain dict keeps its DuplicateKeys marks; any other mapping is copied into one.
        decoded = dict(data) if isinstance(data, Mapping) and not isinstance(data, dict) else data
        check_tree(decoded)
    obj = JsonObject(decoded, "")
    obj.finish(_HISTORY_KEYS)
    scans = _items(obj, "dexa_scans", _scan)
    _check_duplicate_sites(scans)
    history = History(
        as_of=obj.optional("as_of", iso_date),
        patient=obj.required("patient", _patient),
        aromatase_inhibitors=_items(obj, "aromatase_inhibitors", _ai_course),
        scanners=obj.optional("scanners", _scanners) or {},
        dexa_scans=scans,
        labs=_items(obj, "labs", _lab),
        frax=_items(obj, "frax", _frax),
        bone_therapy=_items(obj, "bone_therapy", _therapy),
        supplements=obj.optional("supplements", _supplements),
        plan=obj.optional("plan", _plan),
    )
    _check_after_birth(history)
    return history
