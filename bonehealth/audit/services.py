"""The one function that writes the audit trail."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from ipaddress import ip_address, ip_network
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import USERNAME_LENGTH, AuditAction, AuditEvent, AuditEventSite


def _trusted_proxy(address: str) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in ip_network(net, strict=False) for net in settings.TRUSTED_PROXY_ADDRESSES)


def client_address(request: HttpRequest | None) -> str | None:
    """Return the client's IP address, from the proxy header only when a trusted proxy sent it.

    Anyone can write the header, so it is read only on a connection from TRUSTED_PROXY_ADDRESSES;
    of its comma-separated list, the client is the right-most address that is not one of those
    proxies (the left-most entries may have been written by the client itself).
    """
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    header = settings.TRUSTED_PROXY_IP_HEADER
    if header and _trusted_proxy(candidate) and request.META.get(header):
        hops = [hop.strip() for hop in request.META[header].split(",")]
        candidate = next((hop for hop in reversed(hops) if not _trusted_proxy(hop)), hops[0])
    try:
        return str(ip_address(candidate))
    except ValueError:
        return None


def _plain(value: Any) -> Any:
    """Make a field value JSON-safe for the `changes` column."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def stored_value(value: Any) -> Any:
    """A field value as the `changes` column keeps it (a date as ISO text, a number as text, a
    record by id): what a reader compares the audit rows' values with (a record's history)."""
    return _plain(value)


# PostgreSQL refuses U+0000 in text and jsonb ("unsupported Unicode escape sequence"), and anyone
# can type one into a query string, a form or a file name. The audit trail stores every string the
# user gave it, so it shows NUL as the replacement character rather than failing the request.
NUL = "\x00"
NUL_SHOWN = "\ufffd"


def _storable(value: Any) -> Any:
    """Return `value` with NUL replaced in every string it holds (keys too, at any depth)."""
    if isinstance(value, str):
        return value.replace(NUL, NUL_SHOWN)
    if isinstance(value, Mapping):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


# Ends a string cut to fit its column, so that a cut one never reads as what was typed. No
# username may contain it (letters, digits and @.+-_ only), so a cut name names no account.
CUT_MARK = "\u2026"


def shortened(text: str, limit: int) -> str:
    """`text` if it has at most `limit` characters, else its start and CUT_MARK, `limit` in all."""
    return text if len(text) <= limit else text[: limit - 1] + CUT_MARK


