"""Small helpers to build histories by hand in the rule tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from monitoring.domain import (
    Analyte,
    AromataseInhibitor,
    AromataseInhibitorCourse,
    BoneTherapyCourse,
    BoneTherapyDrug,
    DexaScan,
    History,
    LabResult,
    Patient,
    RiskFactors,
    Sex,
    Site,
    SiteMeasurement,
    to_canonical,
)

AS_OF = dt.date(2025, 6, 1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def patient(**overrides: Any) -> Patient:
    fields: dict[str, Any] = {
        "mrn": "T1",
        "sex": Sex.F,
        "birth_date": d("1965-09-15"),
        "height_cm": Decimal(160),
        "weight_kg": Decimal(64),
    }
    fields.update(overrides)
    return Patient(**fields)


def risk(**overrides: Any) -> Patient:
    return patient(risk_factors=RiskFactors(**overrides))


def scan(date: str, scanner: str = "S1", **sites: tuple[str, str]) -> DexaScan:
    """scan("2025-01-01", lumbar_spine=("0.900", "-1.2"))."""
    return DexaScan(
        date=d(date),
        scanner=scanner,
        sites={
            Site(name): SiteMeasurement(bmd=Decimal(bmd), t_score=Decimal(t))
            for name, (bmd, t) in sites.items()
        },
    )


def lab(
    date: str, analyte: Analyte, value: str, *, fasting: bool = False, unit: str | None = None
) -> LabResult:
    """A result of `value` in the canonical unit, or entered in `unit` (converted as the
    application converts it, and kept as entered)."""
    if unit is None:
        return LabResult(date=d(date), analyte=analyte, value=Decimal(value), fasting=fasting)
    return LabResult(
        date=d(date),
        analyte=analyte,
        value=to_canonical(analyte, Decimal(value), unit),
        fasting=fasting,
        entered_value=Decimal(value),
        entered_unit=unit,
    )


def ai(start: str | None = "2025-01-01", stop: str | None = None) -> AromataseInhibitorCourse:
    return AromataseInhibitorCourse(
        drug=AromataseInhibitor.ANASTROZOLE,
        start_date=d(start) if start else None,
        stop_date=d(stop) if stop else None,
    )


def therapy(
    drug: BoneTherapyDrug,
    start: str | None,
    *,
    stop: str | None = None,
    doses: tuple[str, ...] = (),
    dental: str | None = "2020-01-01",
) -> BoneTherapyCourse:
    return BoneTherapyCourse(
        drug=drug,
        start_date=d(start) if start else None,
        stop_date=d(stop) if stop else None,
        doses=tuple(d(x) for x in doses),
        dental_review_date=d(dental) if dental else None,
    )


def history(**overrides: Any) -> History:
    fields: dict[str, Any] = {"patient": patient()}
    fields.update(overrides)
    return History(**fields)


def normal_scan(date: str = "2025-05-01", scanner: str = "S1") -> DexaScan:
    return scan(
        date,
        scanner,
        lumbar_spine=("1.000", "-0.5"),
        total_hip=("0.900", "-0.5"),
        femoral_neck=("0.800", "-0.5"),
    )
