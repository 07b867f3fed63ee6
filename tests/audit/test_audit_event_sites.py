"""An event that names no patient stays with the sites it concerned when it was written (security9
F16): a leaver's cohort export and worklist views stay in their site's audit trail after an
administrator removes every site of the account, and never reach another site's administrator.
The sites are recorded with the event (`AuditEventSite`, bonehealth/audit/services.py) and, on
PostgreSQL, cannot be changed afterwards; events written before (`sites_recorded` false) keep the
rule of their day."""

import csv
import io
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent, AuditEventSite
from bonehealth.audit.selectors import audit_events_for_user
from bonehealth.audit.services import audit_list_record, audit_record
from tests.conftest import admin_at, login
from tests.factories import PatientFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings: Any) -> dict[str, Any]:
    settings.PAGE_SIZE = 500
    north = SiteFactory(name="North", code="north")
    river = SiteFactory(name="Riverside", code="river")
    return {
        "north": north,
        "river": river,
        "admin_north": admin_at("admin.north", north),
        "admin_river": admin_at("admin.river", river),
        "phys": UserFactory(username="phys.river", role="physician", sites=[river]),
        "patients": [PatientFactory(site=river) for _ in range(3)],
    }


def _ids_on_page(client: Client, **filters: str) -> set[int]:
    response = client.get(reverse("audit:list"), filters)
    assert response.status_code == 200
    return {row.event.pk for row in response.context["rows"]}


def _csv_rows(client: Client, **filters: str) -> list[dict[str, str]]:
    response = client.get(reverse("audit:export"), filters)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def _remove_every_site(admin: User, user: User) -> None:
    response = login(admin).post(
        reverse("accounts:user_update", args=[user.pk]),
        {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "roles": list(user.groups.values_list("pk", flat=True)),
            "sites": [],
            "version": user.version,
        },
    )
    assert response.status_code == 302
    assert not user.sites.exists()


def test_a_leavers_exports_and_list_views_stay_in_their_sites_trail(
    world: dict[str, Any],
) -> None:
    phys = login(world["phys"])
    assert phys.post(reverse("monitoring:cohort_export"), {"format": "csv"}).status_code == 200
    assert phys.get(reverse("monitoring:worklist")).status_code == 200
    assert phys.get(reverse("monitoring:worklist_csv")).status_code == 200
    theirs = set(
        AuditEvent.objects.filter(actor=world["phys"], patient__isnull=True).values_list(
            "pk", flat=True
        )
    )
    export = AuditEvent.objects.get(actor=world["phys"], changes__shown="cohort CSV")
    assert sorted(export.changes["patients"]) == sorted(p.pk for p in world["patients"])
    assert len(theirs) >= 3
    # Every one of them was written with Riverside, and only Riverside.
    links = AuditEventSite.objects.filter(event__in=theirs)
    assert set(links.values_list("event_id", flat=True)) == theirs
    assert set(links.values_list("site_id", flat=True)) == {world["river"].pk}

    river = login(world["admin_river"])
    assert theirs <= _ids_on_page(river, user="phys.river")
    _remove_every_site(world["admin_river"], world["phys"])

    # The usual leaver process hides nothing from Riverside's administrator...
    assert theirs <= _ids_on_page(river, user="phys.river")
    shown = {row["fields"] for row in _csv_rows(river, user="phys.river")}
    assert {"count filters patients shown", "export filters patients rows"} <= shown
    assert theirs <= set(
        audit_events_for_user(user=world["admin_river"]).values_list("pk", flat=True)
    )
    # ...nor the removal itself, written after the account lost Riverside.
    removal = AuditEvent.objects.get(
        action=AuditAction.CHANGE, object_id=str(world["phys"].pk), changes__has_key="sites"
    )
    assert removal.pk in _ids_on_page(river)
    # North's administrator never read them, and does not now.
    north = login(world["admin_north"])
    assert not theirs & _ids_on_page(north)
    assert _csv_rows(north, user="phys.river") == []
    assert removal.pk not in _ids_on_page(north)


