"""The dashboard's and the worklist's lists, cached until a patient at the user's sites changes.

Both pages show many patients at once, so a view reads and renders thousands of rows (about 100 ms
at 10,000 patients, bench/README.md, "Issue 13's page targets"); viewed again with nothing changed,
the cached part is reused and only the page around it is drawn (the filter form, the forms with a
CSRF token, which never enter the cache, and the audit row written on every view).

The key is `records_key`: three sums over the stored assessments of the patients at the user's
sites (how many, their ids, their `records_version`). Every service that changes what a patient
shows raises that patient's `records_version` inside the writer's transaction (a reassessment
after every clinical write and every change to the patient record, including a move to another
site, an end of follow-up or an error mark; an acknowledgement; a scanner's LSC change), so the
sum grows with every committed change; a patient who arrives at or leaves the user's sites
changes the count and the sum of ids. No row is shared by the writers, so two writes never wait
for each other, and the key is read from the database on every view, so it is the same in every
process and on every app server, whatever cache the settings choose. The key is read before the
parts it keys: a part computed during a write is at least as new as its key. Site names and
codes, the user's permissions, the request's whole query string and today's date (what is
overdue) are in the key too. The patients at a site are found by the site copied on each stored
assessment (kept by every reassessment, in the transaction that moves the patient): a cache key,
never an access decision, which the parts themselves read through the access gate.
"""

import functools
from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Sum
from django.forms import Form
from django.utils import timezone

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.models import Site
from monitoring.models import PatientAssessment
from monitoring.overview.cache_keys import shown_key
from monitoring.overview.patient import permissions_digest


def site_records_keys(sites: Iterable[Site]) -> dict[int, str]:
    """The state of the records of every patient at each of `sites`, in one aggregate (1.3 ms
    at 10,000 patients, index-only): each changes with every committed change to one of them."""
    ids = [site.pk for site in sites]
    totals = (
        PatientAssessment.objects.filter(site__in=ids)
        .values("site")
        .annotate(
            patients=Count("pk"),
            ids=Sum("patient_id"),
            versions=Sum("records_version"),
            # Weighted by id: two patients swapping places with equal sums still change the key.
            weighted=Sum(F("patient_id") * F("records_version")),
        )
        .order_by()
    )
    keys = dict.fromkeys(ids, "0")
    for row in totals:
        keys[row["site"]] = ":".join(
            str(row[name]) for name in ("patients", "ids", "versions", "weighted")
        )
    return keys


def records_key(sites: Iterable[Site]) -> str:
    """The state of the records of every patient at `sites`."""
    return joined_records_key(site_records_keys(sites))


def joined_records_key(keys: dict[int, str]) -> str:
    """The state of the records of every patient at the sites of `keys` (`site_records_keys`)."""
    return "/".join(f"{pk}={keys[pk]}" for pk in sorted(keys))


def _cacheable(request: AuthenticatedHttpRequest, form: Form, pages: Collection[str]) -> bool:
    """Only the first pages, with valid filters and nothing else in the query, are cached: a
    clinician views them again and again, while a query made up by hand (other parameters,
    page after page) would fill the cache with parts nobody views again (~100 KB each)."""
    known = set(form.fields) | set(pages)
    first = all(request.GET.get(name, "1") == "1" for name in pages)
    return set(request.GET) <= known and first and (not form.is_bound or form.is_valid())


def cached_part[T](
    request: AuthenticatedHttpRequest,
    name: str,
    sites: list[Site],
    build: Callable[[], T],
    *extra: Any,
    form: Form,
    pages: Collection[str],
    records: str | None = None,
) -> T:
    """`build()`, or what it returned for the same user, sites, query and records before (on
    the first of the page's `pages`, filtered by its valid `form`); `records` is `records_key`
    of the sites when the caller has read it already."""
    if not _cacheable(request, form, pages):
        return build()
    parts = [
        name,
        str(request.user.pk),
        permissions_digest(request.user),
        timezone.localdate().isoformat(),
        request.get_full_path(),
        *(f"{site.pk}|{site.code}|{site.name}|{site.lab_units}" for site in sites),
        records if records is not None else records_key(sites),
        *(str(value) for value in extra),
    ]
    key = "overview:" + shown_key(parts)
    return cache.get_or_set(key, build, settings.PAGE_CACHE_SECONDS)  # type: ignore[return-value]


def cached_site_parts[T](
    request: AuthenticatedHttpRequest,
    name: str,
    sites: list[Site],
    keys: dict[int, str],
    build: Callable[[Site], T],
    *extra: Any,
) -> list[T]:
    """`build(site)` for each of `sites`, or what it returned for the same user, site, records
    (`keys`, from `site_records_keys`) and `extra` before: after a change at one site, only that
    site's part is built again."""
    parts: list[T] = []
    for site in sites:
        key = "overview-site:" + shown_key([name, request.user.pk, site.pk, keys[site.pk], *extra])
        part = cache.get_or_set(key, functools.partial(build, site), settings.PAGE_CACHE_SECONDS)
        parts.append(part)  # type: ignore[arg-type]
    return parts
