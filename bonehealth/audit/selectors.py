"""Reads of the audit trail for the audit viewer and its CSV export.

Which events an administrator reads at all is stated once, in `audit_events_for_user` (the
events of the sites they administer); every read of the viewer and the export starts from it.
The viewer always sees which fields changed; the values of a clinical record's fields only when
they hold a clinical role and the patient is one the access gate lets them see
(`patients.selectors.patients_for_user`; README: admins read the audit trail but "cannot open
clinical records"). Of a list's or an export's row, what a clinician typed and the values of its
clinical filters are shown to clinicians only (`AuditViewer._value`).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

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
# Fields of a list view's row holding what a clinician typed (a search may be a patient's name):
# shown to clinicians only, like a clinical value.
TYPED_BY_CLINICIANS = frozenset({"query"})
# The fields of a list's or an export's row holding its filters, and those a page refused.
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
    whether the access gate lets the viewer see their patient (no query of its own)."""

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
        clinical = event.patient_id is not None or event.object_type.split(".")[0] in CLINICAL_APPS
        if not clinical:
            return True
        if not self.clinician:
            return False
        # A clinical record of no patient (a scanner's settings), or one of a patient in the gate.
        return event.patient_id is None or bool(getattr(event, "patient_visible", False))

    def rows(self, events: Iterable[AuditEvent]) -> Iterator[AuditRow]:
        for event in events:
            changes = event.changes if isinstance(event.changes, dict) else {}
            fields = sorted(changes)
            values: list[tuple[str, str]] | None = None
            if self.may_see_values(event):
                values = [(name, self._value(name, changes[name])) for name in fields]
            elif event.action == AuditAction.VIEW and PAGE_FIELDS & set(fields):
                values = [
                    (name, _shown(changes[name]) if name in PAGE_FIELDS else HIDDEN)
                    for name in fields
                ]
            yield AuditRow(event=event, fields=fields, values=values)

    def _value(self, name: str, value: Any) -> str:
        if self.clinician:
            return _shown(value)
        if name in TYPED_BY_CLINICIANS:
            return HIDDEN
        if name in FILTER_FIELDS and isinstance(value, dict):
            return _one({key: v if key in PLAIN_FILTERS else HIDDEN for key, v in value.items()})
        return _shown(value)


def _shown(value: Any) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{_one(value[0])} → {_one(value[1])}"
    return _one(value)


def _one(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)
