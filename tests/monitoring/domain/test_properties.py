"""Properties over generated valid histories."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from monitoring.domain import (
    AlertCode,
    Analyte,
    Assessment,
    BoneTherapyCourse,
    BoneTherapyDrug,
    DexaScan,
    FraxResult,
    History,
    LabResult,
    RiskCategory,
    RiskFactors,
    Severity,
    Site,
    SiteMeasurement,
    Smoking,
    assess,
    assessment_to_dict,
)
from monitoring.domain.dates import within_months_before
from monitoring.domain.types import PARENTERAL_DRUGS

from .strategies import as_of_dates, histories

SCHEMA_PATH = (
    Path(__file__).resolve().parents[3]
    / "monitoring"
    / "domain"
    / "schema"
    / "assessment.schema.json"
)
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
RISK_ORDER = {RiskCategory.LOW: 0, RiskCategory.MODERATE: 1, RiskCategory.HIGH: 2}


def with_scan_by(history: History, as_of: dt.date) -> dt.date:
    """Move `as_of` on to the first scan so that at least one scan is on file."""
    return max(as_of, history.dexa_scans[0].date) if history.dexa_scans else as_of


@given(histories(), as_of_dates)
def test_never_raises_is_deterministic_and_matches_schema(history: History, as_of: dt.date) -> None:
    first = assessment_to_dict(assess(history, as_of=as_of))
    second = assessment_to_dict(assess(history, as_of=as_of))
    assert first == second
    VALIDATOR.validate(json.loads(json.dumps(first)))


def _risk(history: History, as_of: dt.date) -> int:
    category = assess(history, as_of=as_of).risk_category
    assert category is not RiskCategory.UNKNOWN
    return RISK_ORDER[category]


@given(histories(), as_of_dates, st.data())
def test_lowering_a_t_score_never_lowers_risk(
    history: History, as_of: dt.date, data: st.DataObject
) -> None:
    if not history.dexa_scans:
        return
    as_of = with_scan_by(history, as_of)
    index = data.draw(st.integers(0, len(history.dexa_scans) - 1))
    scan = history.dexa_scans[index]
    site = data.draw(st.sampled_from(sorted(scan.sites)))
    old = scan.sites[site]
    drop = data.draw(st.decimals(min_value=Decimal("0.1"), max_value=Decimal(3), places=1))
    lowered = SiteMeasurement(
        bmd=old.bmd, t_score=max(old.t_score - drop, Decimal(-7)), z_score=old.z_score
    )
    new_scan = dataclasses.replace(scan, sites={**scan.sites, site: lowered})
    scans = list(history.dexa_scans)
    scans[index] = new_scan
    changed = dataclasses.replace(history, dexa_scans=tuple(scans))
    assert _risk(changed, as_of) >= _risk(history, as_of)


RISK_FACTOR_CHANGES: list[dict[str, Any]] = [
    {"prior_fragility_fracture": True, "prior_fracture_date": None},
    {"parent_hip_fracture": True},
    {"smoking": Smoking.CURRENT},
    {"alcohol_3_or_more_units_daily": True},
    {"oral_glucocorticoid_months": Decimal(12)},
]


@given(histories(), as_of_dates, st.sampled_from(RISK_FACTOR_CHANGES))
def test_adding_a_risk_factor_never_lowers_risk(
    history: History, as_of: dt.date, change: dict[str, Any]
) -> None:
    if not history.dexa_scans:
        return
    as_of = with_scan_by(history, as_of)
    factors: RiskFactors = dataclasses.replace(history.patient.risk_factors, **change)
    patient = dataclasses.replace(history.patient, risk_factors=factors)
    changed = dataclasses.replace(history, patient=patient)
    assert _risk(changed, as_of) >= _risk(history, as_of)


def _latest_date(history: History, as_of: dt.date) -> dt.date:
    days = [as_of]
    days += [s.date for s in history.dexa_scans]
    days += [lab.date for lab in history.labs]
    days += [f.date for f in history.frax]
    for course in history.bone_therapy:
        days += list(course.doses)
        days += [x for x in (course.start_date, course.stop_date) if x]
    return max(days)


@given(
    histories(), as_of_dates, st.integers(1, 400), st.sampled_from(["scan", "lab", "frax", "dose"])
)
def test_data_after_as_of_changes_nothing(
    history: History, as_of: dt.date, days_after: int, kind: str
) -> None:
    later = _latest_date(history, as_of) + dt.timedelta(days=days_after)
    if kind == "scan":
        extra = DexaScan(
            date=later,
            scanner="S1",
            sites={site: SiteMeasurement(bmd=Decimal("0.5"), t_score=Decimal(-4)) for site in Site},
        )
        changed = dataclasses.replace(history, dexa_scans=(*history.dexa_scans, extra))
    elif kind == "lab":
        labs = [
            LabResult(date=later, analyte=analyte, value=Decimal(1), fasting=True)
            for analyte in Analyte
        ]
        changed = dataclasses.replace(history, labs=(*history.labs, *labs))
    elif kind == "frax":
        frax = FraxResult(
            date=later, major_osteoporotic_pct=Decimal(60), hip_pct=Decimal(30), with_bmd=True
        )
        changed = dataclasses.replace(history, frax=(*history.frax, frax))
    else:
        courses = tuple(
            dataclasses.replace(c, doses=(*c.doses, later)) if c.start_date else c
            for c in history.bone_therapy
        )
        changed = dataclasses.replace(history, bone_therapy=courses)
    before: Assessment = assess(history, as_of=as_of)
    assert assess(changed, as_of=as_of) == before


HYPOCALCAEMIA_CODES = frozenset(
    {AlertCode.HYPOCALCEMIA, AlertCode.CALCIUM_NOT_MEASURED, AlertCode.HYPOCALCEMIA_RISK_RENAL}
)


def _hypocalcaemia_alerts(history: History, as_of: dt.date) -> dict[AlertCode, Severity]:
    return {
        a.code: a.severity
        for a in assess(history, as_of=as_of).alerts
        if a.code in HYPOCALCAEMIA_CODES
    }


@given(
    histories(),
    as_of_dates,
    st.sampled_from(sorted(PARENTERAL_DRUGS)),
    st.integers(0, 400),
    st.data(),
)
def test_stopping_a_parenteral_course_keeps_its_hypocalcaemia_alerts_while_the_dose_acts(
    history: History, as_of: dt.date, drug: BoneTherapyDrug, days_ago: int, data: st.DataObject
) -> None:
    """Stopped on or after its last dose, a course raises what it raised while active for 6
    months after that dose, and nothing after them (the spec is silent; conservative reading)."""
    last = as_of - dt.timedelta(days=days_ago)
    stop = data.draw(st.dates(min_value=last, max_value=as_of), label="stop")
    active = BoneTherapyCourse(drug=drug, start_date=last, doses=(last,))
    stopped = dataclasses.replace(active, stop_date=stop)
    with_active = dataclasses.replace(history, bone_therapy=(*history.bone_therapy, active))
    with_stopped = dataclasses.replace(history, bone_therapy=(*history.bone_therapy, stopped))
    if within_months_before(last, 6, as_of):
        assert _hypocalcaemia_alerts(with_stopped, as_of) == _hypocalcaemia_alerts(
            with_active, as_of
        )
    else:
        assert _hypocalcaemia_alerts(with_stopped, as_of) == _hypocalcaemia_alerts(history, as_of)
