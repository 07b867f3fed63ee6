"""Request type for views behind the login (LoginRequiredMiddleware guarantees a real user), and
where a `next` parameter may send the user."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from bonehealth.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def safe_next_path(request: HttpRequest, candidate: str) -> str | None:
    """`candidate` if it is a path on this site ("/patients/"), else None: a relative one
    ("abc") would resolve against the current page, and `redirect` takes it for a view name."""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None
