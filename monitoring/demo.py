"""Synthetic clinical data for demo patients: scanners, DEXA scans, labs, FRAX and therapy.

Bone loss follows the ATAC figures of rule PROJ (anastrozole: about 2 %/yr lumbar spine and
1.45 %/yr hip), with a minority of rapid losers, a minority gaining on bone-protective therapy, and
the irregularities clinics really see (a missed baseline, a changed scanner, a late denosumab dose,
a stopped denosumab without follow-on, low vitamin D), so the demo shows every kind of alert.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    FraxResult,
    LabResult,
    MonitoringPlan,
    Scanner,
    Supplements,
)
from monitoring.models.labs import canonical_value
from patients.models import Patient

# Young-adult reference mean and SD per site (g/cm²), so that BMD and T-score agree.
REFERENCE = {
    "lumbar_spine": (Decimal("1.047"), Decimal("0.110")),
    "total_hip": (Decimal("0.942"), Decimal("0.120")),
    "femoral_neck": (Decimal("0.858"), Decimal("0.120")),
}
# ATAC median annual loss on anastrozole (docs/clinical-rules.md, PROJ).
ATAC_LOSS_PER_YEAR = {"lumbar_spine": 0.020, "total_hip": 0.0145, "femoral_neck": 0.0145}
THOUSANDTH = Decimal("0.001")
TENTH = Decimal("0.1")


def demo_scanners(sites: Sequence[Site]) -> dict[int, list[Scanner]]:
    """Two scanners per site: one with a precision study, one using the default LSC."""
    scanners: dict[int, list[Scanner]] = {}
    for site in sites:
        first, _ = Scanner.objects.get_or_create(
            site=site,
            name="Hologic Horizon A, room 2",
            defaults={
                "manufacturer": "Hologic",
                "model": "Horizon A",
                "lsc_lumbar_spine": Decimal("0.028"),
                "lsc_total_hip": Decimal("0.022"),
                "lsc_femoral_neck": Decimal("0.033"),
            },
        )
        second, _ = Scanner.objects.get_or_create(
            site=site, name="GE Lunar iDXA", defaults={"manufacturer": "GE", "model": "Lunar iDXA"}
        )
        scanners[site.pk] = [first, second]
    return scanners


@dataclass
class _Batch:
    scans: list[DexaScan] = field(default_factory=list)
    measurements: list[tuple[DexaScan, str, Decimal, Decimal]] = field(default_factory=list)
    labs: list[LabResult] = field(default_factory=list)
    frax: list[FraxResult] = field(default_factory=list)
    courses: list[BoneTherapyCourse] = field(default_factory=list)
    doses: list[tuple[BoneTherapyCourse, date]] = field(default_factory=list)
    supplements: list[Supplements] = field(default_factory=list)
    plans: list[MonitoringPlan] = field(default_factory=list)


def _bmd_for(site: str, t_score: float) -> Decimal:
    mean, sd = REFERENCE[site]
    return (mean + sd * Decimal(str(round(t_score, 2)))).quantize(THOUSANDTH)


def _t_for(site: str, bmd: Decimal) -> Decimal:
    mean, sd = REFERENCE[site]
    return ((bmd - mean) / sd).quantize(TENTH)


def _lab(
    patient: Patient, day: date, analyte: str, value: float, unit: str, *, fasting: bool = False
) -> LabResult:
    entered = Decimal(str(round(value, 2)))
    return LabResult(
        patient=patient,
        sample_date=day,
        analyte=analyte,
        value=canonical_value(analyte, entered, unit),
        entered_value=entered,
        entered_unit=unit,
        fasting=fasting,
    )


class _PatientStory:
    """Generate one patient's records from their AI start to today."""

    def __init__(
        self,
        rng: random.Random,
        patient: Patient,
        scanners: list[Scanner],
        today: date,
        physician: User | None,
        scan_density: float = 1.0,
    ) -> None:
        self.rng = rng
        self.scan_density = scan_density
        self.patient = patient
        self.scanners = scanners
        self.today = today
        self.physician = physician
        courses = getattr(patient, "demo_courses", [])
        starts = [c.start_date for c in courses if c.start_date]
        self.ai_start = min(starts) if starts else None

    def build(self, batch: _Batch) -> None:
        rng, patient = self.rng, self.patient
        if self.ai_start is None or self.ai_start > self.today:
            return  # planned AI: baseline scan due
        self._labs(batch)
        if rng.random() < 0.12:
            return  # baseline scan missed: BASELINE_DEXA_MISSING / DUE
        base_t = {
            "lumbar_spine": rng.gauss(-1.0, 1.0),
            "total_hip": rng.gauss(-0.7, 0.8),
            "femoral_neck": rng.gauss(-1.2, 0.8),
        }
        bmd = {site: _bmd_for(site, min(max(t, -4.0), 2.5)) for site, t in base_t.items()}
        day = self.ai_start - timedelta(days=rng.randint(0, 40))
        rapid = rng.random() < 0.08
        therapy = self._therapy(batch, base_t)
        scanner = self.scanners[0] if rng.random() < 0.7 else self.scanners[1]
        while day <= self.today:
            scan = DexaScan(
                patient=patient,
                scan_date=day,
                scanner=scanner,
                reviewed_at=None,
                reviewed_by=None,
            )
            if self.physician is not None and (self.today - day).days > 60:
                scan.reviewed_by = self.physician
                scan.reviewed_at = timezone.now()
            batch.scans.append(scan)
            for site, value in bmd.items():
                batch.measurements.append((scan, site, value, _t_for(site, value)))
            interval = rng.choice([365, 400, 540, 730])
            if self.scan_density != 1.0:
                interval = max(30, round(interval / self.scan_density))
            next_day = day + timedelta(days=interval)
            years = interval / 365.25
            for site in bmd:
                if therapy is not None and therapy.start_date and therapy.start_date <= next_day:
                    rate = -rng.uniform(0.005, 0.02)  # antiresorptive: a small gain
                elif rapid:
                    rate = rng.uniform(0.05, 0.08)
                else:
                    rate = max(0.0, rng.gauss(ATAC_LOSS_PER_YEAR[site], 0.008))
                loss = Decimal(str(round(1 - rate * years, 4)))
                bmd[site] = max(Decimal("0.250"), (bmd[site] * loss).quantize(THOUSANDTH))
            if rng.random() < 0.08:
                scanner = self.scanners[1] if scanner == self.scanners[0] else self.scanners[0]
            day = next_day
        if rng.random() < 0.5:
            frax_day = self.ai_start + timedelta(days=rng.randint(0, 60))
            if frax_day <= self.today:
                major = Decimal(str(round(rng.uniform(4, 26), 1)))
                hip = min(major, Decimal(str(round(rng.uniform(0.3, 5.0), 1))))
                batch.frax.append(
                    FraxResult(
                        patient=patient,
                        assessed_on=frax_day,
                        major_osteoporotic_pct=major,
                        hip_pct=hip,
                        with_bmd=True,
                    )
                )
        if rng.random() < 0.03:
            batch.plans.append(
                MonitoringPlan(
                    patient=patient,
                    next_dexa_due=self.today + timedelta(days=rng.randint(20, 200)),
                    reason="scan booked with the bone clinic",
                    set_by=self.physician,
                )
            )

    def _labs(self, batch: _Batch) -> None:
        rng, patient = self.rng, self.patient
        assert self.ai_start is not None  # noqa: S101  (checked by build)
        day = self.ai_start
        while day <= self.today:
            if rng.random() < 0.3:
                batch.labs.append(
                    _lab(patient, day, "vitamin_d_25oh", rng.uniform(20, 200), "nmol/L")
                )
            else:
                batch.labs.append(
                    _lab(patient, day, "vitamin_d_25oh", max(4.0, rng.gauss(29, 10)), "ng/mL")
                )
            batch.labs.append(_lab(patient, day, "calcium", rng.gauss(2.35, 0.09), "mmol/L"))
            batch.labs.append(
                _lab(
                    patient, day, "egfr", min(120.0, max(15.0, rng.gauss(78, 18))), "mL/min/1.73m2"
                )
            )
            batch.labs.append(_lab(patient, day, "creatinine", rng.gauss(70, 12), "µmol/L"))
            day += timedelta(days=rng.choice([180, 365, 365]))
        supplements = rng.random()
        if supplements < 0.7:
            batch.supplements.append(
                Supplements(patient=patient, calcium=supplements < 0.6, vitamin_d=True)
            )

    def _therapy(self, batch: _Batch, base_t: dict[str, float]) -> BoneTherapyCourse | None:
        rng, patient = self.rng, self.patient
        assert self.ai_start is not None  # noqa: S101  (checked by build)
        indicated = min(base_t.values()) < -2.0 or patient.prior_fragility_fracture
        if not indicated or rng.random() < 0.3:
            return None
        start = self.ai_start + timedelta(days=rng.randint(20, 120))
        if start > self.today:
            start = self.today - timedelta(days=rng.randint(0, 20))
        drug = rng.choices(["denosumab", "zoledronic_acid", "alendronate"], weights=[5, 3, 2])[0]
        course = BoneTherapyCourse(
            patient=patient,
            drug=drug,
            dose={
                "denosumab": "60 mg every 6 months",
                "zoledronic_acid": "4 mg every 6 months",
                "alendronate": "70 mg weekly",
            }[drug],
            start_date=start,
            dental_review_date=start - timedelta(days=rng.randint(7, 40))
            if rng.random() < 0.85
            else None,
        )
        if drug in {"denosumab", "zoledronic_acid"}:
            # Most doses on time; some 40 or 150 days late (DENOSUMAB_OVERDUE, _REBOUND_RISK).
            lateness = rng.choices([0, 40, 150], weights=[8, 1, 1])[0]
            day = start
            while day <= self.today:
                if lateness and day > self.today - timedelta(days=183 + lateness):
                    break
                batch.doses.append((course, day))
                day += timedelta(days=182 + rng.randint(-5, 10))
            if drug == "denosumab" and rng.random() < 0.1:
                course.stop_date = min(self.today, day)
                course.stop_reason = "patient preference"
        # Bone turnover markers around the start, for a response check.
        if rng.random() < 0.5:
            baseline_ctx = rng.uniform(0.3, 0.7)
            batch.labs.append(
                _lab(
                    patient, start - timedelta(days=10), "ctx", baseline_ctx, "ng/mL", fasting=True
                )
            )
            batch.labs.append(
                _lab(patient, start - timedelta(days=10), "p1np", rng.uniform(40, 80), "µg/L")
            )
            follow = start + timedelta(days=rng.randint(80, 120))
            if follow <= self.today:
                fall = rng.uniform(0.2, 0.8)
                batch.labs.append(
                    _lab(patient, follow, "ctx", baseline_ctx * (1 - fall), "ng/mL", fasting=True)
                )
        batch.courses.append(course)
        return course


