"""Hypothesis strategies for valid histories (as the parser would accept them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from monitoring.domain import (
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
    VertebralFractureAssessment,
)

FIRST = dt.date(2015, 1, 1)
LAST = dt.date(2026, 12, 31)

dates = st.dates(min_value=FIRST, max_value=LAST)
as_of_dates = st.dates(min_value=dt.date(2018, 1, 1), max_value=LAST)


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(low), max_value=Decimal(high), places=places, allow_nan=False
    )


risk_factors = st.builds(
    RiskFactors,
    prior_fragility_fracture=st.booleans(),
    prior_fracture_date=st.none() | dates,
    parent_hip_fracture=st.booleans(),
    smoking=st.sampled_from(Smoking),
    alcohol_3_or_more_units_daily=st.booleans(),
    oral_glucocorticoid_months=decimals("0", "24", 0),
    rheumatoid_arthritis=st.booleans(),
    secondary_osteoporosis=st.booleans(),
)

patients = st.builds(
    Patient,
    mrn=st.just("H1"),
    sex=st.sampled_from(Sex),
    birth_date=st.dates(min_value=dt.date(1935, 1, 1), max_value=dt.date(1990, 12, 31)),
    menopausal_status=st.none() | st.sampled_from(MenopausalStatus),
    height_cm=st.none() | decimals("140", "190", 1),
    weight_kg=st.none() | decimals("40", "110", 1),
    risk_factors=risk_factors,
)


@st.composite
def courses_dates(draw: st.DrawFn) -> tuple[dt.date | None, dt.date | None]:
    start = draw(st.none() | dates)
    stop = draw(st.none() | dates)
    if start is not None and stop is not None and stop < start:
        start, stop = stop, start
    return start, stop


@st.composite
def ai_courses(draw: st.DrawFn) -> AromataseInhibitorCourse:
    start, stop = draw(courses_dates())
    return AromataseInhibitorCourse(
        drug=draw(st.sampled_from(AromataseInhibitor)),
        start_date=start,
        stop_date=stop,
        planned_duration_months=draw(st.none() | st.integers(1, 240)),
    )


@st.composite
def therapies(draw: st.DrawFn) -> BoneTherapyCourse:
    start, stop = draw(courses_dates())
    doses: tuple[dt.date, ...] = ()
    drug = draw(st.sampled_from(BoneTherapyDrug))
    if start is not None and drug in (BoneTherapyDrug.DENOSUMAB, BoneTherapyDrug.ZOLEDRONIC_ACID):
        offsets = draw(st.lists(st.integers(0, 2500), max_size=6, unique=True))
        doses = tuple(sorted(start + dt.timedelta(days=o) for o in offsets))
    return BoneTherapyCourse(
        drug=drug,
        start_date=start,
        stop_date=stop,
        doses=doses,
        dental_review_date=draw(st.none() | dates),
    )


measurements = st.builds(
    SiteMeasurement,
    bmd=decimals("0.4", "1.4", 3),
    t_score=decimals("-4.5", "2.0", 1),
    z_score=st.none() | decimals("-4", "2", 1),
)


@st.composite
def scans(draw: st.DrawFn) -> tuple[DexaScan, ...]:
    scan_dates = draw(st.lists(dates, max_size=4, unique=True))
    result = []
    for day in sorted(scan_dates):
        sites = draw(st.lists(st.sampled_from(Site), min_size=1, max_size=4, unique=True))
        result.append(
            DexaScan(
                date=day,
                scanner=draw(st.sampled_from(["S1", "S1", "S2"])),
                sites={site: draw(measurements) for site in sites},
                vertebral_fracture_assessment=draw(
                    st.none() | st.sampled_from(VertebralFractureAssessment)
                ),
            )
        )
    return tuple(result)


_LAB_VALUES = {
    Analyte.CTX: ("0.05", "1.5"),
    Analyte.P1NP: ("10", "150"),
    Analyte.BSAP: ("5", "40"),
    Analyte.UNTX: ("10", "100"),
    Analyte.VITAMIN_D_25OH: ("5", "60"),
    Analyte.CALCIUM: ("1.9", "2.7"),
    Analyte.EGFR: ("15", "120"),
    Analyte.CRCL: ("15", "120"),
    Analyte.CREATININE: ("40", "300"),
}


@st.composite
def labs(draw: st.DrawFn) -> LabResult:
    analyte = draw(st.sampled_from(Analyte))
    low, high = _LAB_VALUES[analyte]
    return LabResult(
        date=draw(dates),
        analyte=analyte,
        value=draw(decimals(low, high, 2)),
        fasting=draw(st.booleans()),
    )


frax_results = st.builds(
    FraxResult,
    date=dates,
    major_osteoporotic_pct=decimals("1", "40", 1),
    hip_pct=decimals("0", "10", 1),
    with_bmd=st.booleans(),
)

scanner_studies = st.dictionaries(
    st.sampled_from(["S1", "S2"]),
    st.builds(
        Scanner,
        lsc=st.dictionaries(st.sampled_from(Site), decimals("0.010", "0.050", 3), max_size=4),
    ),
    max_size=2,
)


@st.composite
def histories(draw: st.DrawFn) -> History:
    return History(
        patient=draw(patients),
        aromatase_inhibitors=tuple(draw(st.lists(ai_courses(), max_size=2))),
        scanners=draw(scanner_studies),
        dexa_scans=draw(scans()),
        labs=tuple(draw(st.lists(labs(), max_size=8))),
        frax=tuple(draw(st.lists(frax_results, max_size=2))),
        bone_therapy=tuple(draw(st.lists(therapies(), max_size=2))),
        plan=draw(st.none() | st.builds(Plan, next_dexa_due=dates, set_on=st.none() | dates)),
    )
