"""Pin a user who has just written to the primary, across requests, for REPLICA_PIN_SECONDS."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from bonehealth.replica.state import SAFE_METHODS, begin_request, end_request

# Session key: until when (Unix time) this user reads from the primary. The session is in the
# primary database, so every app server sees it.
PIN_SESSION_KEY = "_replica_pinned_until"


class ReplicaPinMiddleware:
    """Set the request's routing state; after a POST or a write, pin the session for a while.

    Place it after AuthenticationMiddleware. Only installed when a replica is configured.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        unsafe = request.method not in SAFE_METHODS
        session = getattr(request, "session", None)
        pinned_until = 0.0
        # Read the session only when the browser sent one: /health/ stays session-free.
        if session is not None and settings.SESSION_COOKIE_NAME in request.COOKIES:
            pinned_until = float(session.get(PIN_SESSION_KEY, 0))
        state, token = begin_request(pinned=unsafe or pinned_until > time.time())
        try:
            response = self.get_response(request)
        finally:
            end_request(token)
        user = getattr(request, "user", None)
        # Anonymous POSTs (failed logins) never create a session row just to pin it.
        if (unsafe or state.wrote) and session is not None and user and user.is_authenticated:
            session[PIN_SESSION_KEY] = time.time() + settings.REPLICA_PIN_SECONDS
        return response
