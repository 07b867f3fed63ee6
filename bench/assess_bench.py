"""Benchmark `assess` on 10,000 generated histories (5 scans, 20 labs, an AI, maybe a therapy).

Run from the repository root:  python bench/assess_bench.py [--count N] [--runs R] [--profile]
Histories are built as dataclasses up front (deterministic seed); only `assess` is timed.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
    Patient,
    RiskFactors,
    Sex,
    Site,
    SiteMeasurement,
    Smoking,
    assess,
)

AS_OF = dt.date(2025, 6, 1)
LAB_RANGES = {
    Analyte.VITAMIN_D_25OH: (10, 50),
    Analyte.CALCIUM: (2.0, 2.6),
    Analyte.EGFR: (25, 100),
    Analyte.CRCL: (25, 100),
    Analyte.CTX: (0.1, 0.9),
    Analyte.P1NP: (20, 90),
}


def _decimal(rng: random.Random, low: float, high: float, places: int) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.{places}f}")


def make_history(rng: random.Random) -> History:
    """Build one valid history: 5 scans, 20 labs, an AI course and maybe a bone therapy."""
    ai_start = AS_OF - dt.timedelta(days=rng.randint(30, 2500))
    first_scan = ai_start + dt.timedelta(days=rng.randint(0, 60))
    scans = []
    bmd = {site: rng.uniform(0.6, 1.1) for site in Site}
    t_score = {site: rng.uniform(-3.0, 0.5) for site in Site}
    day = first_scan
    for i in range(5):
        if i:
            day += dt.timedelta(days=rng.randint(150, 400))
        scans.append(
            DexaScan(
                date=day,
                scanner=rng.choice(("S1", "S1", "S1", "S2")),
                sites={
                    site: SiteMeasurement(
                        bmd=Decimal(f"{bmd[site] - i * rng.uniform(-0.01, 0.03):.3f}"),
                        t_score=Decimal(f"{t_score[site] - i * rng.uniform(-0.1, 0.3):.1f}"),
                    )
                    for site in (Site.LUMBAR_SPINE, Site.TOTAL_HIP, Site.FEMORAL_NECK)
                },
            )
        )
    labs = []
    analytes = list(LAB_RANGES)
    for _ in range(20):
        analyte = rng.choice(analytes)
        low, high = LAB_RANGES[analyte]
        labs.append(
            LabResult(
                date=ai_start + dt.timedelta(days=rng.randint(-90, 2000)),
                analyte=analyte,
                value=_decimal(rng, low, high, 2),
                fasting=rng.random() < 0.7,
            )
        )
    therapies = []
    if rng.random() < 0.6:
        drug = rng.choice(list(BoneTherapyDrug))
        start = ai_start + dt.timedelta(days=rng.randint(0, 700))
        doses: tuple[dt.date, ...] = ()
        if drug in (BoneTherapyDrug.DENOSUMAB, BoneTherapyDrug.ZOLEDRONIC_ACID):
            doses = tuple(start + dt.timedelta(days=182 * k) for k in range(rng.randint(1, 6)))
        therapies.append(
            BoneTherapyCourse(
                drug=drug,
                start_date=start,
                stop_date=start + dt.timedelta(days=900) if rng.random() < 0.2 else None,
                doses=doses,
                dental_review_date=start if rng.random() < 0.8 else None,
            )
        )
    return History(
        patient=Patient(
            mrn=f"B{rng.randint(0, 10**6)}",
            sex=Sex.F,
            birth_date=dt.date(rng.randint(1940, 1975), rng.randint(1, 12), rng.randint(1, 28)),
            height_cm=_decimal(rng, 150, 180, 1),
            weight_kg=_decimal(rng, 45, 95, 1),
            risk_factors=RiskFactors(
                prior_fragility_fracture=rng.random() < 0.1,
                parent_hip_fracture=rng.random() < 0.1,
                smoking=rng.choice(list(Smoking)),
            ),
        ),
        aromatase_inhibitors=(
            AromataseInhibitorCourse(
                drug=rng.choice(list(AromataseInhibitor)), start_date=ai_start
            ),
        ),
        dexa_scans=tuple(scans),
        labs=tuple(labs),
        frax=(
            FraxResult(
                date=first_scan,
                major_osteoporotic_pct=_decimal(rng, 3, 25, 1),
                hip_pct=_decimal(rng, 0.2, 4, 1),
                with_bmd=True,
            ),
        )
        if rng.random() < 0.5
        else (),
        bone_therapy=tuple(therapies),
    )


def run_once(histories: list[History]) -> float:
    """Assess every history once; return histories per second."""
    start = time.perf_counter()
    for history in histories:
        assess(history, as_of=AS_OF)
    return len(histories) / (time.perf_counter() - start)


def baseline() -> float:
    """Time a fixed pure-Python workload (runs/s), to tell a slow machine from slow code."""
    start = time.perf_counter()
    total = 0
    for i in range(300_000):
        total += i * i % 7
    return 1 / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--profile", action="store_true", help="profile one run with cProfile")
    args = parser.parse_args()

    rng = random.Random(args.seed)  # reproducible test data (S311 is off for bench/)
    histories = [make_history(rng) for _ in range(args.count)]
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(run_once, histories)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    rates = []
    baselines = []
    for _ in range(args.runs):
        baselines.append(baseline())
        rates.append(run_once(histories))
    print(
        f"{args.count} histories x {args.runs} runs: median {statistics.median(rates):,.0f} "
        f"histories/s (min {min(rates):,.0f}, max {max(rates):,.0f}); baseline loop median "
        f"{statistics.median(baselines):.1f} runs/s"
    )


if __name__ == "__main__":
    main()
