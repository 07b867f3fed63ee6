"""Write logins, logouts and failed logins to the audit trail.

Django reports these only through signals, so this is the one place the project uses receivers.
A failed login writes one row, the one that reached a lockout included (marked `locked_out`;
sec9 F12: the lockout receiver wrote a second one). An attempt refused unchecked while its
address or account is paused writes none (sec11 #4): that row already shows the attack, and
anyone could otherwise add rows without limit to the trail every administrator reads.
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
    # django-axes's receiver runs before this one (axes precedes this app in INSTALLED_APPS). It
    # sets `axes_failures_since_start` when it counted this failure, and `axes_locked_out` when
    # the failure reached a limit or the attempt was refused unchecked (no password was checked,
    # nothing counted: AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off).
    locked_out = bool(getattr(request, "axes_locked_out", False))
    counted = getattr(request, "axes_failures_since_start", None) is not None
    if locked_out and not counted:
        return
    # `credentials` has the password already scrubbed by Django; keep only the name typed, and
    # the step of a check other than the login page's (a password asked again when signed in).
    step = credentials.get("step")
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        # The signed-in user whose password was asked again; nobody at a login.
        actor=getattr(request, "user", None),
        request=request,
        username=str(credentials.get("username", "")),
        changes={
            **({"step": str(step)} if step else {}),
            **({"locked_out": True} if locked_out else {}),
        },
    )
