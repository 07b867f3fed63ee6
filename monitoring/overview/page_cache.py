"""Rendered pages, cached under keys that change whenever what they show changes.

The patient page, the dashboard and the worklist render a body from many rows. The body is cached
under a key made of the versions of the data it shows (monitoring.assessment.versions), today's
date (the
pages word dates relative to it), the request's path and query, and the viewer's permissions (which
links and forms the body holds): viewers with the same permissions share it. The whole page (the
navigation around the body, which names the viewer) is cached too, under the same key plus the
viewer, except while a message waits to be shown. The view still runs its access checks and writes
its audit row on every request: only the rendering of data nobody has changed is skipped. A list
page's audit row names the patients it shows: their ids are cached with the body, under its key.

Forms in a cached body carry a placeholder in place of the CSRF token, swapped for the viewer's
token on the way out. The placeholder holds a raw double quote, which escaped text (every value
from the database) can never contain, so nothing but the placeholder is ever swapped.
"""

import hashlib
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

# The context key of the ids of the patients a page shows, kept with its body for the audit.
SHOWN = "shown_patient_ids"
CSRF_PLACEHOLDER = mark_safe('csrf-token"placeholder')
_RENDERED_PLACEHOLDER = f'value="{CSRF_PLACEHOLDER}"'


def permissions_key(user: Any) -> str:
    """A short digest of the user's permissions (what decides the links and forms shown)."""
    cached = getattr(user, "_page_cache_permissions_key", None)
    if cached is None:
        names = "\n".join(sorted(user.get_all_permissions()))
        cached = hashlib.sha256(names.encode()).hexdigest()[:16]
        user._page_cache_permissions_key = cached
    return cached


def cache_key(request: HttpRequest, page: str, versions: Hashable) -> str:
    parts = (
        page,
        versions,
        timezone.localdate().isoformat(),
        request.get_full_path(),
        permissions_key(request.user),
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _body(
    request: HttpRequest,
    *,
    page: str,
    versions: Hashable,
    template_name: str,
    context: Callable[[], dict[str, Any]],
) -> tuple[str, list[int]]:
    """The body with the CSRF placeholder still in it, and the ids of the patients it shows
    (the context's `SHOWN`), from the cache when `versions` match."""
    key = cache_key(request, page, versions)
    cached: tuple[str, list[int]] | None = cache.get(key)
    if cached is None:
        values = context()
        body = render_to_string(template_name, values | {"csrf_token": CSRF_PLACEHOLDER}, request)
        cached = (body, list(values.get(SHOWN, [])))
        cache.set(key, cached, settings.PAGE_CACHE_SECONDS)
    return cached


def _with_token(request: HttpRequest, html: str) -> str:
    if _RENDERED_PLACEHOLDER in html:
        html = html.replace(_RENDERED_PLACEHOLDER, f'value="{get_token(request)}"')
    return html


def cached_page(
    request: HttpRequest,
    *,
    page: str,
    versions: Hashable,
    template_name: str,
    body_template_name: str,
    context: Callable[[], dict[str, Any]],
    page_context: Callable[[str], dict[str, Any]] = lambda body: {},
    audit: Callable[[list[int]], None] | None = None,
) -> HttpResponse:
    """The page `template_name` renders around the cached body (given to it as `body`).

    The whole page is cached per viewer (the navigation shows their name); `page_context(body)`
    adds what the page around the body needs. A page with a message waiting is rendered afresh,
    shows the message, and is not kept. `audit` is called on every request, cached or not, with
    the ids of the patients the page shows (the `SHOWN` list of `context()`, kept with the body).
    """
    user: Any = request.user
    viewer = (user.pk, user.get_full_name(), user.get_username())
    key = cache_key(request, f"{page}:page", (versions, viewer))
    showing_messages = len(get_messages(request)) > 0
    cached: tuple[str, list[int]] | None = None if showing_messages else cache.get(key)
    if cached is None:
        body, shown = _body(
            request,
            page=page,
            versions=versions,
            template_name=body_template_name,
            context=context,
        )
        html = render_to_string(
            template_name,
            {"body": mark_safe(body), "csrf_token": CSRF_PLACEHOLDER} | page_context(body),  # noqa: S308 (rendered by our templates)
            request,
        )
        cached = (html, shown)
        if not showing_messages:
            cache.set(key, cached, settings.PAGE_CACHE_SECONDS)
    page_html, shown = cached
    if audit is not None:
        audit(shown)
    return HttpResponse(_with_token(request, page_html))


def cached_fragments[T](
    name: str,
    items: Sequence[T],
    *,
    key: Callable[[T], Hashable],
    render: Callable[[list[T]], list[str]],
) -> list[str]:
    """The HTML of each item, from the cache where `key(item)` matches, `render` for the rest.

    For the rows of a page that changes as a whole while most rows stay the same (after any change
    at a site, the dashboard's patients are mostly those of the last view). `key` must change
    whenever anything the item's HTML shows changes, and the HTML must hold nothing that depends
    on the viewer: rows are shared by every viewer.
    """
    keys = [
        f"fragment:{name}:" + hashlib.sha256(repr(key(item)).encode()).hexdigest() for item in items
    ]
    found: dict[str, str] = cache.get_many(keys)
    missing = [(k, item) for k, item in zip(keys, items, strict=True) if k not in found]
    if missing:
        rendered = dict(
            zip(
                [k for k, _ in missing],
                render([item for _, item in missing]),
                strict=True,
            )
        )
        cache.set_many(rendered, settings.PAGE_CACHE_SECONDS)
        found |= rendered
    return [mark_safe(found[k]) for k in keys]  # noqa: S308 (rendered by our templates)