def _dedupe_labs(labs: list[LabResult]) -> list[LabResult]:
    seen: set[tuple[int, date, str]] = set()
    unique = []
    for lab in labs:
        key = (lab.patient_id, lab.sample_date, lab.analyte)
        if key not in seen:
            seen.add(key)
            unique.append(lab)
    return unique


def demo_clinical_data_create(
    *,
    patients: Sequence[Patient],
    sites: Sequence[Site],
    today: date,
    seed: int = 2026,
    progress: Callable[[int], None] = lambda n: None,
    batch_size: int = 1000,
    scan_density: float = 1.0,
) -> dict[str, int]:
    """Create scans, labs, FRAX, therapy and plans for new demo patients; return counts.

    `scan_density` > 1 scans more often than clinics do (the benchmark's larger histories).
    """
    scanners = demo_scanners(sites)
    physician = User.objects.filter(username="physician").first()
    counts = {"scans": 0, "labs": 0, "frax": 0, "therapy": 0, "doses": 0}
    for start in range(0, len(patients), batch_size):
        chunk = patients[start : start + batch_size]
        batch = _Batch()
        for patient in chunk:
            rng = random.Random(f"{seed}-{patient.mrn}")
            _PatientStory(
                rng, patient, scanners[patient.site_id], today, physician, scan_density
            ).build(batch)
        with transaction.atomic():
            DexaScan.objects.bulk_create(batch.scans)
            DexaMeasurement.objects.bulk_create(
                DexaMeasurement(scan=scan, site=site, bmd=bmd, t_score=t)
                for scan, site, bmd, t in batch.measurements
            )
            LabResult.objects.bulk_create(_dedupe_labs(batch.labs))
            FraxResult.objects.bulk_create(batch.frax)
            BoneTherapyCourse.objects.bulk_create(batch.courses)
            BoneTherapyDose.objects.bulk_create(
                BoneTherapyDose(course=course, given_on=day) for course, day in batch.doses
            )
            Supplements.objects.bulk_create(batch.supplements)
            MonitoringPlan.objects.bulk_create(batch.plans)
        counts["scans"] += len(batch.scans)
        counts["labs"] += len(batch.labs)
        counts["frax"] += len(batch.frax)
        counts["therapy"] += len(batch.courses)
        counts["doses"] += len(batch.doses)
        progress(len(chunk))
    return counts


