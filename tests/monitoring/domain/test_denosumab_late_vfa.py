"""phys14 #8: a denosumab injection recorded more than 112 days late cleared the critical rebound
alert and nothing suggested looking for vertebral fractures. DMAB-LATE-VFA recommends a vertebral
fracture assessment after such an injection, until a scan records a VFA reading since it or a
fracture dated since it is on file (the conservative reading; Lyu 2020, ECTS 2021)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.domain import (
    AlertCode,
    Assessment,
    BoneTherapyDrug,
    DexaScan,
    Recommendation,
    RecommendationCode,
    RiskFactors,
    RuleId,
    Site,
    SiteMeasurement,
    VertebralFractureAssessment,
    assess,
)
from monitoring.domain.dates import add_months
from monitoring.domain.thresholds import DENOSUMAB_OVERDUE_MAX_DAYS_LATE

from .builders import d, history, patient, therapy

DMAB = BoneTherapyDrug.DENOSUMAB
ZOL = BoneTherapyDrug.ZOLEDRONIC_ACID
ALN = BoneTherapyDrug.ALENDRONATE
VFA = RecommendationCode.VERTEBRAL_FRACTURE_ASSESSMENT
FIRST = "2025-01-10"  # the next is due 2025-07-10
DUE = d("2025-07-10")


def _late(days: int) -> str:
    return (DUE + dt.timedelta(days=days)).isoformat()


def _scan(date: str, vfa: VertebralFractureAssessment | None) -> DexaScan:
    return DexaScan(
        date=d(date),
        scanner="S1",
        sites={Site.LUMBAR_SPINE: SiteMeasurement(bmd=Decimal("0.900"), t_score=Decimal("-1.5"))},
        vertebral_fracture_assessment=vfa,
    )


def _assess(
    *,
    doses: tuple[str, ...],
    as_of: str = "2026-01-15",
    courses: tuple[Any, ...] = (),
    **extra: Any,
) -> Assessment:
    h = history(bone_therapy=(therapy(DMAB, FIRST, doses=doses), *courses), **extra)
    return assess(h, as_of=d(as_of))


def _recs(**kwargs: Any) -> dict[RecommendationCode, Recommendation]:
    return {r.code: r for r in _assess(**kwargs).recommendations}


@pytest.mark.parametrize(
    ("late", "recommended"),
    [(DENOSUMAB_OVERDUE_MAX_DAYS_LATE, False), (DENOSUMAB_OVERDUE_MAX_DAYS_LATE + 1, True)],
)
def test_an_injection_more_than_112_days_late_asks_for_a_vfa(late: int, recommended: bool) -> None:
    recs = _recs(doses=(FIRST, _late(late)))
    assert (VFA in recs) is recommended
    if recommended:
        rec = recs[VFA]
        assert rec.rules == (RuleId.DMAB_LATE_VFA,)
        assert set(rec.sources) == {"Lyu 2020", "ECTS 2021", "design choice"}
        assert rec.message == (
            f"Denosumab was given 113 days late on {_late(113)} (due 2025-07-10; more than 112 "
            "days): vertebral fractures from the rebound are often silent; arrange a vertebral "
            "fracture assessment (VFA with the DEXA, or a spine X-ray)."
        )


def test_while_the_injection_is_still_late_the_critical_alert_speaks_alone() -> None:
    """Vignette 25's state: no injection since; the rebound alert, not this advice."""
    result = _assess(doses=(FIRST,), as_of=_late(150))
    assert VFA not in {r.code for r in result.recommendations}
    assert AlertCode.DENOSUMAB_REBOUND_RISK in {a.code for a in result.alerts}


@pytest.mark.parametrize(
    ("scan_on", "reading", "recommended"),
    [
        (_late(130), VertebralFractureAssessment.NO_FRACTURE, False),  # read since: done
        (_late(130), VertebralFractureAssessment.FRACTURE, False),  # a fracture: therapy rules
        (_late(100), VertebralFractureAssessment.NO_FRACTURE, True),  # before the injection
        (_late(130), VertebralFractureAssessment.INDETERMINATE, True),  # asks for the X-ray
        (_late(130), None, True),  # a scan without a VFA
    ],
)
def test_a_vfa_read_since_the_injection_ends_it(
    scan_on: str, reading: VertebralFractureAssessment | None, recommended: bool
) -> None:
    recs = _recs(doses=(FIRST, _late(120)), dexa_scans=(_scan(scan_on, reading),))
    assert (VFA in recs) is recommended
    if reading is VertebralFractureAssessment.INDETERMINATE:
        assert f"the VFA of {scan_on} was indeterminate: arrange a spine X-ray" in recs[VFA].message


def test_a_fracture_recorded_since_ends_it() -> None:
    record = patient(
        risk_factors=RiskFactors(prior_fragility_fracture=True, prior_fracture_date=d(_late(125)))
    )
    recs = _recs(doses=(FIRST, _late(120)), patient=record)
    assert VFA not in recs


def test_a_bisphosphonate_within_the_gap_is_no_rebound_window() -> None:
    follow_on = therapy(ZOL, "2025-07-20", stop="2025-07-20", doses=("2025-07-20",))
    recs = _recs(doses=(FIRST, "2026-01-05"), courses=(follow_on,))
    assert VFA not in recs
    tablets = therapy(ALN, "2025-08-01", stop="2025-12-20")
    assert VFA not in _recs(doses=(FIRST, "2026-01-05"), courses=(tablets,))


def test_a_restart_after_a_lapse_counts_as_a_late_injection() -> None:
    h = history(
        bone_therapy=(
            therapy(DMAB, FIRST, stop="2025-07-10", doses=(FIRST,)),
            therapy(DMAB, "2025-12-01"),  # its start counts as its first injection
        )
    )
    recs = {r.code: r for r in assess(h, as_of=d("2026-01-15")).recommendations}
    assert "given 144 days late on 2025-12-01" in recs[VFA].message


# --- Invariant: the advice stands exactly when an injection was more than 112 days late ---------


@settings(max_examples=150, deadline=None)
@given(gaps=st.lists(st.integers(150, 400), min_size=1, max_size=5))
def test_advised_exactly_when_some_injection_came_more_than_112_days_late(
    gaps: list[int],
) -> None:
    doses = [d(FIRST)]
    for gap in gaps:
        doses.append(doses[-1] + dt.timedelta(days=gap))
    late = any(
        (after - add_months(before, 6)).days > DENOSUMAB_OVERDUE_MAX_DAYS_LATE
        for before, after in pairwise(doses)
    )
    h = history(bone_therapy=(therapy(DMAB, FIRST, doses=tuple(x.isoformat() for x in doses)),))
    codes = {r.code for r in assess(h, as_of=doses[-1]).recommendations}
    assert (VFA in codes) is late
