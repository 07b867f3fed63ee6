"""Strict JSON -> History (`design/history-format.md`).

Unknown keys, wrong types, impossible dates and implausible values are rejected with a
`HistoryError` whose message starts with the JSON path of the bad field, e.g.
`dexa_scans[0].sites.lumbar_spine.bmd: 2.5 is outside 0.2 to 2.0`. JSON numbers are read as
`Decimal`; lab values are converted to their canonical unit on the way in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from . import thresholds as th
from .errors import HistoryError
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
)
from .units import to_canonical

_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
# Design choice: dates outside these bounds are typos (this also keeps month arithmetic in range).
DATE_MIN: Final = dt.date(1900, 1, 1)
DATE_MAX: Final = dt.date(2199, 12, 31)
_MAX_TEXT: Final = 500


class _DuplicateKeys(dict[str, Any]):
    """A JSON object in which some key appeared twice (reported with its path when read)."""

    duplicate: str = ""


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            flagged = _DuplicateKeys(result)
            flagged.duplicate = key
            flagged.update(pairs)
            return flagged
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise HistoryError("(document)", f"{name} is not a number")


def loads(text: str | bytes) -> Any:
    """Decode JSON text with Decimal numbers, rejecting NaN and Infinity."""
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_object_pairs,
        )
    except json.JSONDecodeError as error:
        raise HistoryError(
            "(document)", f"not valid JSON: {error.msg} at line {error.lineno}"
        ) from None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Object:
    """Read the keys of one JSON object, refusing any key that is not read."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise HistoryError(path or "(document)", f"expected an object, got {_kind(value)}")
        if isinstance(value, _DuplicateKeys):
            raise HistoryError(_join(path, value.duplicate), "key appears twice")
        self.value: dict[str, Any] = value
        self.path = path

    def at(self, key: str) -> str:
        return _join(self.path, key)

    def finish(self, allowed: frozenset[str]) -> None:
        for key in self.value:
            if key not in allowed:
                raise HistoryError(self.at(key), "unknown key")

    def required[T](self, key: str, read: Callable[[Any, str], T]) -> T:
        if key not in self.value or self.value[key] is None:
            raise HistoryError(self.at(key), "is required")
        return read(self.value[key], self.at(key))

    def optional[T](self, key: str, read: Callable[[Any, str], T]) -> T | None:
        value = self.value.get(key)
        return None if value is None else read(value, self.at(key))


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# --- Scalars -----------------------------------------------------------------------------------


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise HistoryError(path, f"expected a string, got {_kind(value)}")
    if len(value) > _MAX_TEXT:
        raise HistoryError(path, f"longer than {_MAX_TEXT} characters")
    return value


def _nonempty_text(value: Any, path: str) -> str:
    text = _text(value, path)
    if not text.strip():
        raise HistoryError(path, "must not be empty")
    return text


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise HistoryError(path, f"expected true or false, got {_kind(value)}")
    return value


