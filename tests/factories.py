"""factory_boy factories for the Django models."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    LabResult,
    Scanner,
)
from patients.models import AromataseInhibitor, AromataseInhibitorCourse, Patient

# Every factory-made user's password.
PASSWORD = "correct-horse-battery"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Hospital {n}")
    code = factory.Sequence(lambda n: f"site{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def sites(self, create: bool, extracted: list[Site] | None, **kwargs: object) -> None:
        if extracted:
            self.sites.set(extracted)
        self.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    site = factory.SubFactory(SiteFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:05d}")
    name = factory.Faker("name", locale="en_GB")
    birth_date = date(1958, 4, 12)
    sex = "F"
    height_cm = 162
    weight_kg = 60


class AromataseInhibitorCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AromataseInhibitorCourse

    patient = factory.SubFactory(PatientFactory)
    drug = AromataseInhibitor.ANASTROZOLE
    start_date = date(2024, 1, 15)
    planned_duration_months = 60


class ScannerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scanner
        django_get_or_create = ("site", "name")

    site = factory.SubFactory(SiteFactory)
    name = "Hologic Horizon A"
    manufacturer = "Hologic"


class DexaScanFactory(factory.django.DjangoModelFactory):
    """A scan with lumbar spine, total hip and femoral neck measured (T-scores from `t`)."""

    class Meta:
        model = DexaScan
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    scan_date = date(2024, 1, 10)
    scanner = factory.LazyAttribute(lambda o: ScannerFactory(site=o.patient.site))

    @factory.post_generation
    def t(self, create: bool, extracted: float | None, **kwargs: object) -> None:
        t_score = extracted if extracted is not None else -1.2
        for site, bmd in (
            ("lumbar_spine", "0.912"),
            ("total_hip", "0.801"),
            ("femoral_neck", "0.690"),
        ):
            DexaMeasurement.objects.create(scan=self, site=site, bmd=bmd, t_score=t_score)


class LabResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabResult

    patient = factory.SubFactory(PatientFactory)
    sample_date = date(2024, 1, 10)
    analyte = "vitamin_d_25oh"
    value = 35
    entered_value = 35
    entered_unit = "ng/mL"


def results_in_range(
    patient: Patient, day: date, *, calcium: str = "2.4", vitamin_d: int = 35
) -> None:
    """Vitamin D 35 ng/mL, albumin-adjusted calcium 2.4 mmol/L (each unless given) and eGFR 80 on
    `day`: with the defaults, the lab checks before a drug pass on a day within 12 months of it."""
    for analyte, value, unit in (
        ("vitamin_d_25oh", Decimal(vitamin_d), "ng/mL"),
        ("calcium", Decimal(calcium), "mmol/L"),
        ("egfr", Decimal(80), "mL/min/1.73m2"),
    ):
        LabResultFactory(
            patient=patient,
            sample_date=day,
            analyte=analyte,
            value=value,
            entered_value=value,
            entered_unit=unit,
        )


def denosumab_course(
    patient: Patient, *, started: date, last_dose: date, stopped: date | None = None
) -> BoneTherapyCourse:
    """Denosumab from `started`, its last dose given on `last_dose`, stopped on `stopped` if given;
    the patient reassessed, as after entering it."""
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug="denosumab", start_date=started, stop_date=stopped
    )
    BoneTherapyDose.objects.create(course=course, given_on=last_dose)
    patient_assessment_refresh(patient=patient)
    return course


def course_with_a_dose_due(
    patient: Patient, drug: str, *, days: int, since: int
) -> BoneTherapyCourse:
    """A course of `drug` started `since` days ago (its dental review 20 days before), its last
    dose given and entered `days` ago, so that the next is due; the labs of 20 days ago in range."""
    today = timezone.localdate()
    results_in_range(patient, today - timedelta(days=20))
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug=drug,
        start_date=today - timedelta(days=since),
        dental_review_date=today - timedelta(days=since + 20),
    )
    dose = BoneTherapyDose.objects.create(course=course, given_on=today - timedelta(days=days))
    BoneTherapyDose.objects.filter(pk=dose.pk).update(
        entered_at=timezone.now() - timedelta(days=days)
    )
    return course


def scans_showing_spine_loss(patient: Patient) -> None:
    """On an aromatase inhibitor for 900 days; scans 400 and 30 days ago on one scanner, the later
    one's lumbar spine 0.050 g/cm² lower (0.862), the hips unchanged."""
    today = timezone.localdate()
    AromataseInhibitorCourseFactory(patient=patient, start_date=today - timedelta(days=900))
    first = DexaScanFactory(patient=patient, scan_date=today - timedelta(days=400), t=-1.5)
    later = DexaScanFactory(
        patient=patient, scan_date=today - timedelta(days=30), scanner=first.scanner, t=-1.9
    )
    DexaMeasurement.objects.filter(scan=later, site="lumbar_spine").update(bmd="0.862")
