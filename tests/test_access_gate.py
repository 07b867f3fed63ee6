"""One access gate: every read scoped to a user shows exactly the patients the gate lets them see.

The gate (`patients.selectors.patients_for_user`): a user sees the patients of their active sites
that are not entered in error. Hypothesis draws sites (some later made inactive), nurses and
physicians (some also administrators) with memberships in some of the sites (some changed
later), and patients with records (an AI course, maybe a scan and a lab, so they have alerts, a
schedule and scans to review) who, once those records exist, may be moved to another site, have
their follow-up ended or be marked entered in error, through the services the views call.

The expected patients are worked out here from what was drawn, not read from the gate, and every
scoped read is held to them, twice: once before the later changes (which also fills the page
cache) and once after. Through the URLs, as each user:

- pages over many patients (patient list and search, dashboard rows and scans to review,
  worklist, its printout and CSV): the patients shown are exactly the followed patients of the
  gate with something to show (all of the gate's for the list with ended follow-ups), and the
  audit row each writes names only patients of the gate;
- every page of one patient (the record, both printouts, every entry form, the alert
  acknowledgement): 200 (or the role's 403) when in the gate, else 404 with nothing of the patient
  in the response;
- the audit trail: the events of the patients of the sites an administrator administers only,
  and a record's values only for patients in the gate, never for an administrator without a
  clinical role (whose pages show no patient's name);
- `export_history --actor USER`: only the patients of the user's gate.

And the selectors themselves, beside the pages. More examples: ACCESS_GATE_EXAMPLES=200.
"""

import csv
import io
import os
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.selectors import sites_for_user
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.selectors import (
    HIDDEN,
    PAGE_FIELDS,
    AuditRow,
    AuditViewer,
    audit_events_search,
)
from monitoring.assessment.permissions import user_may_acknowledge
from monitoring.models import Alert, DexaScan, LabResult, ScheduledItem
from monitoring.overview import selectors as overview
from monitoring.records.services.labs import LabEntry, lab_results_record
from monitoring.records.services.scans import Measurement, dexa_scan_record
from patients import in_error
from patients import services as patient_services
from patients.models import AromataseInhibitorCourse, Patient
from patients.selectors import followed_patients_for_user, patient_search, patients_for_user
from tests.conftest import confirmed_alerts, confirmed_treatments, login
from tests.factories import ScannerFactory, UserFactory
from tests.monitoring.app.test_access_monitoring import SITE_WIDE
from tests.monitoring.app.test_access_monitoring import URLS as MONITORING_URLS
from tests.test_access import PATIENT_URLS

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
WEEKS = 104  # the worklist's longest window: every scheduled item of the next two years
UNTIL = TODAY + timedelta(weeks=WEEKS)
MAX_SITES, MAX_USERS, MAX_PATIENTS = 3, 3, 4


# --- What Hypothesis draws --------------------------------------------------------------------


@dataclass(frozen=True)
class UserPlan:
    role: str  # nurse or physician
    admin: bool  # also an administrator (reads the audit trail)
    sites: frozenset[int]  # member of these sites (indexes), at first
    sites_later: frozenset[int]  # and after the later changes


@dataclass(frozen=True)
class PatientPlan:
    site: int
    ai_days_ago: int
    scan_t_score: Decimal | None  # a scan (awaiting review) with this T-score, or none
    low_vitamin_d: bool  # a lab result
    moved_to: int | None  # moved to this site once the records exist
    ended: bool  # follow-up ended once the records exist
    in_error: bool  # marked entered in error once the records exist


@dataclass(frozen=True)
class Plan:
    active_later: tuple[bool, ...]  # each site's state after the later changes (all start active)
    users: tuple[UserPlan, ...]
    patients: tuple[PatientPlan, ...]
    # The user who opens every page of every patient once the changes are made; the others open
    # each patient's record, lists and searches. Every page finds its patient through the one
    # gate, so one user a world is enough: the sweep was most of the suite's longest test.
    sweeper: int


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    n_sites = draw(st.integers(1, MAX_SITES))
    site_sets = st.frozensets(st.integers(0, n_sites - 1), max_size=n_sites)
    users = draw(
        st.lists(
            st.builds(
                UserPlan,
                role=st.sampled_from(["nurse", "physician"]),
                admin=st.booleans(),
                sites=site_sets,
                sites_later=site_sets,
            ),
            min_size=1,
            max_size=MAX_USERS,
        )
    )
    site = st.integers(0, n_sites - 1)
    patients = draw(
        st.lists(
            st.builds(
                PatientPlan,
                site=site,
                ai_days_ago=st.integers(0, 2000),
                scan_t_score=st.none() | st.sampled_from([Decimal("-3.1"), Decimal("-1.2")]),
                low_vitamin_d=st.booleans(),
                moved_to=st.none() | site,
                ended=st.booleans(),
                in_error=st.booleans(),
            ),
            min_size=1,
            max_size=MAX_PATIENTS,
        )
    )
    active_later = tuple(draw(st.lists(st.booleans(), min_size=n_sites, max_size=n_sites)))
    sweeper = draw(st.integers(0, len(users) - 1))
    return Plan(
        active_later=active_later, users=tuple(users), patients=tuple(patients), sweeper=sweeper
    )


