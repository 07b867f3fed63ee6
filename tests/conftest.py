"""Fixtures shared by the whole suite."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.management.sql import emit_post_migrate_signal
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.roles import ROLE_PERMISSIONS
from patients.models import Patient
from patients.selectors import patient_follow_on_confirmations, patient_open_serious_alerts
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


def admin_at(username: str, *sites: Site, **fields: object) -> User:
    """An administrator of `sites` who has passed the second factor's set-up: admins must use
    two-factor authentication, so the account has a confirmed TOTP device (`login` uses it)."""
    user: User = UserFactory(username=username, role="admin", sites=list(sites), **fields)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


@pytest.fixture
def admin_user(site: Site) -> User:
    return admin_at("admin", site, is_staff=True)


@pytest.fixture
def patient(site: Site) -> Patient:
    return PatientFactory(site=site, mrn="A1001", name="Jane Example")


@pytest.fixture
def foreign_patient(other_site: Site) -> Patient:
    return PatientFactory(site=other_site, mrn="Z9999", name="Other Site")


@pytest.fixture(autouse=True)
def _empty_page_cache() -> None:
    """Each test starts with no cached fragments (SQLite reuses ids across rolled-back tests)."""
    cache.clear()


def confirmed_alerts(patient: Patient) -> frozenset[str]:
    """The keys of the open alerts a physician ending follow-up confirms: all those open now, for
    tests of other things (the confirmation: tests/patients/test_end_follow_up_open_alerts.py)."""
    return frozenset(alert.key for alert in patient_open_serious_alerts(patient=patient))


def confirmed_treatments(patient: Patient) -> list[str]:
    """What a physician ending follow-up confirms is arranged (an active denosumab course, a
    follow-on pending): all of it, for tests of other things (the confirmation:
    tests/patients/test_end_follow_up_follow_on.py)."""
    return patient_follow_on_confirmations(patient=patient)


def login(user: User, client: Client | None = None) -> Client:
    """Log the user in on a client of its own (so two roles can act in one test); a user with a TOTP
    device also passes the two-factor step, as after a code."""
    client = client or Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def nurse_client(nurse: User) -> Client:
    return login(nurse)


@pytest.fixture
def physician_client(physician: User) -> Client:
    return login(physician)


@pytest.fixture
def ward(roles: None) -> Site:
    """The site of a transactional test (the races): North General, as `site`, after the roles."""
    return SiteFactory(name="North General", code="north")


@pytest.fixture
def jane(ward: Site) -> Patient:
    """The patient of a transactional test (the races), at the ward."""
    return PatientFactory(site=ward, mrn="A1001")


@pytest.fixture
def roles(transactional_db: None) -> None:
    """The role groups (a transactional test's flush removes what data migrations created).

    Content types and permissions are made again first, as after a migration, in case the flush
    left them out too.
    """
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".", 1)
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


@pytest.fixture
def admin_client_(admin_user: User) -> Client:
    return login(admin_user)


# The fixtures through which a test reaches a database (pytest-django's, and the live server's).
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use a database (CI's second database: a test without one "
        "runs the same code whichever database is configured, so CI runs it once)",
    )


def uses_database(item: pytest.Item) -> bool:
    """pytest-django refuses database access to a test with neither mark nor fixture."""
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(DATABASE_FIXTURES & fixtures)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run transactional tests (browser, races) after all others, whatever reordered them (a stable
    sort: any order within each group, e.g. shuffled by pytest-randomly, is kept); with
    `--database-tests-only`, drop the tests that use no database.

    Their flush empties the tables that data migrations filled (the role groups); pytest-django
    orders them last, but pytest's grouping by the browser's session parameter can move other
    tests behind them.
    """

    def transactional(item: pytest.Item) -> bool:
        marker = item.get_closest_marker("django_db")
        by_marker = bool(marker and marker.kwargs.get("transaction"))
        return by_marker or "transactional_db" in getattr(item, "fixturenames", ())

    items.sort(key=transactional)
    if config.getoption("database_tests_only"):
        config.hook.pytest_deselected(items=[item for item in items if not uses_database(item)])
        items[:] = [item for item in items if uses_database(item)]


def pytest_itemcollected(item: pytest.Item) -> None:
    """Every transactional test restores the migrated data (serialized_rollback).

    Mixing transactional tests with and without it breaks the next one on PostgreSQL: a plain
    flush recreates content types under new ids, which the serialized copy then collides with.
    """
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
        raise pytest.UsageError(
            f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
        )
