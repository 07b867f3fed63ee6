"""factory_boy factories for the Django models."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from bonehealth.accounts.models import Site, User
from monitoring.models import DexaMeasurement, DexaScan, LabResult, Scanner
from patients.models import AromataseInhibitor, AromataseInhibitorCourse, Patient


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
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

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


def results_in_range(patient: Patient, day: date, *, calcium: str = "2.4") -> None:
    """Vitamin D 35 ng/mL, albumin-adjusted calcium (2.4 mmol/L unless given) and eGFR 80 on
    `day`: the lab checks before a drug pass on a day within 12 months after it."""
    for analyte, value, unit in (
        ("vitamin_d_25oh", Decimal(35), "ng/mL"),
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