# --- The world built from a plan --------------------------------------------------------------


@dataclass
class World:
    plan: Plan
    sites: list[Site]
    users: list[User]
    patients: list[Patient]
    later: bool = False  # the later changes are made

    def site_of(self, i: int) -> int:
        plan = self.plan.patients[i]
        return plan.moved_to if self.later and plan.moved_to is not None else plan.site

    def gate(self, u: int) -> set[int]:
        """The patients user `u` may see, from the plan alone (the rule, written for the test)."""
        plan = self.plan.users[u]
        member = plan.sites_later if self.later else plan.sites
        active = [a or not self.later for a in self.plan.active_later]
        return {
            patient.pk
            for i, patient in enumerate(self.patients)
            if self.site_of(i) in member
            and active[self.site_of(i)]
            and not (self.later and self.plan.patients[i].in_error)
        }

    def administered(self, u: int) -> set[int]:
        """The patients at the sites user `u` administers (their active sites, as an
        administrator): whose events their audit trail shows, entered in error or not."""
        plan = self.plan.users[u]
        member = plan.sites_later if self.later else plan.sites
        active = [a or not self.later for a in self.plan.active_later]
        return {
            patient.pk
            for i, patient in enumerate(self.patients)
            if self.site_of(i) in member and active[self.site_of(i)]
        }

    def followed(self, u: int) -> set[int]:
        ended = {
            p.pk for i, p in enumerate(self.patients) if self.later and self.plan.patients[i].ended
        }
        return self.gate(u) - ended


def _build(plan: Plan) -> World:
    sites = [
        Site.objects.create(name=f"Gate Site {i}", code=f"gate{i}")
        for i in range(len(plan.active_later))
    ]
    scanners = [ScannerFactory(site=site, name=f"Scanner {site.code}") for site in sites]
    users = []
    for u, user_plan in enumerate(plan.users):
        user = UserFactory(
            username=f"gate-user-{u}",
            role=user_plan.role,
            sites=[sites[i] for i in sorted(user_plan.sites)],
        )
        if user_plan.admin:
            user.groups.add(Group.objects.get(name="admin"))
            TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        users.append(user)
    writer = UserFactory(username="gate-writer", role="physician", sites=sites)
    patients = []
    for i, patient_plan in enumerate(plan.patients):
        patient = patient_services.patient_create(
            actor=writer,
            values={
                "site": sites[patient_plan.site],
                "mrn": f"GATEMRN{i}X",
                "name": f"Zyxgate{i} Patientname",
                "birth_date": TODAY.replace(year=TODAY.year - 60),
                "sex": "F",
            },
            ai_course={
                "drug": "anastrozole",
                "start_date": TODAY - timedelta(days=patient_plan.ai_days_ago),
                "planned_duration_months": 60,
            },
        )
        if patient_plan.scan_t_score is not None:
            dexa_scan_record(
                actor=writer,
                patient=patient,
                values={
                    "scan_date": TODAY - timedelta(days=30),
                    "scanner": scanners[patient_plan.site],
                },
                measurements={
                    "total_hip": Measurement(
                        bmd=Decimal("0.700"), t_score=patient_plan.scan_t_score
                    )
                },
            )
        if patient_plan.low_vitamin_d:
            lab_results_record(
                actor=writer,
                patient=patient,
                sample_date=TODAY - timedelta(days=20),
                fasting=False,
                entries=(LabEntry(analyte="vitamin_d_25oh", value=Decimal("20"), unit="nmol/L"),),
            )
        patients.append(patient)
    return World(plan=plan, sites=sites, users=users, patients=patients)


