"""The registration's check for possible duplicates, made again at the save under locks.

Two people registering one patient at the same moment ("DUP-1-X" and "DUP1X", the same name and
birth date: sec9 F5) each passed the form's check before either had saved, and both were stored.
The save now takes turns with every registration that could be the same person: one
transaction-scoped PostgreSQL advisory lock per (site, birth date) and one per (site, folded MRN),
the two keys `possible_duplicates` reads by. Under them it checks again; a match the user's tick
did not cover refuses the save, and the form lists it as when the registrations came one after
the other. Registrations of different people (another birth date, another MRN) take other locks
and never wait for each other. A unique constraint cannot do this: a possible duplicate may be
registered anyway, after the tick.
"""

import hashlib
from collections.abc import Collection, Sequence
from datetime import date

from django.db import connection
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

from bonehealth.accounts.models import Site, User
from bonehealth.audit.concurrency import RecordConflictError
from patients.models import Patient
from patients.search import folded_mrn
from patients.selectors import patients_seen_among, possible_duplicates

# The form field of the tick that registers a possible duplicate anyway.
CONFIRM_FIELD = "confirm_not_duplicate"
# How many of the possible duplicates the warning describes (the others are counted).
DESCRIBED = 3
# The patient's page, served by the monitoring app: linked by URL name, never imported.
PATIENT_PAGE = "monitoring:patient"


def _page_link(patient: Patient, words: str) -> SafeString:
    # A new tab: what was typed on the registration form stays there (nurse14 #8).
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a>',
        reverse(PATIENT_PAGE, args=[patient.pk]),
        words,
    )


def _described(patient: Patient, seen: Collection[int]) -> SafeString:
    words = f"MRN {patient.mrn}, {patient.name or 'no name'}, born {patient.birth_date:%Y-%m-%d}"
    return _page_link(patient, words) if patient.pk in seen else conditional_escape(words)


def duplicates_warning(
    site: Site, found: Sequence[Patient], *, seen: Collection[int] = frozenset()
) -> SafeString:
    """The warning beside the tick, naming the patients who may be this one; each the user may
    see (`seen`: `selectors.patients_seen_among`) linked to their page (nurse14 #8)."""
    shown = found[:DESCRIBED]
    described = format_html_join("; ", "{}", ((_described(patient, seen),) for patient in shown))
    more = f" (and {len(found) - DESCRIBED} more)" if len(found) > DESCRIBED else ""
    how = (
        "each link opens that patient's page in a new tab"
        if any(patient.pk in seen for patient in shown)
        else "open the patient list in another tab"
    )
    return format_html(
        "Possibly registered already at {}: {}{}. Check that this is a different patient ({}), "
        "then tick this to register anyway.",
        site,
        described,
        more,
        how,
    )


def registered_already(message: str, holder: Patient, *, seen: Collection[int]) -> str:
    """A refusal of an MRN registered already (`message`), with a link to the page of the patient
    holding it when the user may see her (nurse14 #8)."""
    if holder.pk not in seen:
        return message
    return format_html(
        "{} {} (opens in a new tab).", message, _page_link(holder, "Open that patient's page")
    )


class PossibleDuplicateError(RecordConflictError):
    """A possible duplicate the user has not confirmed is a different patient was registered
    meanwhile (found under the registration locks); nothing was saved."""

    def __init__(self, site: Site, found: Sequence[Patient]) -> None:
        self.site = site
        self.found = list(found)
        super().__init__(CONFIRM_FIELD, duplicates_warning(site, found))


def registration_conflict_words(conflict: RecordConflictError, *, user: User) -> str:
    """What a refused registration or patient edit says, the patients it names that `user` may
    see linked to their pages: the possible duplicates, or the patient holding the MRN."""
    if isinstance(conflict, PossibleDuplicateError):
        seen = patients_seen_among(user=user, ids=[patient.pk for patient in conflict.found])
        return duplicates_warning(conflict.site, conflict.found, seen=seen)
    holder = conflict.existing
    if isinstance(holder, Patient):
        seen = patients_seen_among(user=user, ids=[holder.pk])
        return registered_already(str(conflict), holder, seen=seen)
    return str(conflict)


def _lock_key(*parts: object) -> int:
    """A signed 64-bit advisory-lock key for `parts` (stable across processes and servers)."""
    text = "\x1f".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big", signed=True)


def registration_lock(*, site_id: int, birth_date: date, mrn: str) -> None:
    """Take turns, until the commit, with the registrations that could be the same person: the
    same site and birth date, or the same site and MRN but for its punctuation.

    The keys are taken in one order (sorted), so two registrations sharing one key and not the
    other never wait for each other in a cycle. SQLite lets one writer in at a time anyway.
    """
    if connection.vendor != "postgresql":
        return
    keys = {_lock_key("patient birth date", site_id, birth_date.isoformat())}
    if folded_mrn(mrn):
        keys.add(_lock_key("patient folded MRN", site_id, folded_mrn(mrn)))
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def refuse_unconfirmed_duplicates(
    *, site: Site, mrn: str, name: str, birth_date: date, confirmed: Collection[int]
) -> None:
    """Raise PossibleDuplicateError when a possible duplicate is not among the `confirmed` ids
    (those the form listed beside the tick the user gave). Call under `registration_lock`."""
    found = possible_duplicates(site=site, mrn=mrn, name=name, birth_date=birth_date)
    if any(patient.pk not in confirmed for patient in found):
        raise PossibleDuplicateError(site, found)
