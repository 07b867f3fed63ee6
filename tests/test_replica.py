"""The read-replica router: which alias each read and write goes to, and read-your-writes pinning.

`tests/settings.py` adds a `replica` alias that mirrors the test database (so reads through it see
the test's writes) but leaves the router and its middleware off; the tests here switch them on.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.roles import ROLE_PERMISSIONS
from bonehealth.audit.models import AuditEvent
from bonehealth.replica import replica_reads, using_replica
from bonehealth.replica.middleware import PIN_SESSION_KEY
from bonehealth.replica.router import PRIMARY, REPLICA, ReplicaRouter
from bonehealth.replica.state import begin_request, end_request, replica_reads_allowed
from monitoring.models import Alert, DexaScan, PatientAssessment
from patients.models import Patient
from tests.conftest import login
from tests.factories import PatientFactory, SiteFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
ROUTER = "bonehealth.replica.router.ReplicaRouter"
MIDDLEWARE = "bonehealth.replica.middleware.ReplicaPinMiddleware"

router = ReplicaRouter()


@pytest.fixture
def request_state() -> Iterator[None]:
    """A request that has not written and whose user has not written lately."""
    _, token = begin_request(pinned=False)
    yield
    end_request(token)


# Routing decisions, asked of the router directly -------------------------------------------------


@pytest.mark.usefixtures("request_state")
def test_clinical_reads_go_to_the_replica_only_inside_using_replica() -> None:
    assert router.db_for_read(Patient) == PRIMARY
    with using_replica():
        assert router.db_for_read(Patient) == REPLICA
        assert router.db_for_read(DexaScan) == REPLICA
        assert router.db_for_read(PatientAssessment) == REPLICA
        with using_replica():
            assert router.db_for_read(Alert) == REPLICA
        assert router.db_for_read(Alert) == REPLICA
    assert router.db_for_read(Patient) == PRIMARY


@pytest.mark.usefixtures("request_state")
@pytest.mark.parametrize(
    "model", [User, Site, Group, Permission, Session, AuditEvent, TOTPDevice, DBTaskResult]
)
def test_accounts_sessions_audit_and_tasks_are_always_read_from_the_primary(model: type) -> None:
    with using_replica():
        assert router.db_for_read(model) == PRIMARY


def test_without_a_request_every_read_goes_to_the_primary() -> None:
    # Management commands, the task worker, a shell: no middleware, no request state.
    with using_replica():
        assert not replica_reads_allowed()
        assert router.db_for_read(Patient) == PRIMARY


def test_a_pinned_request_reads_from_the_primary() -> None:
    _, token = begin_request(pinned=True)
    try:
        with using_replica():
            assert router.db_for_read(Patient) == PRIMARY
    finally:
        end_request(token)


@pytest.mark.usefixtures("request_state")
def test_a_clinical_write_sends_the_rest_of_the_request_to_the_primary() -> None:
    with using_replica():
        assert router.db_for_write(AuditEvent) == PRIMARY
        assert router.db_for_write(Session) == PRIMARY
        # Audit and session rows are never read from the replica: writing them does not pin.
        assert router.db_for_read(Patient) == REPLICA
        assert router.db_for_write(Patient) == PRIMARY
        assert router.db_for_read(Patient) == PRIMARY


@pytest.mark.usefixtures("request_state")
@pytest.mark.parametrize("model", [Patient, DexaScan, Alert, User, AuditEvent, Session])
def test_writes_always_go_to_the_primary(model: type) -> None:
    with using_replica():
        assert router.db_for_write(model) == PRIMARY


@pytest.mark.usefixtures("request_state")
def test_reads_inside_a_transaction_go_to_the_primary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "in_atomic_block", True)
    with using_replica():
        assert router.db_for_read(Patient) == PRIMARY


def test_the_replica_is_never_migrated() -> None:
    assert router.allow_migrate(REPLICA, "patients") is False
    assert router.allow_migrate(REPLICA, "auth", model_name="user") is False
    assert router.allow_migrate(PRIMARY, "patients") is None  # Django's default: yes


def test_objects_from_either_alias_may_be_related() -> None:
    site, patient = Site(), Patient()
    site._state.db, patient._state.db = PRIMARY, REPLICA
    assert router.allow_relation(site, patient) is True


@pytest.mark.usefixtures("request_state")
def test_replica_reads_applies_to_safe_methods_only() -> None:
    seen: list[bool] = []

    @replica_reads
    def view(request):  # type: ignore[no-untyped-def]
        seen.append(replica_reads_allowed())

    factory = RequestFactory()
    view(factory.get("/"))
    view(factory.post("/"))
    assert seen == [True, False]


@pytest.mark.parametrize(
    ("replica_url", "expected"),
    [
        ("", "None False False"),
        ("postgres://r@replica.example:5432/bh", "replica.example True True"),
    ],
)
def test_settings_install_the_replica_only_when_configured(replica_url: str, expected: str) -> None:
    code = (
        "from bonehealth import settings as s; "
        "print(s.DATABASES.get('replica', {}).get('HOST'), "
        f"getattr(s, 'DATABASE_ROUTERS', []) == [{ROUTER!r}], "
        "any('ReplicaPinMiddleware' in m for m in s.MIDDLEWARE))"
    )
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "x" * 50,
        "DATABASE_REPLICA_URL": replica_url,
        "DATABASE_URL": "postgres://p@primary.example:5432/bh",
    }
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == expected


# Through the app: pages, sessions and the pin --------------------------------------------------


@pytest.fixture
def replica_on(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATABASE_ROUTERS = [ROUTER]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, MIDDLEWARE
    )
    settings.MIDDLEWARE = middleware
    settings.REPLICA_PIN_SECONDS = 10


@pytest.fixture
def clinic() -> tuple[User, Patient]:
    # Transactional tests start from an empty database: the role groups come from a data migration.
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".", 1)
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    site = SiteFactory(name="North General", code="north")
    nurse = UserFactory(username="nurse", role="nurse", sites=[site])
    return nurse, PatientFactory(site=site, mrn="R1001", name="Replica Reader")


def _tables_read(client: Client, url: str) -> tuple[str, str, str]:
    """GET url; return the response text and the SQL sent to the primary and to the replica."""
    with (
        CaptureQueriesContext(connections[PRIMARY]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200
    return (
        response.content.decode(),
        " ".join(q["sql"] for q in primary.captured_queries),
        " ".join(q["sql"] for q in replica.captured_queries),
    )


pytestmark_app = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases={"default", "replica"}
)


@pytestmark_app
@pytest.mark.usefixtures("replica_on")
def test_the_patient_list_reads_patients_from_the_replica(clinic: tuple[User, Patient]) -> None:
    nurse, _ = clinic
    client = login(nurse)
    html, primary_sql, replica_sql = _tables_read(client, reverse("patients:list"))
    assert "R1001" in html  # the mirror sees the primary's rows
    assert '"patients_patient"' in replica_sql
    assert '"patients_patient"' not in primary_sql
    # The session and the user are read from the primary.
    assert '"django_session"' in primary_sql
    assert '"django_session"' not in replica_sql
    assert 'FROM "accounts_user"' in primary_sql
    assert 'FROM "accounts_user"' not in replica_sql


@pytestmark_app
@pytest.mark.usefixtures("replica_on")
@pytest.mark.parametrize(
    ("role", "url_name"), [("physician", "monitoring:dashboard"), ("nurse", "monitoring:worklist")]
)
def test_the_dashboard_and_worklist_read_from_the_replica(
    clinic: tuple[User, Patient], role: str, url_name: str
) -> None:
    nurse, _ = clinic
    user = (
        nurse
        if role == "nurse"
        else UserFactory(username="doctor", role="physician", sites=[nurse.sites.get()])
    )
    client = login(user)
    _, primary_sql, replica_sql = _tables_read(client, reverse(url_name))
    assert '"monitoring_' in replica_sql
    assert '"monitoring_' not in primary_sql
    client.post(reverse("patients:list"))  # a write pins the user to the primary
    _, primary_sql, replica_sql = _tables_read(client, reverse(url_name))
    assert replica_sql == ""


@pytestmark_app
@pytest.mark.usefixtures("replica_on")
def test_after_a_post_the_user_reads_from_the_primary_until_the_pin_expires(
    clinic: tuple[User, Patient],
) -> None:
    nurse, _ = clinic
    client = login(nurse)
    client.post(reverse("patients:list"))  # any non-safe request pins
    _, primary_sql, replica_sql = _tables_read(client, reverse("patients:list"))
    assert '"patients_patient"' in primary_sql
    assert replica_sql == ""
    # Another user who has not written still reads from the replica.
    colleague = UserFactory(username="nurse2", role="nurse", sites=[nurse.sites.get()])
    _, _, replica_sql = _tables_read(login(colleague), reverse("patients:list"))
    assert '"patients_patient"' in replica_sql
    # The pin is a session timestamp: once it has passed, the replica again.
    session = client.session
    session[PIN_SESSION_KEY] = session[PIN_SESSION_KEY] - 11
    session.save()
    _, primary_sql, replica_sql = _tables_read(client, reverse("patients:list"))
    assert '"patients_patient"' in replica_sql
    assert '"patients_patient"' not in primary_sql


@pytestmark_app
@pytest.mark.usefixtures("replica_on")
def test_a_page_that_writes_clinical_rows_pins_the_user(clinic: tuple[User, Patient]) -> None:
    nurse, patient = clinic
    client = login(nurse)
    assert not PatientAssessment.objects.exists()
    # The first view of a patient stores an assessment (a write), in a transaction: primary only.
    _, primary_sql, replica_sql = _tables_read(
        client, reverse("monitoring:patient", args=[patient.pk])
    )
    assert PatientAssessment.objects.filter(patient=patient).exists()
    assert replica_sql == ""
    _, primary_sql, replica_sql = _tables_read(client, reverse("patients:list"))
    assert '"patients_patient"' in primary_sql
    assert replica_sql == ""


@pytestmark_app
@pytest.mark.usefixtures("replica_on")
def test_viewing_a_patient_writes_only_audit_and_does_not_pin(clinic: tuple[User, Patient]) -> None:
    nurse, patient = clinic
    client = login(nurse)
    url = reverse("monitoring:patient", args=[patient.pk])
    client.get(url)  # stores the assessment: pinned
    session = client.session
    session.pop(PIN_SESSION_KEY)
    session.save()
    audited = AuditEvent.objects.count()
    _, _, replica_sql = _tables_read(client, url)  # only the audit event is written now
    assert AuditEvent.objects.count() == audited + 1
    assert replica_sql == ""  # the patient page itself never uses the replica
    assert PIN_SESSION_KEY not in client.session
    _, _, replica_sql = _tables_read(client, reverse("patients:list"))
    assert '"patients_patient"' in replica_sql


@pytestmark_app
@pytest.mark.usefixtures("replica_on")
def test_a_failed_login_creates_no_session_for_the_pin(clinic: tuple[User, Patient]) -> None:
    sessions = Session.objects.count()
    response = Client().post(
        reverse("accounts:login"), {"username": "nurse", "password": "wrong-password-here"}
    )
    assert response.status_code == 200
    assert Session.objects.count() == sessions


@pytestmark_app
def test_without_the_router_the_patient_list_reads_only_the_primary(
    clinic: tuple[User, Patient],
) -> None:
    nurse, _ = clinic
    _, primary_sql, replica_sql = _tables_read(login(nurse), reverse("patients:list"))
    assert '"patients_patient"' in primary_sql
    assert replica_sql == ""