def _later_changes(world: World) -> None:
    """What happens once the records exist: patients moved, ended, marked in error (through the
    services); sites made inactive and memberships changed (as the admin pages do)."""
    writer = User.objects.get(username="gate-writer")
    for i, patient_plan in enumerate(world.plan.patients):
        patient = Patient.objects.get(pk=world.patients[i].pk)
        if patient_plan.moved_to is not None and patient_plan.moved_to != patient_plan.site:
            patient = patient_services.patient_update(
                actor=writer,
                patient=patient,
                values={"site": world.sites[patient_plan.moved_to]},
                expected_version=patient.version,
            )
        if patient_plan.ended:
            patient_services.patient_end_follow_up(
                actor=writer,
                patient=patient,
                ended_on=TODAY,
                reason="Moved away",
                alerts_confirmed=confirmed_alerts(patient),
                treatments_confirmed=confirmed_treatments(patient),
            )
        if patient_plan.in_error:
            marked = Patient.objects.get(pk=patient.pk)
            in_error.patient_mark_in_error(
                actor=writer,
                patient=marked,
                reason="Registered twice",
                confirmed=in_error.patient_hidden_care(patient=marked),  # a physician, ticked
            )
    for site, active in zip(world.sites, world.plan.active_later, strict=True):
        if not active:
            site.is_active = False
            site.save()
    for user, user_plan in zip(world.users, world.plan.users, strict=True):
        user.sites.set([world.sites[i] for i in sorted(user_plan.sites_later)])
    world.later = True


# --- The checks -------------------------------------------------------------------------------


def _with_open_alerts() -> set[int]:
    return set(Alert.objects.filter(cleared_at__isnull=True).values_list("patient_id", flat=True))


def _with_scans_to_review() -> set[int]:
    return set(
        DexaScan.objects.filter(reviewed_at__isnull=True, entered_in_error=False).values_list(
            "patient_id", flat=True
        )
    )


def _with_items_due() -> set[int]:
    return set(ScheduledItem.objects.filter(due__lte=UNTIL).values_list("patient_id", flat=True))


def _absent(body: bytes, patients: list[Patient]) -> None:
    """Nothing of these patients (their MRN, their name) is in a response."""
    text = body.decode()
    for patient in patients:
        assert patient.mrn not in text, patient.mrn
        assert patient.name not in text, patient.name


def _others(world: World, shown: set[int]) -> list[Patient]:
    return [p for p in world.patients if p.pk not in shown]


def _present(body: bytes, world: World, shown: set[int]) -> None:
    """The MRNs of exactly the `shown` patients are in a response."""
    text = body.decode()
    assert {p.pk for p in world.patients if p.mrn in text} == shown
    _absent(body, _others(world, shown))


def _last_list_audit(user: User) -> set[int]:
    """The patients named by the audit row of the user's last view of a list."""
    changes = AuditEvent.objects.filter(actor=user, action=AuditAction.VIEW).latest("pk").changes
    return set(changes["patients"])


def _list_audits_within(user: User, since: int, allowed: set[int]) -> None:
    """Every VIEW or EXPORT row the pages wrote for the user names only patients of the gate."""
    for changes in AuditEvent.objects.filter(
        pk__gt=since, actor=user, action__in=[AuditAction.VIEW, AuditAction.EXPORT]
    ).values_list("changes", flat=True):
        if isinstance(changes, dict) and "patients" in changes:
            assert set(changes["patients"]) <= allowed, changes


def _check_selectors(world: World, u: int) -> None:
    user = world.users[u]
    gate, followed = world.gate(u), world.followed(u)
    assert set(patients_for_user(user=user).values_list("pk", flat=True)) == gate
    assert set(followed_patients_for_user(user=user).values_list("pk", flat=True)) == followed
    assert {p.pk for p in patient_search(user=user, include_ended=True)} == gate
    assert {p.pk for p in patient_search(user=user)} == followed
    assert {p.pk for p in overview.dashboard_patients(user=user)} == followed & _with_open_alerts()
    assert {s.patient_id for s in overview.scans_awaiting_review(user=user)} == (
        followed & _with_scans_to_review()
    )
    assert {i.patient_id for i in overview.worklist_items(user=user, until=UNTIL)} == (
        followed & _with_items_due()
    )
    # The dashboard's counts, over all the user's sites and added up from each span of each site.
    counts = overview.dashboard_counts(user=user)
    assert counts.alerting_patients == len(followed & _with_open_alerts())
    by_span = [
        part
        for site in sites_for_user(user=user)
        for part in overview.dashboard_counts_by_span(user=user, site=site, spans=None).values()
    ]
    assert overview.counts_added(by_span) == counts
    viewer = AuditViewer(user)
    for event in viewer.scoped(audit_events_search(user=user)).filter(patient__isnull=False):
        assert viewer.may_see_values(event) == (event.patient_id in gate), event


