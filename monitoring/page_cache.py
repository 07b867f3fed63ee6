"""Rendered page bodies, cached under keys that change whenever what they show changes.

The patient page, the dashboard and the worklist render a body from many rows. The body is cached
under a key made of the versions of the data it shows (monitoring.versions), today's date (the
pages word dates relative to it), the request's path and query, and the viewer's permissions (which
links and forms the body holds). The view still runs its access checks and writes its audit row on
every request: only the rendering of data nobody has changed is skipped.

Forms in a cached body carry a placeholder in place of the CSRF token, swapped for the viewer's
token on the way out. The placeholder holds a raw double quote, which escaped text (every value
from the database) can never contain, so nothing but the placeholder is ever swapped.
"""

import hashlib
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

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


def cached_body(
    request: HttpRequest,
    *,
    page: str,
    versions: Hashable,
    template_name: str,
    context: Callable[[], dict[str, Any]],
) -> str:
    """The body `template_name` renders from `context()`, from the cache when `versions` match.

    `context` is only called on a miss; `versions` must change whenever anything the body shows
    changes.
    """
    key = cache_key(request, page, versions)
    body: str | None = cache.get(key)
    if body is None:
        body = render_to_string(
            template_name, context() | {"csrf_token": CSRF_PLACEHOLDER}, request
        )
        cache.set(key, body, settings.PAGE_CACHE_SECONDS)
    if _RENDERED_PLACEHOLDER in body:
        body = body.replace(_RENDERED_PLACEHOLDER, f'value="{get_token(request)}"')
    return body