def test_granting_a_site_later_shows_the_old_events_to_nobody_new(world: dict[str, Any]) -> None:
    """The sites are those of the moment the event was written, in both directions."""
    event = audit_list_record(
        actor=world["phys"], shown="patient list", patient_ids=[world["patients"][0].pk]
    )
    world["phys"].sites.set([world["north"]])
    assert event in audit_events_for_user(user=world["admin_river"])
    assert event not in audit_events_for_user(user=world["admin_north"])


def test_a_list_that_showed_nobody_concerns_the_actors_active_sites(
    world: dict[str, Any],
) -> None:
    shared = UserFactory(role="nurse", sites=[world["north"], world["river"]])
    empty = audit_list_record(actor=shared, shown="patient list", patient_ids=[])
    # A list of Riverside patients only concerns Riverside, whoever else the actor works for.
    river_only = audit_list_record(
        actor=shared, shown="patient list", patient_ids=[world["patients"][1].pk]
    )
    assert set(empty.site_links.values_list("site_id", flat=True)) == {
        world["north"].pk,
        world["river"].pk,
    }
    assert set(river_only.site_links.values_list("site_id", flat=True)) == {world["river"].pk}
    assert river_only not in audit_events_for_user(user=world["admin_north"])


def test_an_event_naming_a_patient_follows_the_patient_and_records_no_site(
    world: dict[str, Any],
) -> None:
    patient = world["patients"][0]
    event = audit_record(action=AuditAction.VIEW, actor=world["phys"], patient=patient)
    assert not event.site_links.exists()
    patient.site = world["north"]
    patient.save()
    assert event in audit_events_for_user(user=world["admin_north"])
    assert event not in audit_events_for_user(user=world["admin_river"])


def test_a_failed_login_for_an_unknown_name_is_every_administrators(world: dict[str, Any]) -> None:
    unknown = audit_record(action=AuditAction.LOGIN_FAILED, username="nobody")
    named = audit_record(action=AuditAction.LOGIN_FAILED, username="PHYS.RIVER")
    for admin in ("admin_north", "admin_river"):
        assert unknown in audit_events_for_user(user=world[admin])
    assert named in audit_events_for_user(user=world["admin_river"])
    assert named not in audit_events_for_user(user=world["admin_north"])


def test_events_written_before_the_sites_were_recorded_keep_the_rule_of_their_day(
    world: dict[str, Any],
) -> None:
    """A row as audit/0005 wrote it: no sites, scoped by where its actor works now."""
    old = AuditEvent(
        action=AuditAction.EXPORT, actor=world["phys"], username="phys.river", changes={}
    )
    old.save(force_insert=True)
    assert old.sites_recorded is False
    assert old in audit_events_for_user(user=world["admin_river"])
    world["phys"].sites.set([world["north"]])
    assert old in audit_events_for_user(user=world["admin_north"])
    assert old not in audit_events_for_user(user=world["admin_river"])


def test_the_models_refuse_to_change_a_recorded_site(world: dict[str, Any]) -> None:
    event = audit_list_record(actor=world["phys"], shown="worklist", patient_ids=[])
    link = event.site_links.get()
    link.site = world["north"]
    with pytest.raises(PermissionError):
        link.save()
    with pytest.raises(PermissionError):
        link.delete()
    with pytest.raises(PermissionError):
        AuditEventSite.objects.filter(pk=link.pk).update(site=world["north"])
    with pytest.raises(PermissionError):
        AuditEventSite.objects.all().delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only triggers exist on PostgreSQL only"
)
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditeventsite SET site_id = %(north)s",
        "DELETE FROM audit_auditeventsite",
        "TRUNCATE audit_auditeventsite",
    ],
)
def test_postgresql_refuses_to_change_a_recorded_site(
    world: dict[str, Any], statement: str
) -> None:
    event = audit_list_record(actor=world["phys"], shown="worklist", patient_ids=[])
    with transaction.atomic(), connection.cursor() as cursor:
        # Run the deferred foreign-key checks now, or TRUNCATE fails for that reason instead.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with (
            pytest.raises(DatabaseError, match="audit_auditeventsite is append-only"),
            transaction.atomic(),
        ):
            cursor.execute(statement, {"north": world["north"].pk})
    assert list(event.site_links.values_list("site_id", flat=True)) == [world["river"].pk]