def _number(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise HistoryError(path, f"expected a number, got {_kind(value)}")
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise HistoryError(path, "must be a finite number")
    return number


def _ranged(low: Decimal, high: Decimal) -> Callable[[Any, str], Decimal]:
    def read(value: Any, path: str) -> Decimal:
        number = _number(value, path)
        if not low <= number <= high:
            raise HistoryError(path, f"{number} is outside {low} to {high}")
        return number

    return read


def _integer(low: int, high: int) -> Callable[[Any, str], int]:
    def read(value: Any, path: str) -> int:
        number = _number(value, path)
        if number != number.to_integral_value():
            raise HistoryError(path, f"{number} is not a whole number")
        if not low <= number <= high:
            raise HistoryError(path, f"{number} is outside {low} to {high}")
        return int(number)

    return read


def _date(value: Any, path: str) -> dt.date:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise HistoryError(path, f"expected a date YYYY-MM-DD, got {value!r}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise HistoryError(path, f"{value!r} is not a calendar date") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise HistoryError(path, f"{value} is outside {DATE_MIN} to {DATE_MAX}")
    return day


def _enum[E: StrEnum](kind: type[E]) -> Callable[[Any, str], E]:
    def read(value: Any, path: str) -> E:
        if isinstance(value, str):
            try:
                return kind(value)
            except ValueError:
                pass
        choices = ", ".join(member.value for member in kind)
        raise HistoryError(path, f"{value!r} is not one of {choices}")

    return read


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise HistoryError(path, f"expected a list, got {_kind(value)}")
    return value


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
    obj = _Object(value, path)
    obj.finish(_RISK_FACTOR_KEYS)
    return RiskFactors(
        prior_fragility_fracture=obj.optional("prior_fragility_fracture", _bool) or False,
        prior_fracture_date=obj.optional("prior_fracture_date", _date),
        parent_hip_fracture=obj.optional("parent_hip_fracture", _bool) or False,
        smoking=obj.optional("smoking", _enum(Smoking)) or Smoking.NEVER,
        alcohol_3_or_more_units_daily=obj.optional("alcohol_3_or_more_units_daily", _bool) or False,
        oral_glucocorticoid_months=obj.optional(
            "oral_glucocorticoid_months", _ranged(*th.GLUCOCORTICOID_MONTHS_RANGE)
        )
        or Decimal(0),
        rheumatoid_arthritis=obj.optional("rheumatoid_arthritis", _bool) or False,
        secondary_osteoporosis=obj.optional("secondary_osteoporosis", _bool) or False,
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
    obj = _Object(value, path)
    obj.finish(_PATIENT_KEYS)
    return Patient(
        mrn=obj.required("mrn", _nonempty_text),
        sex=obj.required("sex", _enum(Sex)),
        birth_date=obj.required("birth_date", _date),
        name=obj.optional("name", _text),
        site=obj.optional("site", _text),
        menopausal_status=obj.optional("menopausal_status", _enum(MenopausalStatus)),
        breast_cancer_diagnosis_date=obj.optional("breast_cancer_diagnosis_date", _date),
        height_cm=obj.optional("height_cm", _ranged(*th.HEIGHT_CM_RANGE)),
        weight_kg=obj.optional("weight_kg", _ranged(*th.WEIGHT_KG_RANGE)),
        risk_factors=obj.optional("risk_factors", _risk_factors) or RiskFactors(),
    )


def _check_order(start: dt.date | None, stop: dt.date | None, path: str) -> None:
    if start is not None and stop is not None and stop < start:
        raise HistoryError(f"{path}.stop_date", f"{stop} is before the start date {start}")


_AI_KEYS: Final = frozenset(
    {"drug", "start_date", "stop_date", "stop_reason", "planned_duration_months"}
)


def _ai_course(value: Any, path: str) -> AromataseInhibitorCourse:
    obj = _Object(value, path)
    obj.finish(_AI_KEYS)
    course = AromataseInhibitorCourse(
        drug=obj.required("drug", _enum(AromataseInhibitor)),
        start_date=obj.optional("start_date", _date),
        stop_date=obj.optional("stop_date", _date),
        stop_reason=obj.optional("stop_reason", _text),
        planned_duration_months=obj.optional(
            "planned_duration_months", _integer(*th.PLANNED_DURATION_MONTHS_RANGE)
        ),
    )
    _check_order(course.start_date, course.stop_date, path)
    return course


def _scanner(value: Any, path: str) -> Scanner:
    obj = _Object(value, path)
    obj.finish(frozenset({"lsc"}))
    lsc_obj = _Object(obj.value.get("lsc") or {}, obj.at("lsc"))
    lsc_obj.finish(frozenset(site.value for site in Site))
    read = _ranged(*th.LSC_RANGE)
    return Scanner(
        lsc={Site(key): read(raw, lsc_obj.at(key)) for key, raw in lsc_obj.value.items()}
    )


def _measurement(value: Any, path: str) -> SiteMeasurement:
    obj = _Object(value, path)
    obj.finish(frozenset({"bmd", "t_score", "z_score"}))
    return SiteMeasurement(
        bmd=obj.required("bmd", _ranged(*th.BMD_RANGE)),
        t_score=obj.required("t_score", _ranged(*th.SCORE_RANGE)),
        z_score=obj.optional("z_score", _ranged(*th.SCORE_RANGE)),
    )


def _scan(value: Any, path: str) -> DexaScan:
    obj = _Object(value, path)
    obj.finish(frozenset({"date", "scanner", "sites"}))
    sites_obj = _Object(obj.required("sites", lambda v, _p: v), obj.at("sites"))
    sites_obj.finish(frozenset(site.value for site in Site))
    if not sites_obj.value:
        raise HistoryError(sites_obj.path, "a scan needs at least one site")
    return DexaScan(
        date=obj.required("date", _date),
        # Required although the format lists it as optional: without it no change can be judged.
        scanner=obj.required("scanner", _nonempty_text),
        sites={
            Site(key): _measurement(raw, sites_obj.at(key)) for key, raw in sites_obj.value.items()
        },
    )


_LAB_RANGES: Final = th.LAB_PLAUSIBLE_RANGES


def _lab(value: Any, path: str) -> LabResult:
    obj = _Object(value, path)
    obj.finish(frozenset({"date", "analyte", "value", "unit", "fasting"}))
    date = obj.required("date", _date)
    analyte = obj.required("analyte", _enum(Analyte))
    raw = obj.required("value", _number)
    unit = obj.required("unit", _text)
    canonical = to_canonical(analyte, raw, unit, path=obj.at("unit"))
    low, high = _LAB_RANGES[analyte]
    if not low <= canonical <= high:
        raise HistoryError(obj.at("value"), f"{raw} {unit} is outside the plausible range")
    return LabResult(
        date=date,
        analyte=analyte,
        value=canonical,
        fasting=obj.optional("fasting", _bool) or False,
    )


def _frax(value: Any, path: str) -> FraxResult:
    obj = _Object(value, path)
    obj.finish(frozenset({"date", "major_osteoporotic_pct", "hip_pct", "with_bmd"}))
    read = _ranged(*th.FRAX_PCT_RANGE)
    return FraxResult(
        date=obj.required("date", _date),
        major_osteoporotic_pct=obj.required("major_osteoporotic_pct", read),
        hip_pct=obj.required("hip_pct", read),
        with_bmd=obj.optional("with_bmd", _bool) or False,
    )


_THERAPY_KEYS: Final = frozenset(
    {"drug", "dose", "start_date", "stop_date", "stop_reason", "doses", "dental_review_date"}
)


def _therapy(value: Any, path: str) -> BoneTherapyCourse:
    obj = _Object(value, path)
    obj.finish(_THERAPY_KEYS)
    start = obj.optional("start_date", _date)
    stop = obj.optional("stop_date", _date)
    _check_order(start, stop, path)
    doses_path = obj.at("doses")
    doses = tuple(
        _date(raw, f"{doses_path}[{i}]") for i, raw in enumerate(obj.optional("doses", _list) or [])
    )
    for i, dose in enumerate(doses):
        if start is None:
            raise HistoryError(f"{doses_path}[{i}]", "a dose given on a course with no start date")
        if dose < start:
            raise HistoryError(f"{doses_path}[{i}]", f"{dose} is before the start date {start}")
    return BoneTherapyCourse(
        drug=obj.required("drug", _enum(BoneTherapyDrug)),
        dose=obj.optional("dose", _text),
        start_date=start,
        stop_date=stop,
        stop_reason=obj.optional("stop_reason", _text),
        doses=doses,
        dental_review_date=obj.optional("dental_review_date", _date),
    )


def _supplements(value: Any, path: str) -> Supplements:
    obj = _Object(value, path)
    obj.finish(frozenset({"calcium", "vitamin_d"}))
    return Supplements(
        calcium=obj.optional("calcium", _bool) or False,
        vitamin_d=obj.optional("vitamin_d", _bool) or False,
    )


def _plan(value: Any, path: str) -> Plan:
    obj = _Object(value, path)
    obj.finish(frozenset({"next_dexa_due", "reason"}))
    return Plan(
        next_dexa_due=obj.optional("next_dexa_due", _date),
        reason=obj.optional("reason", _text),
    )


def _items[T](obj: _Object, key: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
    raw = obj.optional(key, _list) or []
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
    obj = _Object(value, path)
    return {name: _scanner(raw, obj.at(name)) for name, raw in obj.value.items()}


def parse_history(data: str | bytes | Mapping[str, Any]) -> History:
    """Parse one patient's history from JSON text or an already decoded object.

    Raise `HistoryError` naming the JSON path of the first bad field.
    """
    decoded = loads(data) if isinstance(data, (str, bytes)) else data
    if isinstance(decoded, Mapping) and not isinstance(decoded, dict):
        decoded = dict(decoded)
    obj = _Object(decoded, "")
    obj.finish(_HISTORY_KEYS)
    scans = _items(obj, "dexa_scans", _scan)
    _check_duplicate_sites(scans)
    return History(
        as_of=obj.optional("as_of", _date),
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