def _d(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


def showcase_histories(today: date) -> list[dict[str, object]]:
    """Hand-made patients (history-format.md) that raise the alerts random data rarely reaches.

    Dates are relative to `today` so the demo looks the same whenever it is seeded.
    """

    def patient(mrn: str, name: str, **extra: object) -> dict[str, object]:
        return {
            "mrn": mrn,
            "name": name,
            "sex": "F",
            "birth_date": _d(today, -62 * 365),
            "height_cm": 163,
            "weight_kg": 64,
            **extra,
        }

    def ai(days_ago: int) -> list[dict[str, object]]:
        return [
            {
                "drug": "anastrozole",
                "start_date": _d(today, -days_ago),
                "planned_duration_months": 60,
            }
        ]

    def scan(days_ago: int, t: float) -> dict[str, object]:
        return {
            "date": _d(today, -days_ago),
            "scanner": "Hologic Horizon A, room 2",
            "sites": {
                "lumbar_spine": {"bmd": round(1.047 + 0.110 * t, 3), "t_score": t},
                "total_hip": {
                    "bmd": round(0.942 + 0.120 * (t + 0.3), 3),
                    "t_score": round(t + 0.3, 1),
                },
                "femoral_neck": {
                    "bmd": round(0.858 + 0.120 * (t + 0.1), 3),
                    "t_score": round(t + 0.1, 1),
                },
            },
        }

    def lab(
        days_ago: int, analyte: str, value: float, unit: str, **extra: object
    ) -> dict[str, object]:
        return {
            "date": _d(today, -days_ago),
            "analyte": analyte,
            "value": value,
            "unit": unit,
            **extra,
        }

    routine = [
        lab(30, "vitamin_d_25oh", 34, "ng/mL"),
        lab(30, "calcium", 2.36, "mmol/L"),
        lab(30, "egfr", 78, "mL/min/1.73m2"),
    ]

    def denosumab(start_ago: int, doses_ago: list[int], **extra: object) -> dict[str, object]:
        return {
            "drug": "denosumab",
            "dose": "60 mg every 6 months",
            "start_date": _d(today, -start_ago),
            "doses": [_d(today, -d) for d in doses_ago],
            "dental_review_date": _d(today, -start_ago - 20),
            **extra,
        }

    return [
        {  # DENOSUMAB_DUE: the 6-monthly dose fell due 10 days ago.
            "patient": patient("SHOW-01", "Demo Denosumab Due"),
            "aromatase_inhibitors": ai(900),
            "dexa_scans": [scan(850, -2.6)],
            "labs": routine,
            "bone_therapy": [denosumab(830, [830, 648, 466, 193])],
        },
        {  # DENOSUMAB_OVERDUE: 60 days late.
            "patient": patient("SHOW-02", "Demo Denosumab Overdue"),
            "aromatase_inhibitors": ai(900),
            "dexa_scans": [scan(850, -2.7)],
            "labs": routine,
            "bone_therapy": [denosumab(830, [830, 648, 243])],
        },
        {  # HYPOCALCEMIA before denosumab is given; HYPOCALCEMIA_RISK_RENAL with eGFR 25.
            "patient": patient("SHOW-03", "Demo Low Calcium Low eGFR"),
            "aromatase_inhibitors": ai(200),
            "dexa_scans": [scan(190, -2.8)],
            "labs": [
                lab(14, "vitamin_d_25oh", 31, "ng/mL"),
                lab(14, "calcium", 2.02, "mmol/L"),
                lab(14, "egfr", 25, "mL/min/1.73m2"),
            ],
            "bone_therapy": [
                {"drug": "denosumab", "start_date": None, "dental_review_date": _d(today, -10)}
            ],
        },
        {  # CALCIUM_NOT_MEASURED and RENAL_FUNCTION_UNKNOWN before zoledronic acid.
            "patient": patient("SHOW-04", "Demo Zoledronic Acid Planned"),
            "aromatase_inhibitors": ai(120),
            "dexa_scans": [scan(100, -2.3)],
            "labs": [lab(40, "vitamin_d_25oh", 40, "ng/mL")],
            "bone_therapy": [
                {"drug": "zoledronic_acid", "start_date": None, "dental_review_date": _d(today, -5)}
            ],
        },
        {  # BTM_RESPONSE_ADEQUATE: fasting CTX fell 70 % on alendronate.
            "patient": patient("SHOW-05", "Demo BTM Adequate"),
            "aromatase_inhibitors": ai(400),
            "dexa_scans": [scan(380, -2.2)],
            "labs": [
                *routine,
                lab(135, "ctx", 0.50, "ng/mL", fasting=True),
                lab(20, "ctx", 0.15, "ng/mL", fasting=True),
            ],
            "bone_therapy": [
                {"drug": "alendronate", "dose": "70 mg weekly", "start_date": _d(today, -130)}
            ],
        },
        {  # BTM_RESPONSE_NOT_CONFIRMED: CTX only, fell 40 %.
            "patient": patient("SHOW-06", "Demo BTM Not Confirmed"),
            "aromatase_inhibitors": ai(400),
            "dexa_scans": [scan(380, -2.2)],
            "labs": [
                *routine,
                lab(135, "ctx", 0.50, "ng/mL", fasting=True),
                lab(20, "ctx", 0.30, "ng/mL", fasting=True),
            ],
            "bone_therapy": [
                {"drug": "risedronate", "dose": "35 mg weekly", "start_date": _d(today, -130)}
            ],
        },
        {  # BTM_RESPONSE_INADEQUATE: neither CTX nor P1NP fell enough.
            "patient": patient("SHOW-07", "Demo BTM Inadequate"),
            "aromatase_inhibitors": ai(400),
            "dexa_scans": [scan(380, -2.2)],
            "labs": [
                *routine,
                lab(135, "ctx", 0.50, "ng/mL", fasting=True),
                lab(135, "p1np", 60, "µg/L"),
                lab(20, "ctx", 0.45, "ng/mL", fasting=True),
                lab(20, "p1np", 55, "µg/L"),
            ],
            "bone_therapy": [
                {"drug": "alendronate", "dose": "70 mg weekly", "start_date": _d(today, -130)}
            ],
        },
        {  # CHECK_BTM_RESPONSE: baseline CTX taken, therapy started 70 days ago, no follow-up yet.
            "patient": patient("SHOW-08", "Demo BTM Check Due"),
            "aromatase_inhibitors": ai(300),
            "dexa_scans": [scan(290, -2.1)],
            "labs": [*routine, lab(75, "ctx", 0.55, "ng/mL", fasting=True)],
            "bone_therapy": [
                {"drug": "alendronate", "dose": "70 mg weekly", "start_date": _d(today, -70)}
            ],
        },
        {  # BASELINE_DEXA_DUE and VITAMIN_D_NOT_MEASURED: anastrozole starts in two weeks.
            "patient": patient("SHOW-09", "Demo Starting Anastrozole"),
            "aromatase_inhibitors": [{"drug": "anastrozole", "start_date": _d(today, 14)}],
        },
        {  # BASELINE_DEXA_MISSING and VITAMIN_D_INSUFFICIENT: a year on letrozole, never scanned.
            "patient": patient("SHOW-10", "Demo No Baseline Scan"),
            "aromatase_inhibitors": [{"drug": "letrozole", "start_date": _d(today, -365)}],
            "labs": [lab(60, "vitamin_d_25oh", 25, "ng/mL")],
        },
        {  # DENTAL_REVIEW_MISSING and RENAL_DOSE_CHECK: zoledronic acid a month ago, eGFR 50.
            "patient": patient("SHOW-11", "Demo Zoledronic Acid No Dental"),
            "aromatase_inhibitors": ai(300),
            "dexa_scans": [scan(280, -2.4)],
            "labs": [
                lab(40, "vitamin_d_25oh", 36, "ng/mL"),
                lab(40, "calcium", 2.3, "mmol/L"),
                lab(40, "egfr", 50, "mL/min/1.73m2"),
            ],
            "bone_therapy": [
                {
                    "drug": "zoledronic_acid",
                    "dose": "4 mg every 6 months",
                    "start_date": _d(today, -30),
                    "doses": [_d(today, -30)],
                }
            ],
        },
        {  # DENOSUMAB_STOPPED_NO_FOLLOW_ON (critical): last dose 8 months ago, nothing since.
            "patient": patient("SHOW-12", "Demo Denosumab Stopped"),
            "aromatase_inhibitors": ai(1000),
            "dexa_scans": [scan(950, -2.6)],
            "labs": routine,
            "bone_therapy": [
                denosumab(
                    900,
                    [900, 718, 536, 354, 243],
                    stop_date=_d(today, -60),
                    stop_reason="patient preference",
                )
            ],
        },
        {  # DENOSUMAB_REBOUND_RISK: 150 days late.
            "patient": patient("SHOW-13", "Demo Denosumab Rebound Risk"),
            "aromatase_inhibitors": ai(900),
            "dexa_scans": [scan(850, -2.9)],
            "labs": routine,
            "bone_therapy": [denosumab(830, [830, 648, 333])],
        },
        {  # RAPID_BMD_LOSS and SIGNIFICANT_BMD_LOSS on the same scanner; VITAMIN_D_DEFICIENT.
            "patient": patient("SHOW-14", "Demo Rapid Loss"),
            "aromatase_inhibitors": ai(420),
            "dexa_scans": [scan(400, -1.2), scan(20, -1.8)],
            "labs": [lab(20, "vitamin_d_25oh", 15, "ng/mL"), lab(20, "calcium", 2.3, "mmol/L")],
        },
        {  # SCANNER_CHANGED and DEXA_OVERDUE: the last scan, on another scanner, is 3 years old.
            "patient": patient("SHOW-15", "Demo Scanner Changed", birth_date=_d(today, -55 * 365)),
            "aromatase_inhibitors": ai(1600),
            "dexa_scans": [
                scan(1500, -0.4),
                {**scan(1100, -0.6), "scanner": "GE Lunar iDXA"},
            ],
            "labs": routine,
        },
        {  # Z_SCORE_APPLIES: premenopausal on ovarian suppression.
            "patient": patient(
                "SHOW-16",
                "Demo Premenopausal",
                birth_date=_d(today, -41 * 365),
                menopausal_status="premenopausal",
            ),
            "aromatase_inhibitors": ai(200),
            "dexa_scans": [scan(190, -1.0)],
            "labs": routine,
        },
        {  # BISPHOSPHONATE_DURATION_REVIEW, RENAL_CONTRAINDICATION: alendronate 5 years, eGFR 32.
            "patient": patient("SHOW-17", "Demo Alendronate Five Years"),
            "aromatase_inhibitors": ai(2000),
            "dexa_scans": [scan(1900, -2.3), scan(200, -2.2)],
            "labs": [lab(30, "vitamin_d_25oh", 38, "ng/mL"), lab(30, "egfr", 32, "mL/min/1.73m2")],
            "bone_therapy": [
                {"drug": "alendronate", "dose": "70 mg weekly", "start_date": _d(today, -1850)}
            ],
        },
    ]


def demo_showcase_import(*, site: Site, today: date) -> int:
    """Import the showcase patients at `site` (idempotent); return how many are new."""
    from monitoring.records.history_import import history_import

    new = 0
    for history in showcase_histories(today):
        report = history_import(data=history, site=site)
        new += report.patient_created
    return new
