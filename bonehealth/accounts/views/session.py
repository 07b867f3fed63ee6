"""The idle timer's keep-alive: typing in a page is no request, so the page asks for one."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bonehealth.accounts.security import idle_seconds_left


@login_not_required  # answers 401 itself: a script reads the answer, not a person a login page
@never_cache
@require_GET
def keep_alive(request: HttpRequest) -> JsonResponse:
    """Say how long this session lasts without another request, renewed by this one.

    static/js/idle.js asks while the user types into a page, at most once per
    SESSION_RENEW_SECONDS; IdleSessionRenewalMiddleware has renewed the idle expiry before this
    view runs, as for any page. Nothing is written here, and nothing audited: it reads no record.
    An ended session is not revived (401): the page then goes to the login page.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse({"signed_in": True, "idle_seconds_left": idle_seconds_left(request)})
