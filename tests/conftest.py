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


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def nurse_client(client: Client, nurse: User) -> Client:
    return login(client, nurse)


@pytest.fixture
def physician_client(client: Client, physician: User) -> Client:
    return login(client, physician)


@pytest.fixture
def admin_client_(client: Client, admin_user: User) -> Client:
    return login(client, admin_user)