def _check_lists(world: World, u: int, client: Client) -> None:
    user, role = world.users[u], world.plan.users[u].role
    gate, followed = world.gate(u), world.followed(u)
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    for query, expected in [({}, followed), ({"ended": "1"}, gate)]:
        response = client.get(reverse("patients:list"), query)
        assert response.status_code == 200
        assert {p.pk for p in response.context["page"].object_list} == expected
        _present(response.content, world, expected)
    for patient in world.patients:  # the search, for each patient's MRN and name
        for typed in [patient.mrn, patient.name]:
            response = client.get(reverse("patients:list"), {"q": typed, "ended": "1"})
            shown = {p.pk for p in response.context["page"].object_list}
            assert shown == ({patient.pk} & gate)
            # The page repeats what was typed; nothing else of an unseen patient.
            _absent(response.content.replace(typed.encode(), b""), _others(world, shown))

    # The dashboard and the worklist may come from the page cache (no template context): what
    # they show is in their body, and in the audit row each request writes.
    response = client.get(reverse("monitoring:dashboard"))
    if role == "physician":
        assert response.status_code == 200
        shown = (followed & _with_open_alerts()) | (followed & _with_scans_to_review())
        assert _last_list_audit(user) == shown
        _present(response.content, world, shown)
        if response.context is not None and "page" in response.context:  # rendered afresh
            rows = {p.pk for p in response.context["page"].object_list}
            assert rows == followed & _with_open_alerts()
            scans = {scan.patient_id for scan in response.context["scans"].object_list}
            assert scans == followed & _with_scans_to_review()
    else:
        assert response.status_code == 403

    due = followed & _with_items_due()
    response = client.get(reverse("monitoring:worklist"), {"weeks": WEEKS})
    assert response.status_code == 200
    assert _last_list_audit(user) == due
    _present(response.content, world, due)
    response = client.get(reverse("monitoring:worklist_print"), {"weeks": WEEKS})
    assert {item.patient_id for item in response.context["items"]} == due
    _present(response.content, world, due)
    response = client.get(reverse("monitoring:worklist_csv"), {"weeks": WEEKS})
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    mrns = {row["mrn"] for row in csv.DictReader(io.StringIO(body.decode()))}
    assert mrns == {p.mrn for p in world.patients if p.pk in due}
    _absent(body, _others(world, due))

    _list_audits_within(user, since, gate)


def _records(patient: Patient) -> dict[str, int]:
    """The ids the patient URLs need, of what this patient has (a URL needing more is skipped)."""
    ids = {"pk": patient.pk}
    course = AromataseInhibitorCourse.objects.filter(patient=patient).first()
    scan = DexaScan.objects.filter(patient=patient).first()
    lab = LabResult.objects.filter(patient=patient).first()
    alert = Alert.objects.filter(patient=patient, cleared_at__isnull=True).first()
    for name, row in [("ai_course", course), ("scan", scan), ("lab", lab), ("alert", alert)]:
        if row is not None:
            ids[name] = row.pk
    if scan is not None:
        ids["scanner"] = scan.scanner_id
    return ids


def _patient_urls(patient: Patient, role: str) -> list[str]:
    """Every GET page of one patient the role may open (from the access tables)."""
    ids = _records(patient)
    urls = []
    for name, needs_patient, needs_course, allowed in PATIENT_URLS:
        if needs_patient and role in allowed:
            if not needs_course:
                urls.append(reverse(name, args=[patient.pk]))
            elif "ai_course" in ids:
                urls.append(reverse(name, args=[patient.pk, ids["ai_course"]]))
    for name, args, allowed in MONITORING_URLS:
        if name in SITE_WIDE or role not in allowed or name == "monitoring:alert_acknowledge":
            continue
        if name == "monitoring:scanner_update":
            continue  # a site's setting, not the patient's (its scope: test_scanners.py)
        try:
            urls.append(reverse(name, args=args(ids)))
        except KeyError:  # a record this patient does not have
            continue
    return urls


