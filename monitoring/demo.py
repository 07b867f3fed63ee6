"""Synthetic clinical data for demo patients: scanners, DEXA scans, labs, FRAX and therapy.

Bone loss follows the ATAC figures of rule PROJ (anastrozole: about 2 %/yr lumbar spine and
1.45 %/yr hip), with a minority of rapid losers, a minority gaining on bone-protective therapy, and
the irregularities clinics really see (a missed baseline, a changed scanner, a late denosumab dose,
a stopped denosumab without follow-on, low vitamin D), so the demo shows every kind of alert.
The alerts random data rarely reaches come from hand-made patients: monitoring/demo_showcase.py.
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
        if (self.today - self.ai_start).days < 120 and rng.random() < 0.5:
            # A baseline not yet done for a recent start (BASELINE_DEXA_DUE / _MISSING); a clinic
            # does not leave a patient years on an AI without one.
            return
        # One bone-density level per woman, shared by her sites (a woman with a low spine has a
        # low hip too), around the means of postmenopausal women starting an AI: at the start
        # about a sixth have osteoporosis and four in ten osteopenia.
        level = rng.gauss(0.0, 1.0)
        base_t = {
            site: mean + 0.85 * level + rng.gauss(0.0, 0.45)
            for site, mean in (
                ("lumbar_spine", -0.5),
                ("total_hip", -0.3),
                ("femoral_neck", -0.8),
            )
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
            # Mostly on time (yearly to two-yearly as the risk asks), now and then a late scan.
            interval = rng.choices([350, 365, 540, 730, 850], weights=[5, 5, 2, 1, 1])[0]
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
                # Ten-year probabilities as FRAX gives women in their sixties: mostly under 20 %.
                major_pct = min(40.0, max(2.5, rng.gauss(10.0, 5.0)))
                major = Decimal(str(round(major_pct, 1)))
                hip = Decimal(str(round(max(0.2, major_pct * rng.uniform(0.1, 0.3)), 1)))
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
            egfr = min(120.0, max(15.0, rng.gauss(78, 18)))
            batch.labs.append(_lab(patient, day, "egfr", egfr, "mL/min/1.73m2"))
            # The creatinine of the same sample goes with its eGFR (roughly inversely: 70 µmol/L at
            # an eGFR of 78), so that the Cockcroft-Gault estimate the rules judge beside a lower
            # eGFR (RENAL) tells the same story as the eGFR, as a real blood draw would.
            creatinine = max(35.0, 70.0 * 78.0 / egfr * rng.gauss(1.0, 0.08))
            batch.labs.append(_lab(patient, day, "creatinine", creatinine, "µmol/L"))
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
