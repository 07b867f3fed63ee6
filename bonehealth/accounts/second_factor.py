"""Writes about one's own two-factor authentication (TOTP, django-otp): turning it on with a code
from the new device, off with the password and a code, and the second step of a login. Each is
audited in its transaction, a refused code as a failed authentication.

A code is audited only when it was checked: one refused unchecked by django-otp's throttle
(`code_checked` None) writes no row, as an attempt refused during a login pause writes none
(bonehealth.audit.signals, sec11 #4): the failures that started the throttle are in the trail,
and anyone holding a session waiting for its code could otherwise add rows to the append-only
trail without limit (sec12 #3: 200 rows in 13 s, 4 codes checked). It is logged instead.
"""

import logging
from base64 import b32encode

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.lockout import authenticate_in_turn
from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record

# The step named in the audit row of a refused password or code when turning two-factor off.
TWO_FACTOR_OFF_STEP = "turn two-factor off"

logger = logging.getLogger("bonehealth.security")


def code_checked(device: TOTPDevice, token: str, *, step: str) -> bool | None:
    """Whether `token` is the device's current code; None when the throttle refused it unchecked
    (too many wrong codes lately: django-otp's wait grows with each), logged not audited. The
    caller holds the device's row lock, so the throttle's state cannot change meanwhile."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        logger.warning(
            "Two-factor code refused unchecked while throttled: username=%r step=%s",
            device.user.get_username(),
            step,
        )
        return None
    return bool(device.verify_token(token))


def totp_device_start(*, user: User) -> TOTPDevice:
    """Return the user's unconfirmed TOTP device, creating one with a fresh secret if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(
    *, user: User, device: TOTPDevice, token: str, request: HttpRequest | None = None
) -> bool:
    """Confirm a new TOTP device with a code from it; the user's older devices are removed."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_record(
        action=AuditAction.CHANGE,
        actor=user,
        request=request,
        obj=user,
        changes={"two_factor": ["off", "on"]},
    )
    return True


@transaction.atomic
def totp_devices_remove(*, user: User, password: str, token: str, request: HttpRequest) -> bool:
    """Turn two-factor authentication off for oneself, given the password and a current code.

    A stolen open session alone must not be enough to weaken the account. The password is checked
    as a login's is (`authenticate_in_turn`): a wrong one counts toward the user's lockout
    (django-axes) and is audited as a failed login by the login-failure receiver; while the user
    or the address is paused none is checked (`request.axes_locked_out`, and the view signs the
    session out).
    A right password with a wrong code is audited here. Not allowed where two-factor is required.
    """
    from bonehealth.accounts.security import TWO_FACTOR_REQUIRED_PERMISSION

    if user.has_perm(TWO_FACTOR_REQUIRED_PERMISSION):
        raise PermissionDenied("Two-factor authentication is required for your role.")
    # The username's login lock first, then the device's: the order every path takes them in.
    checked = authenticate_in_turn(
        request, username=user.get_username(), password=password, step=TWO_FACTOR_OFF_STEP
    )
    password_ok = checked is not None and checked.pk == user.pk
    devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
    device = devices.order_by("id").first()
    # The code is checked even after a wrong password, so django-otp's throttle counts every try.
    code = None if device is None else code_checked(device, token, step=TWO_FACTOR_OFF_STEP)
    if not (password_ok and code):
        if password_ok and code is not None:  # a wrong code, checked
            audit_record(
                action=AuditAction.LOGIN_FAILED,
                actor=user,
                request=request,
                username=user.get_username(),
                changes={"step": TWO_FACTOR_OFF_STEP},
            )
        return False
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        action=AuditAction.CHANGE,
        actor=user,
        request=request,
        obj=user,
        changes={"two_factor": ["on", "off"]},
    )
    return True


@transaction.atomic
def otp_verify(*, user: User, token: str, request: HttpRequest | None = None) -> TOTPDevice | None:
    """Check a TOTP code against the user's confirmed device; audit success and a code checked
    and wrong (not one the throttle refused unchecked: `code_checked`)."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("id")
        .first()
    )
    code = None if device is None else code_checked(device, token, step="two-factor")
    if code:
        audit_record(
            action=AuditAction.LOGIN, actor=user, request=request, changes={"step": "two-factor"}
        )
        return device
    if device is not None and code is None:
        return None  # refused unchecked by the throttle: logged, not audited
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        username=user.get_username(),
        changes={"step": "two-factor"},
    )
    return None


def totp_secret_base32(*, device: TOTPDevice) -> str:
    """The device secret as authenticator apps expect it when typed in (base32, no padding)."""
    return b32encode(device.bin_key).decode().rstrip("=")
