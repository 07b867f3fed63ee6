"""Write logins, logouts and failed logins to the audit trail.

Django reports these only through signals, so this is the one place the project uses receivers.
A failed login writes one row, whether or not it locked the login out (sec9 F12: the lockout
receiver wrote a second one).
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # `credentials` has the password already scrubbed by Django; keep only the name typed.
    # django-axes marks the request locked out (before this receiver runs: axes precedes this app
    # in INSTALLED_APPS) when this failure reached a limit, or the login was refused unchecked
    # because one had been reached.
    locked_out = bool(getattr(request, "axes_locked_out", False))
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", ""))[:150],
        changes={"locked_out": True} if locked_out else None,
    )
