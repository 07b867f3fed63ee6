"""Login security glue: the client address for django-axes and the session keys used after login."""

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.audit.services import client_address

# Session keys written at login (bonehealth/accounts/signals.py) and read by the middleware.
LOGIN_AT_SESSION_KEY = "bonehealth_login_at"
HAS_OTP_DEVICE_SESSION_KEY = "bonehealth_has_otp_device"
# When the idle expiry was last pushed forward (IdleSessionRenewalMiddleware).
RENEWED_AT_SESSION_KEY = "bonehealth_renewed_at"

# Holding this permission makes two-factor authentication compulsory.
TWO_FACTOR_REQUIRED_PERMISSION = "accounts.manage_users"


def axes_client_address(request: HttpRequest) -> str | None:
    """Give django-axes the same client address as the audit trail (trusted proxy header aware)."""
    return client_address(request) or request.META.get("REMOTE_ADDR")


def two_factor_required(request: HttpRequest) -> bool:
    """Say whether this logged-in user must pass a TOTP check before any page.

    Admins always must (set-up page if they have no device yet); anyone who enabled a device must
    too.
    """
    if request.session.get(HAS_OTP_DEVICE_SESSION_KEY):
        return True
    return request.user.has_perm(TWO_FACTOR_REQUIRED_PERMISSION)


def idle_seconds_left(request: HttpRequest) -> int:
    """Seconds until the server ends this logged-in session if no request comes (at least 1).

    The sooner of two ends (security8 N2): the idle limit, counted from the last renewal, when the
    session was saved with a fresh expiry of SESSION_COOKIE_AGE (IdleSessionRenewalMiddleware,
    which this request's own renewal may just have been); and the absolute limit,
    SESSION_ABSOLUTE_SECONDS after login (AbsoluteSessionLimitMiddleware), which no activity
    extends. The page's warning (static/js/idle.js) thus comes before either.
    """
    now = timezone.now().timestamp()
    renewed = float(request.session.get(RENEWED_AT_SESSION_KEY, now))
    logged_in = float(request.session.get(LOGIN_AT_SESSION_KEY, now))
    ends = min(renewed + settings.SESSION_COOKIE_AGE, logged_in + settings.SESSION_ABSOLUTE_SECONDS)
    return max(int(ends - now), 1)
