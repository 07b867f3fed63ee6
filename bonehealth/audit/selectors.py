"""Reads of the audit trail for the audit viewer and its CSV export.

Which events an administrator reads at all is stated once, in `audit_events_for_user` (the
events of the sites they administer); every read of the viewer and the export starts from it.
The viewer always sees which fields changed; the values of a clinical record's fields only when
they hold a clinical role and the patient is one the access gate lets them see
(`patients.selectors.patients_for_user`; README: admins read the audit trail but "cannot open
clinical records"). Of any other row (an account's change, a login, a list, an export or an
import of patients) every viewer reads the fields the application fills (`SHOWN_TO_EVERY_VIEWER`);
any other value (what a clinician typed, a clinical filter's value) only a clinician whose gate
holds every patient the row lists (`AuditViewer.rows`).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import batched
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.selectors import sites_administered_by
from bonehealth.audit.models import AuditAction, AuditEvent, AuditEventSite
from patients.selectors import patients_for_user

CLINICAL_PERMISSION = "patients.view_patient"
# Apps whose records are clinical: their values are hidden from non-clinicians.
CLINICAL_APPS = frozenset({"patients", "monitoring"})
HIDDEN = "(hidden)"
# The fields of a row naming no patient's record whose values the application writes, never what
# a clinician typed nor what a patient has: who, what kind, which records, how many. Their values
# are shown to every viewer. Any other field's value (a search typed, the name of an uploaded
# file, the reason given for an export, each a clinician's free text that may name a patient and
# her illness; any field added later, until it is judged and listed here) is shown only to a
# clinician whose gate holds every patient the row lists (sec14 #1: an admin read "SHOW-03 ...
# bone metastases" as an import's file name and a patient's name and diagnosis as an export's
# reason, beside the patients' ids the trail maps to MRNs).
SHOWN_TO_EVERY_VIEWER = frozenset(
    {
        # Accounts, sites and sign-ins (bonehealth/accounts): the administrators' own business.
        "username",
        "first_name",
        "last_name",
        "email",
        "roles",
        "sites",
        "is_active",
        "password",
        "must_change_password",
        "granted",
        "at_sites",
        "notice",
        "version",
        "sessions_ended",
        "two_factor",
        "step",
        "locked_out",
        "lab_units",
        # A refusal (patients/access.py): its answer and the address asked for.
        "status",
        "method",
        "path",
        "record",
        # Lists, exports and imports of patients: which page or file format, which patients
        # (ids, MRNs), how many, which scanner, which host ran a command, the file's checksum.
        "shown",
        "export",
        "patients",
        "mrns",
        "page",
        "scans_page",
        "work_page",
        "rows",
        "count",
        "limit",
        "refused",
        "kind",
        "format",
        "sha256",
        "host",
        "scanner",
        "scans",
        "labs",
        "skipped",
    }
)
# The fields of a list's or an export's row holding its filters, and those a page refused: their
# names are shown to every viewer, their values as `PLAIN_FILTERS` says.
FILTER_FIELDS = frozenset({"filters", "refused"})
# Filters that say nothing about the health of the patients listed beside them: where (the site),
# which host ran a command, which MRNs were asked for, and the audit trail's own filters. Their
# values are shown to every viewer. Any other filter (an alert code, a severity, a risk category,
# the follow-up status, the weeks ahead of what is due) tells what the listed patients have, and
# the trail maps their ids to MRNs: its value is shown to clinicians only, its name to every
# viewer (sec12 #2: an admin read that DEMO-000067 had a deficient vitamin D).
PLAIN_FILTERS = frozenset(
    {"site", "host", "mrns", "username", "mrn", "action", "date_from", "date_to"}
)
# Fields of the VIEW row of a patient's record that name the page or document it produced
# (`patients.read_audit.page_read`): shown to every viewer, even where the record's values are
# hidden, so that an information governance reviewer sees which letter or printout was produced
# (sec10 F2). The record ids and alert codes beside them stay hidden.
PAGE_FIELDS = frozenset({"page", "document", "kind", "copy"})
# Rows that record a change keep each changed field as [before, after] (`services.model_changes`,
# `records.versioned_update`, `records.mark_in_error`, the account services); every other row
# keeps values, a list among them (a new account's roles, a list's patients) (sec14 #2).
CHANGE_ACTIONS = frozenset({AuditAction.CHANGE, AuditAction.MARK_ERROR})
# The [before, after] pairs a change row keeps under a name that is no field of its record: an
# account's roles (its groups), its two-factor state, a scan's measured sites
# (`MEASURED_PREFIX`, "site:lumbar_spine"), the scanner version a reassessment followed, and the
# source a history import sets. Any other list of a change row that is no field of its record
# (the alerts acknowledged together, the alerts a reassessment moved, the confirmations ticked)
# is a list.
CHANGES_OF_NO_FIELD = frozenset({"roles", "two_factor", "scanner_version", "source"})
MEASURED_SITE_PREFIX = "site:"
# Patients whose ids one query of the access gate looks up: below SQLite's limit of bound
# parameters, as `services.SITE_LOOKUP_CHUNK`.
GATE_LOOKUP_CHUNK = 5000
# Events read together for one look-up of their listed patients in the gate (the CSV export
# streams the trail in chunks of 2000).
EVENTS_PER_GATE_LOOKUP = 2000


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _people_at(sites: QuerySet[Site] | None) -> Q:
    """Events whose people work at one of `sites` (None: at any site): the actor, the account
    the event concerns, or the account a failed login named (no actor, only the typed name)."""
    memberships = User.sites.through.objects.all()
    if sites is not None:
        memberships = memberships.filter(site__in=sites)
    # The account an event concerns is named by its object_id, a string.
    as_text = memberships.annotate(account=Cast("user_id", CharField()))
    concerned = as_text.filter(account=OuterRef("object_id"))  # type: ignore[misc]
    return (
        Q(Exists(memberships.filter(user_id=OuterRef("actor_id"))))
        | Q(Exists(concerned), object_type=User._meta.label_lower)
        | Q(
            Exists(memberships.filter(user__username__iexact=OuterRef("username"))),
            actor__isnull=True,
        )
    )


def audit_events_for_user(*, user: Any) -> QuerySet[AuditEvent]:
    """The audit events an administrator may read: those of the sites they administer.

    Like every other administration page, the audit trail shows an administrator of one site
    nothing of another (security7 F4). An event is theirs when:
    - it names a patient now at one of their sites (a patient's events follow the patient);
    - it names no patient and concerned one of their sites when it was written (`AuditEventSite`:
      a list's or export's patients' sites, the sites of its people, the site it concerns;
      `services._sites_concerned`), whatever grants changed since (security9 F16: a leaver's
      bulk exports stay in their sites' trail);
    - it has no actor and concerned no site (a failed login for an unknown name): it tells
      nothing about any site, so every administrator reads it, as the one who must notice an
      attack on the login page.
    An event of an actor of no site (a superuser, a user of no site) that concerned no site stays
    with superusers: what such a user typed (an MRN searched for) may name another site's patient.
    A superuser administers every site and the whole database, and reads every event.
    Events written before audit/0006 (`sites_recorded` false) keep the rule of their day: their
    actor, the account they concern or the account a failed login named works at one of the
    administrator's sites now, or they concern one of those sites (its settings).
    """
    events = AuditEvent.objects.all()
    if user.is_superuser:
        return events
    sites = sites_administered_by(user=user)
    recorded = AuditEventSite.objects.filter(event_id=OuterRef("pk"))
    ours = Q(patient__site__in=sites) | Q(
        Exists(recorded.filter(site__in=sites)), patient__isnull=True, sites_recorded=True
    )
    siteless = Q(patient__isnull=True, actor__isnull=True, sites_recorded=True) & ~Q(
        Exists(recorded)
    )
    return events.filter(ours | siteless | _before_sites_recorded(sites))


def _before_sites_recorded(sites: QuerySet[Site]) -> Q:
    """The rule for events written before their sites were recorded: where their people work now."""
    site_type = Site._meta.label_lower
    site_ids = [str(pk) for pk in sites.values_list("pk", flat=True)]
    ours = Q(
        Q(object_type=site_type, object_id__in=site_ids) | _people_at(sites),
        patient__isnull=True,
    )
    siteless = Q(patient__isnull=True, actor__isnull=True) & ~Q(object_type=site_type)
    siteless &= ~_people_at(None)
    return Q(ours | siteless, sites_recorded=False)


def audit_events_search(
    *,
    user: Any,
    username: str = "",
    mrn: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """The user's audit events matching the filters, newest first, with the patient's MRN only."""
    events = audit_events_for_user(user=user).annotate(patient_mrn=F("patient__mrn"))
    if username.strip():
        events = events.filter(username__iexact=username.strip())
    if mrn.strip():
        events = events.filter(patient__mrn__iexact=mrn.strip())
    if action:
        events = events.filter(action=action)
    if date_from is not None:
        events = events.filter(at__gte=_day_start(date_from))
    if date_to is not None:
        events = events.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return events.order_by("-at", "-id")


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    fields: list[str]
    # (field, shown value) pairs; None when the viewer may not see this record's values.
    values: list[tuple[str, str]] | None


class AuditViewer:
    """Decides, for one viewer, whose values they may see: events read through `scoped` carry
    whether the access gate lets the viewer see their patient (no query of its own); the
    patients of the lists among the events are looked up in the gate together, one query for
    every `EVENTS_PER_GATE_LOOKUP` events, and only for a viewer with a clinical role."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.clinician = user.has_perm(CLINICAL_PERMISSION)

    def scoped(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """The events, each with `patient_visible`: whether its patient is in the viewer's gate."""
        if not self.clinician:
            return events.annotate(patient_visible=Value(False))
        gate = patients_for_user(user=self.user).filter(pk=OuterRef("patient_id"))
        return events.annotate(patient_visible=Exists(gate))

    def may_see_values(self, event: AuditEvent) -> bool:
        """Whether the viewer reads every value of the event: of a clinical record, when they are
        a clinician whose gate holds its patient; of any other event, when they are a clinician
        whose gate holds every patient it lists (`_listed_values_visible` for a list)."""
        if not _of_a_clinical_record(event):
            return self._listed_values_visible(event, self._in_gate([event]))
        if not self.clinician:
            return False
        # A clinical record of no patient (a scanner's settings), or one of a patient in the gate.
        return event.patient_id is None or bool(getattr(event, "patient_visible", False))

    def rows(self, events: Iterable[AuditEvent]) -> Iterator[AuditRow]:
        for batch in batched(events, EVENTS_PER_GATE_LOOKUP):
            in_gate = self._in_gate(batch)
            for event in batch:
                yield self._row(event, in_gate)

    def _row(self, event: AuditEvent, in_gate: set[int]) -> AuditRow:
        changes = event.changes if isinstance(event.changes, dict) else {}
        fields = sorted(changes)
        values: list[tuple[str, str]] | None = None
        if not _of_a_clinical_record(event):
            every = self._listed_values_visible(event, in_gate)
            values = [(name, self._value(event, name, changes[name], every)) for name in fields]
        elif self.may_see_values(event):
            values = [(name, _shown(event, name, changes[name])) for name in fields]
        elif event.action == AuditAction.VIEW and PAGE_FIELDS & set(fields):
            values = [
                (name, _shown(event, name, changes[name]) if name in PAGE_FIELDS else HIDDEN)
                for name in fields
            ]
        return AuditRow(event=event, fields=fields, values=values)

    def _listed_values_visible(self, event: AuditEvent, in_gate: set[int]) -> bool:
        """Whether the viewer reads every value of an event of no clinical record: they are a
        clinician and it is a list whose every patient their gate holds (a list of none: a
        search that found nobody). An event listing no patients (an account's change, an
        import's summary, which counts them) shows only `SHOWN_TO_EVERY_VIEWER` to anyone."""
        listed = _listed(event)
        return self.clinician and listed is not None and set(listed) <= in_gate

    def _in_gate(self, events: Iterable[AuditEvent]) -> set[int]:
        """The patients listed by `events` that the viewer's gate holds; none without a clinical
        role (nothing is looked up)."""
        if not self.clinician:
            return set()
        wanted = sorted({pk for event in events for pk in _listed(event) or ()})
        found: set[int] = set()
        for chunk in batched(wanted, GATE_LOOKUP_CHUNK):
            gate = patients_for_user(user=self.user).filter(pk__in=chunk)
            found.update(gate.values_list("pk", flat=True))
        return found

    def _value(self, event: AuditEvent, name: str, value: Any, every: bool) -> str:
        if every:
            return _shown(event, name, value)
        if name in FILTER_FIELDS and isinstance(value, dict):
            return _one({key: v if key in PLAIN_FILTERS else HIDDEN for key, v in value.items()})
        if name in SHOWN_TO_EVERY_VIEWER:
            return _shown(event, name, value)
        return HIDDEN


def _of_a_clinical_record(event: AuditEvent) -> bool:
    """Whether the event is on a patient's record or a clinical record of none (a scanner)."""
    return event.patient_id is not None or event.object_type.split(".")[0] in CLINICAL_APPS


def _listed(event: AuditEvent) -> list[int] | None:
    """The ids of the patients a list's or an export's event shows; None for any other event."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    listed = changes.get("patients")
    if isinstance(listed, list) and all(type(pk) is int for pk in listed):
        return listed
    return None


def _is_change(event: AuditEvent, name: str, value: Any) -> bool:
    """Whether `value` is a field's [before, after]: a pair of a change row, named by a field of
    its record or by `CHANGES_OF_NO_FIELD`."""
    if event.action not in CHANGE_ACTIONS or not (isinstance(value, list) and len(value) == 2):
        return False
    if name in CHANGES_OF_NO_FIELD or name.startswith(MEASURED_SITE_PREFIX):
        return True
    try:
        apps.get_model(event.object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return False
    return True


def _shown(event: AuditEvent, name: str, value: Any) -> str:
    if _is_change(event, name, value):
        return f"{_one(value[0])} → {_one(value[1])}"
    return _one(value)


def _one(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)
