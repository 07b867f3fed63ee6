"""The audit trail an administrator reads is that of their sites (security7 F4): on the page, its
filters and counts, and the CSV export, an administrator of North reads nothing of Riverside's
patients or staff, and the reverse; events with no actor tied to no site (a failed login for an
unknown name) are read by every administrator; those of an actor of no site only by superusers,
who read every event. The rule: `bonehealth.audit.selectors.audit_events_for_user`."""

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.selectors import audit_events_for_user, audit_events_search
from bonehealth.audit.services import audit_record
from tests.conftest import admin_at, login
from tests.factories import PatientFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

Key = tuple[str, str, str, str, str]


@pytest.fixture
def world(settings: Any) -> dict[str, Any]:
    """Two sites, their staff and patients, and one event of each kind, named by what it is."""
    settings.PAGE_SIZE = 500
    north, river = SiteFactory(name="North", code="north"), SiteFactory(name="River", code="river")
    admin_north, admin_river = admin_at("admin.north", north), admin_at("admin.river", river)
    root = UserFactory(username="root", is_superuser=True)
    TOTPDevice.objects.create(user=root, name="test", confirmed=True)
    nurse_north = UserFactory(username="nurse.north", role="nurse", sites=[north])
    nurse_river = UserFactory(username="nurse.river", role="nurse", sites=[river])
    shared = UserFactory(username="nurse.shared", role="nurse", sites=[north, river])
    drifter = UserFactory(username="drifter", role="nurse", sites=[])
    p_north = PatientFactory(site=north, mrn="NORTH-1", name="Nora North")
    p_river = PatientFactory(site=river, mrn="RIVER-1", name="Rita River")
    view = AuditAction.VIEW
    events = {
        "north nurse views north patient": dict(action=view, actor=nurse_north, patient=p_north),
        "river nurse views river patient": dict(action=view, actor=nurse_river, patient=p_river),
        "shared nurse views river patient": dict(action=view, actor=shared, patient=p_river),
        "river nurse logs in": dict(action=AuditAction.LOGIN, actor=nurse_river),
        "river admin changes river nurse": dict(
            action=AuditAction.CHANGE, actor=admin_river, obj=nurse_river
        ),
        "river admin changes shared nurse": dict(
            action=AuditAction.CHANGE, actor=admin_river, obj=shared
        ),
        "unknown name fails to log in": dict(action=AuditAction.LOGIN_FAILED, username="nobody"),
        "river nurse's name fails to log in": dict(
            action=AuditAction.LOGIN_FAILED, username="NURSE.RIVER"
        ),
        "root sets river's lab units": dict(action=AuditAction.CHANGE, actor=root, obj=river),
        "root logs in": dict(action=AuditAction.LOGIN, actor=root),
        "a user of no site searches": dict(
            action=AuditAction.VIEW, actor=drifter, changes={"query": "RIVER-1"}
        ),
    }
    keys = {}
    for name, kwargs in events.items():
        event = audit_record(**kwargs)
        event.patient_mrn = event.patient.mrn if event.patient else ""  # type: ignore[attr-defined]
        keys[name] = _key(event)
    assert len(set(keys.values())) == len(keys)
    return {
        "keys": keys,
        "admin_north": admin_north,
        "admin_river": admin_river,
        "root": root,
        "p_river": p_river,
        "p_north": p_north,
    }


def _key(event: Any) -> Key:
    return (
        event.username,
        event.action,
        event.object_type,
        event.object_id,
        getattr(event, "patient_mrn", "") or "",
    )


NORTH = {
    "north nurse views north patient",
    "river admin changes shared nurse",
    "unknown name fails to log in",
}
RIVER = {
    "river nurse views river patient",
    "shared nurse views river patient",
    "river nurse logs in",
    "river admin changes river nurse",
    "river admin changes shared nurse",
    "unknown name fails to log in",
    "river nurse's name fails to log in",
    "root sets river's lab units",
}


def _seen_on_page(client: Client, world: dict[str, Any], **filters: str) -> set[str]:
    response = client.get(reverse("audit:list"), filters)
    assert response.status_code == 200
    shown = {_key(row.event) for row in response.context["rows"]}
    return {name for name, key in world["keys"].items() if key in shown}


def _seen_in_csv(client: Client, world: dict[str, Any], **filters: str) -> set[str]:
    response = client.get(reverse("audit:export"), filters)
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    shown = {
        (row["username"], row["action"], row["object_type"], row["object_id"], row["patient_mrn"])
        for row in csv.DictReader(io.StringIO(body))
    }
    return {name for name, key in world["keys"].items() if key in shown}


@pytest.mark.parametrize(("admin", "expected"), [("admin_north", NORTH), ("admin_river", RIVER)])
def test_each_admin_reads_exactly_the_events_of_their_site(
    world: dict[str, Any], admin: str, expected: set[str]
) -> None:
    client = login(world[admin])
    assert _seen_on_page(client, world) == expected
    assert _seen_in_csv(client, world) == expected
    # The selector the page and the export read through, directly.
    read = {_key(event) for event in audit_events_search(user=world[admin])}
    assert {name for name, key in world["keys"].items() if key in read} == expected


def test_filters_and_counts_never_reach_another_site(world: dict[str, Any]) -> None:
    client = login(world["admin_north"])
    assert _seen_on_page(client, world, mrn="RIVER-1") == set()
    assert _seen_on_page(client, world, user="nurse.river") == set()
    assert _seen_in_csv(client, world, mrn="RIVER-1") == set()
    export = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert export.changes["rows"] == 0
    response = client.get(reverse("audit:list"), {"mrn": "RIVER-1"})
    assert response.context["page"].paginator.count == 0
    assert "Rita River" not in response.text
    # Their own site's patient, by the same filter, is there.
    assert _seen_on_page(client, world, mrn="NORTH-1") == {"north nurse views north patient"}


def test_a_superuser_reads_every_event(world: dict[str, Any]) -> None:
    client = login(world["root"])
    assert _seen_in_csv(client, world) == set(world["keys"])
    assert audit_events_for_user(user=world["root"]).count() == AuditEvent.objects.count()


def test_a_patients_events_follow_the_patient_to_another_site(world: dict[str, Any]) -> None:
    patient = world["p_river"]
    patient.site = world["p_north"].site
    patient.save()
    seen = _seen_on_page(login(world["admin_north"]), world)
    assert {"river nurse views river patient", "shared nurse views river patient"} <= seen


def test_djangos_admin_site_shows_the_events_to_superusers_only(world: dict[str, Any]) -> None:
    """An administrator, even a staff one, is sent to the admin login (sec9 F1); a superuser
    reads every event there, as on the viewer."""
    admin = world["admin_north"]
    admin.is_staff = True
    admin.save()
    url = reverse("admin:audit_auditevent_changelist")
    response = login(admin).get(url, {"all": ""})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = login(world["root"]).get(url, {"all": ""})
    assert response.status_code == 200
    assert response.context["cl"].result_count == AuditEvent.objects.count()
