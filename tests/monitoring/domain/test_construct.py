"""The fast builders of `construct.py` make exactly what the dataclass constructors make."""

from __future__ import annotations

import datetime as dt
import inspect
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest

from monitoring.domain import (
    Alert,
    AlertCode,
    Assessment,
    BmdChange,
    Projection,
    ProjectionBasis,
    Recommendation,
    RecommendationCode,
    RiskCategory,
    RiskFactor,
    RuleId,
    ScheduleEntry,
    ScheduleItem,
    Severity,
    Site,
    WhoCategory,
    construct,
)
from monitoring.domain.types import LowestTScore

DAY = dt.date(2025, 6, 1)


def _same(built: object, expected: object) -> None:
    assert type(built) is type(expected)
    assert built == expected
    assert repr(built) == repr(expected)
    assert hash(built) == hash(expected)
    assert pickle.loads(pickle.dumps(built)) == expected  # noqa: S301 - our own bytes


def test_builders_match_constructors() -> None:
    alert = construct.alert(
        code=AlertCode.DEXA_OVERDUE,
        severity=Severity.WARNING,
        message="m",
        rules=(RuleId.PROJ,),
        sources=("s",),
    )
    _same(
        alert,
        Alert(
            code=AlertCode.DEXA_OVERDUE,
            severity=Severity.WARNING,
            message="m",
            rules=(RuleId.PROJ,),
            sources=("s",),
        ),
    )
    recommendation = construct.recommendation(
        code=RecommendationCode.LIFESTYLE, message="m", rules=(), sources=(), due=DAY
    )
    _same(
        recommendation,
        Recommendation(
            code=RecommendationCode.LIFESTYLE, message="m", rules=(), sources=(), due=DAY
        ),
    )
    change = construct.bmd_change(
        site=Site.TOTAL_HIP, from_date=DAY, to_date=DAY, same_scanner=False
    )
    _same(change, BmdChange(site=Site.TOTAL_HIP, from_date=DAY, to_date=DAY, same_scanner=False))
    projection = construct.projection(
        site=Site.FEMORAL_NECK,
        basis=ProjectionBasis.ATAC_MEDIAN,
        crosses_minus_2_0_on=DAY,
        crosses_minus_2_5_on=None,
    )
    _same(
        projection,
        Projection(
            site=Site.FEMORAL_NECK,
            basis=ProjectionBasis.ATAC_MEDIAN,
            crosses_minus_2_0_on=DAY,
            crosses_minus_2_5_on=None,
        ),
    )
    entry = construct.schedule_entry(item=ScheduleItem.DEXA, due=DAY)
    _same(entry, ScheduleEntry(item=ScheduleItem.DEXA, due=DAY))
    lowest = construct.lowest_t_score(site=Site.LUMBAR_SPINE, value=Decimal("-2.1"), date=DAY)
    _same(lowest, LowestTScore(site=Site.LUMBAR_SPINE, value=Decimal("-2.1"), date=DAY))
    fields = {
        "as_of": DAY,
        "who_category": WhoCategory.OSTEOPENIA,
        "lowest_t_score": lowest,
        "risk_category": RiskCategory.MODERATE,
        "risk_factors": (RiskFactor.SMOKING,),
        "therapy_indicated": False,
        "therapy_triggers": (),
        "next_dexa_due": DAY,
        "computed_next_dexa_due": DAY,
        "bmd_changes": (change,),
        "projections": (projection,),
        "btm_response": None,
        "alerts": (alert,),
        "recommendations": (recommendation,),
        "schedule": (entry,),
    }
    _same(construct.assessment(**fields), Assessment(**fields))


@pytest.mark.parametrize(
    ("builder", "cls"),
    [
        (construct.alert, Alert),
        (construct.recommendation, Recommendation),
        (construct.bmd_change, BmdChange),
        (construct.projection, Projection),
        (construct.schedule_entry, ScheduleEntry),
        (construct.lowest_t_score, LowestTScore),
        (construct.assessment, Assessment),
    ],
)
def test_builders_take_the_constructors_arguments(
    builder: Callable[..., object], cls: type
) -> None:
    """Same keyword-only names, order and defaults as the class: a call reads like the class's."""

    def arguments(signature: inspect.Signature) -> list[tuple[str, object, object]]:
        return [(p.name, p.kind, p.default) for p in signature.parameters.values()]

    assert arguments(inspect.signature(builder)) == arguments(inspect.signature(cls))


def test_builder_field_list_must_match_the_dataclass() -> None:
    @dataclass(frozen=True, slots=True)
    class Pair:
        first: int
        second: int

    assert len(construct._slot_setters(Pair, "first", "second")) == 2
    with pytest.raises(TypeError, match="has"):
        construct._slot_setters(Pair, "first")
