"""Hand-made demo patients, as history files, that raise the alerts random data rarely reaches.

The generated patients (monitoring/demo.py) show the common course of bone loss on an aromatase
inhibitor; these show one alert each (or a few), imported through the history import like a file.
"""

from datetime import date, timedelta

from bonehealth.accounts.models import Site
from monitoring.records.history_import import history_import


def _d(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


def showcase_histories(today: date) -> list[dict[str, object]]:
    """Hand-made patients (docs/history-format.md) that raise the alerts random data rarely reaches.

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

    def scan(days_ago: int, t: float, *, z_above_t: float | None = None) -> dict[str, object]:
        """A scan with T-score `t` at the spine; each site's Z-score `z_above_t` above its
        T-score when given (for a patient read on Z-scores)."""
        t_scores = {
            "lumbar_spine": (round(1.047 + 0.110 * t, 3), t),
            "total_hip": (round(0.942 + 0.120 * (t + 0.3), 3), round(t + 0.3, 1)),
            "femoral_neck": (round(0.858 + 0.120 * (t + 0.1), 3), round(t + 0.1, 1)),
        }
        return {
            "date": _d(today, -days_ago),
            "scanner": "Hologic Horizon A, room 2",
            "sites": {
                site: {"bmd": bmd, "t_score": t_score}
                | ({} if z_above_t is None else {"z_score": round(t_score + z_above_t, 1)})
                for site, (bmd, t_score) in t_scores.items()
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
            # Her Z-scores, which the scan form asks for her: the page reads them, not T-scores.
            "dexa_scans": [scan(190, -1.0, z_above_t=0.1)],
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
        {  # FRACTURE_ON_THERAPY: a vertebral fracture on VFA after 2.7 years of alendronate.
            "patient": patient("SHOW-18", "Demo Fracture On Alendronate"),
            "aromatase_inhibitors": ai(1050),
            "dexa_scans": [
                {**scan(1005, -2.1), "vertebral_fracture_assessment": "no_fracture"},
                {**scan(30, -2.1), "vertebral_fracture_assessment": "fracture"},
            ],
            "labs": routine,
            "bone_therapy": [
                {"drug": "alendronate", "dose": "70 mg weekly", "start_date": _d(today, -1000)}
            ],
        },
        {  # CALCIUM_LOW (high): adjusted calcium 1.95 mmol/L on alendronate (nurse10 F1).
            "patient": patient("SHOW-19", "Demo Low Calcium On Alendronate"),
            "aromatase_inhibitors": ai(400),
            "dexa_scans": [scan(380, -2.2)],
            "labs": [
                lab(10, "vitamin_d_25oh", 34, "ng/mL"),
                lab(10, "calcium", 1.95, "mmol/L"),
                lab(10, "egfr", 78, "mL/min/1.73m2"),
            ],
            "bone_therapy": [
                {"drug": "alendronate", "dose": "70 mg weekly", "start_date": _d(today, -300)}
            ],
        },
        {  # DENOSUMAB_FOLLOW_ON_INFUSION_AWAITED (warning): denosumab stopped, zoledronic acid
            # started 3 days ago as its follow-on, the infusion not recorded yet (phys10 F2).
            "patient": patient("SHOW-20", "Demo Denosumab Follow-On Awaited"),
            "aromatase_inhibitors": ai(1000),
            "dexa_scans": [scan(950, -2.6)],
            "labs": routine,
            "bone_therapy": [
                denosumab(
                    880,
                    [880, 698, 516, 334, 150],
                    stop_date=_d(today, -20),
                    stop_reason="switched to zoledronic acid",
                ),
                {
                    "drug": "zoledronic_acid",
                    "dose": "4 mg every 6 months",
                    "start_date": _d(today, -3),
                    "dental_review_date": _d(today, -10),
                },
            ],
        },
        {  # CALCIUM_HIGH (high) and VITAMIN_D_HIGH (high): adjusted calcium 3.05 mmol/L and
            # 25-OH vitamin D 420 nmol/L; the calcium and vitamin D advice is held (nurse13 #1).
            "patient": patient("SHOW-21", "Demo High Calcium And Vitamin D"),
            "aromatase_inhibitors": ai(200),
            "dexa_scans": [scan(190, -1.2)],
            "labs": [
                lab(3, "vitamin_d_25oh", 420, "nmol/L"),
                lab(3, "calcium", 3.05, "mmol/L"),
                lab(3, "egfr", 95, "mL/min/1.73m2"),
            ],
        },
        {  # DENOSUMAB_REVIEW_AI_ENDED (warning): anastrozole completed a month ago, denosumab
            # continues with no follow-on planned (phys14 #6).
            "patient": patient("SHOW-22", "Demo Anastrozole Ended On Denosumab"),
            "aromatase_inhibitors": [
                {
                    "drug": "anastrozole",
                    "start_date": _d(today, -1856),
                    "stop_date": _d(today, -30),
                    "stop_reason": "completed 5 years",
                    "planned_duration_months": 60,
                }
            ],
            "dexa_scans": [scan(60, -2.1)],
            "labs": routine,
            "bone_therapy": [denosumab(900, [900, 718, 536, 354, 172])],
        },
        {  # CHECK_TURNOVER_AFTER_FOLLOW_ON: three years of denosumab, then one zoledronic acid
            # infusion 7 months ago and the course stopped; the first CTX is on file, the
            # 6-month one is due (phys14 #5).
            "patient": patient("SHOW-23", "Demo Zoledronic Acid After Denosumab"),
            "aromatase_inhibitors": ai(1400),
            "dexa_scans": [scan(250, -1.9)],
            "labs": [*routine, lab(110, "ctx", 0.21, "ng/mL", fasting=True)],
            "bone_therapy": [
                denosumab(
                    1300,
                    [1300, 1118, 936, 754, 572, 390],
                    stop_date=_d(today, -208),
                    stop_reason="switched to zoledronic acid",
                ),
                {
                    "drug": "zoledronic_acid",
                    "dose": "4 mg single infusion",
                    "start_date": _d(today, -208),
                    "stop_date": _d(today, -208),
                    "stop_reason": "single follow-on infusion",
                    "doses": [_d(today, -208)],
                    "dental_review_date": _d(today, -230),
                },
            ],
        },
    ]


DEMO_OVERRIDE = "demo data: invented showcase patient, past doses loaded as given"


def demo_showcase_import(*, site: Site, today: date) -> int:
    """Import the showcase patients at `site` (idempotent); return how many are new."""
    new = 0
    for history in showcase_histories(today):
        # Invented patients: their past doses are shown as given, the override says why.
        report = history_import(data=history, site=site, override_reason=DEMO_OVERRIDE)
        new += report.patient_created
    return new
