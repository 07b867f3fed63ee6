"""An administrator's change of an account's e-mail address (sec9 F4): the notice to the address
it replaced, and the hold on sending set-password links to the new one.

Changing a clinician's e-mail to an address the administrator reads, then sending the account a
set-password link, handed the administrator the clinician's account, and nobody told its owner.
Now the old address is told at once; for EMAIL_CHANGE_HOLD after the change the administrator who
made it may not send the account a link (another administrator may, and the old addresses are
told of that too). An account nobody has logged in to yet is exempt: it holds no one's access,
and an administrator may create a new account at their sites anyway.

The changes are read from the audit trail, where `services.user_update` records each. Every
message is sent once the transaction that wrote the change has committed.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent

EMAIL_CHANGE_HOLD = timedelta(hours=24)
MANAGE_USERS_CODENAME = "manage_users"
CONTACTS_SHOWN = 5

logger = logging.getLogger("bonehealth.security")


@dataclass(frozen=True)
class EmailChange:
    at: datetime
    actor_id: int | None
    actor_username: str
    old: str
    new: str


def email_changes_recent(*, user: User) -> list[EmailChange]:
    """The administrators' changes of the user's e-mail in the last EMAIL_CHANGE_HOLD, oldest
    first."""
    events = AuditEvent.objects.filter(
        object_type=User._meta.label_lower,
        object_id=str(user.pk),
        action=AuditAction.CHANGE,
        at__gte=timezone.now() - EMAIL_CHANGE_HOLD,
        changes__has_key="email",
    ).order_by("at", "id")
    return [
        EmailChange(
            at=event.at,
            actor_id=event.actor_id,
            actor_username=event.username,
            old=str(event.changes["email"][0] or ""),
            new=str(event.changes["email"][1] or ""),
        )
        for event in events
    ]


def reset_hold(*, actor: User, user: User, changes: Sequence[EmailChange]) -> EmailChange | None:
    """The recent e-mail change by `actor` that forbids them sending `user` a set-password link,
    or None when they may."""
    if user.last_login is None:
        return None
    return next((c for c in reversed(changes) if c.actor_id == actor.pk), None)


def reset_hold_message(hold: EmailChange) -> str:
    until = timezone.localtime(hold.at + EMAIL_CHANGE_HOLD)
    return (
        f"You changed this account's e-mail address at {_when(hold.at)}. For 24 hours after that "
        "another administrator of its sites must send it a set-password link (its owner is told "
        f"at the old address); you may send one yourself after {until:%Y-%m-%d %H:%M}."
    )


def masked_address(address: str) -> str:
    """Enough of an address for its owner to recognise it, not to write to it."""
    local, _, domain = address.partition("@")
    return f"{local[:2]}***@{domain}" if domain else f"{address[:2]}***"


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M %Z")


def _contacts(*, user: User, actor: User) -> list[User]:
    """Other administrators of the user's sites, whom its owner can ask."""
    return list(
        User.objects.filter(
            is_active=True,
            sites__in=user.sites.filter(is_active=True),
            groups__permissions__codename=MANAGE_USERS_CODENAME,
            groups__permissions__content_type__app_label="accounts",
        )
        .exclude(pk__in=[actor.pk, user.pk])
        .distinct()
        .order_by("last_name", "first_name", "username")[:CONTACTS_SHOWN]
    )


def _send_after_commit(*, subject: str, template: str, context: dict[str, object], to: str) -> None:
    def send() -> None:
        try:
            send_mail(
                subject=subject,
                message=render_to_string(template, context),
                from_email=None,
                recipient_list=[to],
            )
        except OSError:
            # The change stands (it is audited and listed to the sites' administrators).
            logger.exception("Account notice %r to a previous address failed", subject)

    transaction.on_commit(send)


def email_change_notify(*, actor: User, user: User, old: str, new: str) -> None:
    """Tell the replaced address that an administrator changed the account's e-mail."""
    if not old or old == new:
        return
    _send_after_commit(
        subject="The e-mail address of your bonehealth account was changed",
        template="accounts/email_changed_email.txt",
        context={
            "user": user,
            "actor": actor,
            "when": _when(timezone.now()),
            "new": masked_address(new) if new else "",
            "contacts": _contacts(user=user, actor=actor),
        },
        to=old,
    )


def reset_notify(*, actor: User, user: User, changes: Sequence[EmailChange]) -> list[str]:
    """Tell each address the account had in the last EMAIL_CHANGE_HOLD that a set-password link
    went to its current one; return those addresses, masked, for the audit trail."""
    previous = sorted({c.old for c in changes if c.old and c.old != user.email})
    for address in previous:
        _send_after_commit(
            subject="A set-password link for your bonehealth account was sent elsewhere",
            template="accounts/reset_notice_email.txt",
            context={
                "user": user,
                "actor": actor,
                "when": _when(timezone.now()),
                "new": masked_address(user.email),
                "changes": [(_when(c.at), c.actor_username) for c in changes if c.old == address],
                "contacts": _contacts(user=user, actor=actor),
            },
            to=address,
        )
    return [masked_address(address) for address in previous]
