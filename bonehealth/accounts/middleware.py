"""Checks on each request of a logged-in user: session age and idle expiry, TOTP step, forced
password change.

Each redirects to the one page that resolves it; that page, logout and the health check stay open.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from bonehealth.accounts.security import (
    LOGIN_AT_SESSION_KEY,
    RENEWED_AT_SESSION_KEY,
    two_factor_required,
)

# Pages a user half-way through login may open.
_ALWAYS_OPEN = {"accounts:login", "accounts:logout", "health"}
_TWO_FACTOR_PAGES = {"accounts:otp_verify", "accounts:otp_setup"}
_PASSWORD_PAGES = {"accounts:password_change", "accounts:password_change_done"}


def _view_name(request: HttpRequest) -> str:
    match = request.resolver_match
    return match.view_name if match is not None else ""


def _redirect_with_next(request: HttpRequest, url_name: str) -> HttpResponse:
    from django.urls import reverse

    target = reverse(url_name)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return redirect(target)


# Not a page a user reads (health), or one that says itself what happened (logout).
_NO_SESSION_END_MESSAGE = {"accounts:logout", "health"}


def _not_saved(request: HttpRequest) -> str:
    """What a request that found its session ended lost, for the login page's message."""
    if request.method == "POST":
        return "What you had entered was not saved: log in, then enter it again."
    return "Anything you had entered but not saved must be entered again after you log in."


def _duration(seconds: int) -> str:
    if seconds % 60:
        return f"{seconds} seconds"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _save_without_login(request: HttpRequest, view_func: Any) -> bool:
    """A form posted to a page that needs a login, by a browser with no session at all: its
    user logged out in another tab (which removed the session cookie), so the cookie test of
    `SessionEndedMiddleware` cannot tell (nurse9 F15: the login page said nothing, and the
    empty form after login read as if the save had gone through)."""
    return (
        request.method == "POST"
        and not request.user.is_authenticated
        and getattr(view_func, "login_required", True)
    )


class SessionEndedMiddleware:
    """Tell a user whose session ended (idle limit, or ended from elsewhere) that it did, and that
    what they had entered was not saved, on the login page the request is sent to.

    A request carried a session cookie that no longer names a live session: the session store
    loaded nothing for it (its key is gone). Nothing the request posted is kept for later: an
    anonymous request's data stays out of the server (it may be a patient's). A first visit, with
    no cookie, gets no message. Placed before AbsoluteSessionLimitMiddleware, whose own logout
    says why, and before LoginRequiredMiddleware, which redirects to the login page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        # `session_key` is None (or a new key) once the store found nothing for the cookie's key;
        # reading the user has loaded the session.
        request.session_ended = bool(  # type: ignore[attr-defined]
            sent and not request.user.is_authenticated and request.session.session_key != sent
        )
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> None:
        if not getattr(request, "session_ended", False):
            if _save_without_login(request, view_func):
                messages.warning(
                    request,
                    "You were not logged in when you saved (you logged out in another tab or "
                    f"window, or the session ended). {_not_saved(request)}",
                )
            return
        name = _view_name(request)
        if name in _NO_SESSION_END_MESSAGE or (
            name == "accounts:login" and request.method == "POST"
        ):
            return
        idle = _duration(settings.SESSION_COOKIE_AGE)
        messages.warning(
            request,
            f"Your session has ended (after {idle} without activity, or it was ended from"
            f" elsewhere). {_not_saved(request)}",
        )


class AbsoluteSessionLimitMiddleware:
    """End a session SESSION_ABSOLUTE_SECONDS after login, however active it has been."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.get(LOGIN_AT_SESSION_KEY)
            if started is None:
                # A session from before this check existed: its clock starts now.
                request.session[LOGIN_AT_SESSION_KEY] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                hours = settings.SESSION_ABSOLUTE_SECONDS / 3600
                messages.info(
                    request,
                    f"Your session reached its {hours:g}-hour limit. Please log in again."
                    f" {_not_saved(request)}",
                )
        return self.get_response(request)


class NoStoreMiddleware:
    """Forbid browsers and proxies to store any response to a logged-in user.

    Patient data must not stay in a shared workstation's disk cache or come back with the Back
    button after logout. The user is read before the view too, so a logout response is covered.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        authenticated = request.user.is_authenticated
        response = self.get_response(request)
        if authenticated or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class IdleSessionRenewalMiddleware:
    """Push a logged-in user's idle expiry forward, writing the session at most once a minute.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) costs an UPDATE and a commit
    per page. Here the session is marked modified, and so saved with a fresh expiry of
    SESSION_COOKIE_AGE, only when its last renewal is SESSION_RENEW_SECONDS old or more; the idle
    limit can therefore end a session up to that much early, never late.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            renewed = request.session.get(RENEWED_AT_SESSION_KEY)
            if renewed is None or now - float(renewed) >= settings.SESSION_RENEW_SECONDS:
                request.session[RENEWED_AT_SESSION_KEY] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """Send a user who must use TOTP and has not yet done so in this session to the TOTP step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user: Any = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if _view_name(request) in _ALWAYS_OPEN | _TWO_FACTOR_PAGES:
            return None
        if not two_factor_required(request):
            return None
        return _redirect_with_next(request, "accounts:otp_verify")


class PasswordChangeRequiredMiddleware:
    """Keep a user whose password an administrator reset on the password change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user: Any = request.user
        if not user.is_authenticated or not user.must_change_password:
            return None
        if _view_name(request) in _ALWAYS_OPEN | _TWO_FACTOR_PAGES | _PASSWORD_PAGES:
            return None
        messages.info(request, "Your password was reset. Choose a new password to continue.")
        return redirect("accounts:password_change")
