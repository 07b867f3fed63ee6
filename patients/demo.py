"""Synthetic demo patients with plausible aromatase-inhibitor courses and risk factors."""

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from bonehealth.accounts.models import Site
from patients.models import (
    AromataseInhibitor,
    AromataseInhibitorCourse,
    FollowUpStatus,
    MenopausalStatus,
    Patient,
    Sex,
    Smoking,
)
from patients.search import folded, folded_mrn

FIRST_NAMES = [
    "Ann",
    "Beth",
    "Carol",
    "Diane",
    "Elaine",
    "Fiona",
    "Grace",
    "Helen",
    "Irene",
    "Joan",
    "Karen",
    "Linda",
    "Maria",
    "Nadia",
    "Olive",
    "Patricia",
    "Rosa",
    "Sarah",
    "Teresa",
    "Ursula",
    "Vera",
    "Wendy",
    "Yasmin",
    "Zoe",
    "Amira",
    "Brigid",
    "Chen",
    "Deepa",
    "Eszter",
    "Farah",
]
LAST_NAMES = [
    "Adams",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ivanova",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Smith",
    "Taylor",
    "Usman",
    "Vasquez",
    "Walsh",
    "Xu",
    "Young",
    "Zielinski",
    "Murphy",
    "Kelly",
]

BATCH = 1000


def _weighted[T](rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    values, weights = zip(*options, strict=True)
    choice: T = rng.choices(values, weights=weights)[0]
    return choice


def _demo_patient(rng: random.Random, site: Site, mrn: str, today: date) -> Patient:
    female = rng.random() < 0.97
    # Women starting an aromatase inhibitor: median age in the sixties (a third over 65).
    age = min(86, max(38, round(rng.gauss(62, 9))))
    birth = today - timedelta(days=age * 365 + rng.randint(0, 364))
    premenopausal = female and age < 50 and rng.random() < 0.6
    diagnosis = today - timedelta(days=rng.randint(30, 6 * 365))
    fracture = rng.random() < 0.08
    ended = rng.random() < 0.04
    height = Decimal(rng.randint(148, 182) if female else rng.randint(160, 192))
    bmi = min(45.0, max(17.0, rng.gauss(27.5, 5.0)))
    weight = (Decimal(str(bmi)) * (height / 100) ** 2).quantize(Decimal("0.1"))
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return Patient(
        site=site,
        mrn=mrn,
        name=name,
        search_name=folded(name),  # bulk_create does not call save()
        search_mrn=folded_mrn(mrn),
        birth_date=birth,
        sex=Sex.FEMALE if female else Sex.MALE,
        menopausal_status=MenopausalStatus.PREMENOPAUSAL
        if premenopausal
        else MenopausalStatus.POSTMENOPAUSAL,
        breast_cancer_diagnosis_date=diagnosis,
        height_cm=height,
        weight_kg=weight,
        prior_fragility_fracture=fracture,
        prior_fracture_date=diagnosis - timedelta(days=rng.randint(100, 3000))
        if fracture
        else None,
        parent_hip_fracture=rng.random() < 0.10,
        smoking=_weighted(
            rng, [(Smoking.NEVER, 0.72), (Smoking.FORMER, 0.2), (Smoking.CURRENT, 0.08)]
        ),
        alcohol_3_or_more_units_daily=rng.random() < 0.05,
        oral_glucocorticoid_months=rng.choice([0] * 40 + [3, 8, 14]),
        rheumatoid_arthritis=rng.random() < 0.03,
        secondary_osteoporosis=rng.random() < 0.04,
        follow_up_status=FollowUpStatus.ENDED if ended else FollowUpStatus.ACTIVE,
        follow_up_ended_on=today - timedelta(days=rng.randint(1, 200)) if ended else None,
        follow_up_end_reason="completed adjuvant therapy" if ended else "",
    )


def _demo_courses(
    rng: random.Random, patient: Patient, today: date
) -> list[AromataseInhibitorCourse]:
    assert patient.breast_cancer_diagnosis_date is not None  # noqa: S101  (set by _demo_patient)
    start = patient.breast_cancer_diagnosis_date + timedelta(days=rng.randint(30, 120))
    if start > today:
        # Diagnosed recently: the AI start is planned.
        return [
            AromataseInhibitorCourse(
                patient=patient,
                drug=AromataseInhibitor.ANASTROZOLE,
                start_date=start,
                planned_duration_months=60,
            )
        ]
    if rng.random() < 0.15 and (today - start).days > 200:
        # Switched drug after side effects: a stopped letrozole course, then anastrozole.
        stop = start + timedelta(days=rng.randint(40, 150))
        return [
            AromataseInhibitorCourse(
                patient=patient,
                drug=AromataseInhibitor.LETROZOLE,
                start_date=start,
                stop_date=stop,
                stop_reason="arthralgia",
            ),
            AromataseInhibitorCourse(
                patient=patient,
                drug=AromataseInhibitor.ANASTROZOLE,
                start_date=stop + timedelta(days=7),
                planned_duration_months=60,
            ),
        ]
    drug = _weighted(
        rng,
        [
            (AromataseInhibitor.ANASTROZOLE, 0.7),
            (AromataseInhibitor.LETROZOLE, 0.2),
            (AromataseInhibitor.EXEMESTANE, 0.1),
        ],
    )
    return [
        AromataseInhibitorCourse(
            patient=patient,
            drug=drug,
            start_date=start,
            planned_duration_months=rng.choice([60, 120]),
        )
    ]


def demo_patients_create(
    *,
    sites: Sequence[Site],
    count: int,
    today: date,
    seed: int = 2026,
    progress: Callable[[int], None] = lambda n: None,
) -> list[Patient]:
    """Create up to `count` demo patients (MRNs DEMO-000001...) spread over the sites.

    Patients already present are left alone, so the command can be run again. Returns how many were
    new.
    """
    rng = random.Random(seed)
    created: list[Patient] = []
    for start in range(0, count, BATCH):
        numbers = range(start + 1, min(start + BATCH, count) + 1)
        planned = [
            _demo_patient(rng, sites[number % len(sites)], f"DEMO-{number:06d}", today)
            for number in numbers
        ]
        with transaction.atomic():
            existing = set(
                Patient.objects.filter(mrn__in=[p.mrn for p in planned]).values_list(
                    "site_id", "mrn"
                )
            )
            new = [p for p in planned if (p.site_id, p.mrn) not in existing]
            Patient.objects.bulk_create(new)
            if new and new[0].pk is None:  # backends that do not return ids on bulk insert
                ids = dict(
                    Patient.objects.filter(mrn__in=[p.mrn for p in new]).values_list("mrn", "pk")
                )
                for patient in new:
                    patient.pk = ids[patient.mrn]
            courses = []
            for patient in new:
                patient.demo_courses = _demo_courses(rng, patient, today)  # type: ignore[attr-defined]
                courses.extend(patient.demo_courses)  # type: ignore[attr-defined]
            AromataseInhibitorCourse.objects.bulk_create(courses)
        created.extend(new)
        progress(len(planned))
    return created
