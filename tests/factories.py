"""factory_boy factories for the Django models."""

from datetime import date

import factory
from django.contrib.auth.models import Group

from bonehealth.accounts.models import Site, User
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