def audit_event(
    *,
    action: AuditAction,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    patient: Any = None,
    changes: Mapping[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    """The event `audit_record` writes, not yet saved: for a writer that inserts many at once
    (`AuditEvent.objects.bulk_create`)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
        sites_recorded=True,
        action=action,
        actor=actor,
        username=_storable(
            shortened(
                username or (actor.get_username() if actor is not None else ""),
                USERNAME_LENGTH,
            )
        ),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=_storable(str(obj.pk)) if obj is not None else "",
        patient=patient,
        changes=_storable({key: _plain_change(value) for key, value in (changes or {}).items()}),
        client_address=client_address(request),
    )


def audit_record(
    *,
    action: AuditAction,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    patient: Any = None,
    changes: Mapping[str, Any] | None = None,
    username: str = "",
    listed: Sequence[int] | None = None,
    sites: Iterable[Any] = (),
) -> AuditEvent:
    """Write one audit event; call it inside the transaction of the change it records.

    An event naming no patient is written with the sites it concerns (`_sites_concerned`):
    `listed`, the patients a list or export showed; `sites`, sites it concerns besides those of
    its people (an account's former sites).
    """
    event = audit_event(
        action=action,
        actor=actor,
        request=request,
        obj=obj,
        patient=patient,
        changes=changes,
        username=username,
    )
    if patient is not None:
        # One INSERT, atomic by itself: a patient's events follow the patient.
        event.save(force_insert=True)
        return event
    concerned = _sites_concerned(
        actor=event.actor, obj=obj, username=event.username, listed=listed, sites=sites
    )
    with transaction.atomic(savepoint=False):
        event.save(force_insert=True)
        AuditEventSite.objects.bulk_create(
            AuditEventSite(event=event, site_id=site_id) for site_id in sorted(concerned)
        )
    return event


# Patient ids per query when looking up the sites of a list's patients: below SQLite's limit of
# bound parameters, and a cohort export may list tens of thousands.
SITE_LOOKUP_CHUNK = 5000


def _sites_concerned(
    *,
    actor: Any,
    obj: models.Model | None,
    username: str,
    listed: Sequence[int] | None,
    sites: Iterable[Any],
) -> set[int]:
    """The sites whose administrators read an event naming no patient, fixed when it is written.

    - A list or export (`listed` given): the sites of the patients it showed; when it showed none,
      the actor's active sites.
    - Any other event: the active sites of its people (the actor; the account it concerns; with
      no actor, the account a failed login named), the site it concerns (its settings) or the
      site of the record it concerns (a scanner), and `sites`.
    None found (a failed login for an unknown name, an actor of no site): see
    `selectors.audit_events_for_user`.
    """
    if listed:
        patients = AuditEvent._meta.get_field("patient").related_model._default_manager
        ids = sorted(set(listed))
        shown: set[int] = set()
        for start in range(0, len(ids), SITE_LOOKUP_CHUNK):
            chunk = ids[start : start + SITE_LOOKUP_CHUNK]
            shown.update(patients.filter(pk__in=chunk).values_list("site_id", flat=True))
        if shown:
            return shown
    people = Q(pk__in=[actor.pk]) if actor is not None else Q(pk__in=[])
    if listed is None:
        if isinstance(obj, User):
            people |= Q(pk=obj.pk)
        if actor is None and username:
            people |= Q(username__iexact=username)
    found = set(
        Site.objects.filter(is_active=True, users__in=User.objects.filter(people))
        .values_list("pk", flat=True)
        .distinct()
    )
    if listed is None:
        if isinstance(obj, Site):
            found.add(obj.pk)
        elif (site_id := getattr(obj, "site_id", None)) is not None:
            found.add(site_id)
        found.update(getattr(site, "pk", site) for site in sites)
    return found


def _plain_change(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return _plain(value)


def model_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for the fields whose value differs."""
    return {
        name: [_plain(before.get(name)), _plain(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def field_values(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """Snapshot the named concrete fields of a model instance (foreign keys by id)."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[name] = getattr(instance, getattr(field, "attname", name))
    return values


def _applied(filters: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _plain(value) for key, value in filters.items() if value}


def audit_export_record(
    *, actor: Any, filters: Mapping[str, Any], rows: int, request: HttpRequest | None = None
) -> AuditEvent:
    """Audit an export of the audit trail: who, which filters, how many rows."""
    return audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        request=request,
        changes={"export": "audit trail CSV", "filters": _applied(filters), "rows": rows},
    )


def audit_trail_view_record(
    *,
    actor: Any,
    filters: Mapping[str, Any],
    page: int,
    rows: int,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Audit a page of the audit trail viewer, as its export is (sec10 F3): it lists patients'
    MRNs, who read their records and from where. The filters applied (an invalid form applies
    none), the page number and how many events matched; its sites are the viewer's, like every
    event of theirs naming no patient."""
    return audit_record(
        action=AuditAction.VIEW,
        actor=actor,
        request=request,
        changes={"shown": "audit trail", "filters": _applied(filters), "page": page, "rows": rows},
    )


def audit_list_record(
    *,
    actor: Any,
    shown: str,
    patient_ids: Sequence[int],
    details: Mapping[str, Any] | None = None,
    action: AuditAction = AuditAction.VIEW,
    request: HttpRequest | None = None,
    username: str = "",
) -> AuditEvent:
    """Audit one view (or export) of a list of patients: one row naming every patient shown.

    `shown` names the page or export; `details` holds its search query or filters. Empty details
    are left out.
    """
    return audit_record(
        action=action,
        actor=actor,
        request=request,
        username=username,
        listed=patient_ids,
        changes={
            "shown": shown,
            **{key: value for key, value in (details or {}).items() if value not in (None, "")},
            "patients": sorted(set(patient_ids)),
        },
    )
