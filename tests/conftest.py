"""Fixtures shared by the whole suite."""

import pytest
from django.test import Client

from bonehealth.accounts.models import Site, User
from patients.models import Patient
from tests.factories import PatientFactory, SiteFactory, UserFactory


@pytest.fixture
def site(db: None) -> Site:
    return SiteFactory(name="North General", code="north")


@pytest.fixture
def other_site(db: None) -> Site:
    return SiteFactory(name="Elsewhere Hospital", code="elsewhere")


@pytest.fixture
def nurse(site: Site) -> User:
    return UserFactory(username="nurse", role="nurse", sites=[site])


@pytest.fixture
def physician(site: Site) -> User:
    return UserFactory(username="physician", role="physician", sites=[site])


@pytest.fixture
def admin_user(site: Site) -> User:
    return UserFactory(username="admin", role="admin", sites=[site], is_staff=True)


@pytest.fixture
def patient(site: Site) -> Patient:
    return PatientFactory(site=site, mrn="A1001", name="Jane Example")


@pytest.fixture
def foreign_patient(other_site: Site) -> Patient:
    return PatientFactory(site=other_site, mrn="Z9999", name="Other Site")


def login(user: User) -> Client:
    """A client of its own per user, so two roles can act in one test."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def nurse_client(nurse: User) -> Client:
    return login(nurse)


@pytest.fixture
def physician_client(physician: User) -> Client:
    return login(physician)


@pytest.fixture
def admin_client_(admin_user: User) -> Client:
    return login(admin_user)
