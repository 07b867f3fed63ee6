"""Receivers for events Django and django-axes report only through signals.

At login: note the login time (absolute session limit, idle renewal) and whether the user has a
TOTP device.
At a lockout, and at each attempt refused while paused: log it for the operators. The audit
trail has one row for the failure that reached the limit (bonehealth.audit.signals marks it
locked_out) and none for the refused attempts after it.
"""

import logging
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django_otp import user_has_device

from bonehealth.accounts.security import (
    HAS_OTP_DEVICE_SESSION_KEY,
    LOGIN_AT_SESSION_KEY,
    RENEWED_AT_SESSION_KEY,
)

logger = logging.getLogger("bonehealth.security")


@receiver(user_logged_in)
def note_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now().timestamp()
    request.session[LOGIN_AT_SESSION_KEY] = now
    # Login saves the session with a fresh idle expiry: that is its first renewal.
    request.session[RENEWED_AT_SESSION_KEY] = now
    request.session[HAS_OTP_DEVICE_SESSION_KEY] = user_has_device(user, confirmed=True)


@receiver(user_locked_out)
def log_lockout(
    sender: Any,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    logger.warning("Login locked out: username=%r address=%s", username, ip_address)
