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

The dashboard's counts, whatever its page and filters, are kept finer: per span of patient ids
at each site (`cached_span_parts`, keyed by the same sums over each span's patients), so after a
change to one patient only the few hundred patients of their span are counted again.
"""

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Sum
from django.forms import Form
from django.utils import timezone

from bonehealth.accounts.http import AuthenticatedHttpRequest
from bonehealth.accounts.models import Site
from monitoring.models import PatientAssessment
from monitoring.overview.cache_keys import shown_key, span_of
from monitoring.overview.patient import permissions_digest


def _records_states(ids: list[int], *, by_span: bool) -> Iterable[dict[str, Any]]:
    """Per site (and per span of patient ids), sums over the stored assessments that change
    with every committed change to one of them, read from the index alone and in its order."""
    group = {"span": span_of("patient_id")} if by_span else {}
    return (
        PatientAssessment.objects.filter(site__in=ids)
        .annotate(**group)
        .values("site", *group)
        .annotate(
            patients=Count("pk"),
            ids=Sum("patient_id"),
            versions=Sum("records_version"),
            # Weighted by id: two patients swapping places with equal sums still change the key.
            weighted=Sum(F("patient_id") * F("records_version")),
        )
        .order_by()
    )


def _state_key(row: Mapping[str, Any]) -> str:
    return ":".join(str(row[name]) for name in ("patients", "ids", "versions", "weighted"))


def site_records_keys(sites: Iterable[Site]) -> dict[int, str]:
    """The state of the records of every patient at each of `sites`, in one aggregate (1.1 ms
    at 10,000 patients, index-only): each changes with every committed change to one of them."""
    ids = [site.pk for site in sites]
    keys = dict.fromkeys(ids, "0")
    for row in _records_states(ids, by_span=False):
        keys[row["site"]] = _state_key(row)
    return keys


def span_records_keys(sites: Iterable[Site]) -> dict[int, dict[int, str]]:
    """`site_records_keys` for each span of patient ids (`cache_keys.SPAN`) at each of `sites`,
    in one aggregate (2.3 ms at 10,000 patients, bench/README.md)."""
    ids = [site.pk for site in sites]
    keys: dict[int, dict[int, str]] = {pk: {} for pk in ids}
    for row in _records_states(ids, by_span=True):
        keys[row["site"]][row["span"]] = _state_key(row)
    return keys


def sites_of(spans: dict[int, dict[int, str]]) -> dict[int, str]:
    """The state of each site's records from that of its spans (`span_records_keys`)."""
    return {
        site: ",".join(f"{span}={key}" for span, key in sorted(keys.items()))
        for site, keys in spans.items()
    }


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


def cached_span_parts[T](
    request: AuthenticatedHttpRequest,
    name: str,
    sites: list[Site],
    keys: dict[int, dict[int, str]],
    build: Callable[[Site, list[int] | None], dict[int, T]],
    empty: Callable[[], T],
    *extra: Any,
) -> list[T]:
    """The part of each span of patient ids at each of `sites`: what `build(site, spans)` gave
    for the same user, site, span records (`keys`, from `span_records_keys`) and `extra`
    before, and for the spans whose records changed, built again in one call per site (spans
    None: all of them; a span it leaves out has the part `empty()`). Each site's parts are one
    cache entry, each part kept beside the records it was built for, so two processes that
    each build some spans of one site at once can only lose each other's work, never serve a
    stale part."""
    parts: list[T] = []
    for site in sites:
        key = "overview-spans:" + shown_key([name, request.user.pk, site.pk, *extra])
        kept: dict[int, tuple[str, T]] = cache.get(key) or {}
        now = keys[site.pk]
        stale = [span for span, state in now.items() if kept.get(span, ("",))[0] != state]
        if stale:
            # Every span (after a restart, or the nightly reassessment): no ranges to narrow to.
            built = build(site, stale if len(stale) < len(now) else None)
            for span in stale:
                kept[span] = (now[span], built[span] if span in built else empty())
        current = {span: kept[span] for span in now}
        if stale or len(current) != len(kept):
            cache.set(key, current, settings.PAGE_CACHE_SECONDS)
        parts.extend(part for _state, part in current.values())
    return parts