def _check_patient_pages(world: World, u: int, client: Client, *, every_page: bool) -> None:
    """Each patient's pages (only the record itself unless `every_page`), alerts and export."""
    user, role = world.users[u], world.plan.users[u].role
    gate = world.gate(u)
    for patient in world.patients:
        seen = patient.pk in gate
        record = reverse("monitoring:patient", args=[patient.pk])
        for url in _patient_urls(patient, role) if every_page else [record]:
            response = client.get(url)
            if seen:
                assert response.status_code == 200, url
            else:
                assert response.status_code == 404, url
                _absent(response.content, [patient])
        if not every_page:
            continue
        for alert in Alert.objects.filter(patient=patient, cleared_at__isnull=True):
            response = client.get(reverse("monitoring:alert_acknowledge", args=[alert.pk]))
            expected = (200 if user_may_acknowledge(user, alert) else 403) if seen else 404
            assert response.status_code == expected
            if not seen:
                _absent(response.content, [patient])
        out = io.StringIO()
        if seen:
            call_command("export_history", patient.mrn, actor=user.username, stdout=out)
            assert patient.mrn in out.getvalue()
        else:
            with pytest.raises(CommandError, match="no patient with MRN"):
                call_command("export_history", patient.mrn, actor=user.username, stdout=out)


def _record_values(row: AuditRow) -> list[tuple[str, str]]:
    """The values a row of the audit trail shows beyond the page a VIEW row names, which every
    viewer reads (`PAGE_FIELDS`, sec10 F2)."""
    return [
        (name, shown)
        for name, shown in row.values or []
        if shown != HIDDEN and not (row.event.action == "view" and name in PAGE_FIELDS)
    ]


def _check_audit_pages(world: World, u: int, client: Client) -> None:
    """An administrator's audit trail: the events of the patients of the sites they administer
    only (page and CSV), and a record's values only for patients of their gate."""
    gate, administered = world.gate(u), world.administered(u)
    for patient in world.patients:
        response = client.get(reverse("audit:list"), {"mrn": patient.mrn})
        assert response.status_code == 200
        rows = response.context["rows"]
        assert bool(rows) == (patient.pk in administered)
        for row in rows:
            if patient.pk in gate:
                assert row.values is not None
                assert all(shown != HIDDEN for _name, shown in row.values)
            else:
                assert not _record_values(row)
        if patient.pk not in gate:
            assert patient.name not in response.text
        response = client.get(reverse("audit:export"), {"mrn": patient.mrn})
        body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        assert (patient.name in body) == (patient.pk in gate)
        assert (patient.mrn in body) == (patient.pk in administered)


def _check_plain_admin(world: World, admin: User) -> None:
    """An administrator without a clinical role sees no values, and no patient's name (not even
    a name a clinician searched for)."""
    client = login(admin)
    response = client.get(reverse("audit:export"))
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert all(patient.name.encode() not in body for patient in world.patients)
    # Of no site, they read no patient's events at all (security7 F4).
    assert all(patient.mrn.encode() not in body for patient in world.patients)
    for patient in world.patients:
        response = client.get(reverse("audit:list"), {"mrn": patient.mrn})
        assert not any(_record_values(row) for row in response.context["rows"])
        assert patient.name not in response.text  # the MRN is shown: it names the record
        assert client.get(reverse("monitoring:patient", args=[patient.pk])).status_code == 403


def _check_every_read(world: World, admin: User, *, every_page: bool) -> None:
    for u, user in enumerate(world.users):
        _check_selectors(world, u)
        client = login(user)
        _check_lists(world, u, client)
        _check_patient_pages(world, u, client, every_page=every_page and u == world.plan.sweeper)
        if every_page and world.plan.users[u].admin:
            _check_audit_pages(world, u, client)
    if every_page:
        _check_plain_admin(world, admin)


@settings(
    max_examples=int(os.environ.get("ACCESS_GATE_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plan=plans())
def test_every_scoped_read_shows_exactly_the_patients_of_the_gate(plan: Plan) -> None:
    cache.clear()  # page bodies of the last example (ids are reused after a rollback)
    with transaction.atomic():
        admin = UserFactory(username="gate-admin", role="admin")
        TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
        world = _build(plan)
        # Before the later changes: the selectors, the lists and each patient's record (which
        # also fills the page cache with what the changes must not leave on show).
        _check_every_read(world, admin, every_page=False)
        _later_changes(world)
        _check_every_read(world, admin, every_page=True)
        transaction.set_rollback(True)
