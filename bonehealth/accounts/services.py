"""Writes about users: administration by admins, own password and sessions (own two-factor
settings: `second_factor`).

Every write is audited in its transaction, naming the fields that changed (never a password).
An administrator can never raise their own privileges: their own roles, sites and active flag
are out of their reach, and only a superuser may change a superuser. An administrator grants only
the sites they administer (their own), never touches a user's other sites, and never knows another
account's password: accounts get one through an e-mailed enrolment link (accounts.enrolment).
"""

from collections.abc import Iterable
from importlib import import_module
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.accounts.email_change import (
    email_change_notify,
    email_changes_recent,
    reset_hold,
    reset_hold_message,
    reset_notify,
)
from bonehealth.accounts.models import Site, User
from bonehealth.accounts.selectors import (
    sites_administered_by,
    user_is_administered_by,
    user_sites_elsewhere,
)
from bonehealth.accounts.tokens import enrolment_token_generator
from bonehealth.audit.concurrency import lock_for_update
from bonehealth.audit.models import AuditAction
from bonehealth.audit.services import audit_record

PROFILE_FIELDS = ("first_name", "last_name", "email")


def _role_names(groups: Iterable[Group]) -> list[str]:
    return sorted(group.name for group in groups)


def _site_codes(sites: Iterable[Site]) -> list[str]:
    return sorted(site.code for site in sites)


def _granted(
    *, old_roles: list[str], new_roles: list[str], old_sites: list[str], new_sites: list[str]
) -> str:
    """What a change gives an account, as the audit trail and the grants panel show it."""
    parts = []
    if roles := sorted(set(new_roles) - set(old_roles)):
        parts.append(f"roles: {', '.join(roles)}")
    if sites := sorted(set(new_sites) - set(old_sites)):
        parts.append(f"sites: {', '.join(sites)}")
    return "; ".join(parts)


def _guard_target(*, actor: User, user: User) -> None:
    if user.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Only a superuser may change a superuser account.")
    if not user_is_administered_by(user=user, actor=actor):
        raise PermissionDenied(
            "This account works at none of the sites you administer: its own sites' "
            "administrators change it (an account at no site, a superuser)."
        )


def _guard_not_self(*, actor: User, user: User, what: str) -> None:
    if actor.pk == user.pk:
        raise PermissionDenied(f"You cannot change your own {what}; ask another administrator.")


def _administered_ids(actor: User) -> set[int]:
    return set(sites_administered_by(user=actor).values_list("pk", flat=True))


def _guard_grantable(*, actor: User, sites: list[Site]) -> None:
    if any(site.pk not in _administered_ids(actor) for site in sites):
        raise PermissionDenied("You may grant only the sites you administer.")


def _guard_within_sites(*, actor: User, user: User) -> None:
    """Refuse an account-wide change to a user who also works at sites the actor does not run."""
    if user_sites_elsewhere(user=user, actor=actor):
        raise PermissionDenied(
            "This account also works at sites you do not administer: you may only add or remove "
            "your own sites."
        )


@transaction.atomic
def user_create(
    *,
    actor: User,
    values: dict[str, Any],
    roles: Iterable[Group],
    sites: Iterable[Site],
    request: HttpRequest | None = None,
) -> User:
    """Create an account without a usable password, at sites the actor administers.

    The new user chooses their password through an enrolment link (accounts.enrolment).
    """
    roles, sites = list(roles), list(sites)
    _guard_grantable(actor=actor, sites=sites)
    if not values.get("email"):
        raise ValidationError("A new account needs an e-mail address for its enrolment link.")
    user = User(**values)
    user.set_unusable_password()
    user.save()
    user.groups.set(roles)
    user.sites.set(sites)
    role_names, site_codes = _role_names(roles), _site_codes(sites)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        request=request,
        obj=user,
        changes={
            "username": user.username,
            **{name: values.get(name, "") for name in PROFILE_FIELDS},
            "roles": role_names,
            "sites": site_codes,
            "is_active": True,
            "password": "none: the user sets it through an enrolment link",
            "granted": _granted(
                old_roles=[], new_roles=role_names, old_sites=[], new_sites=site_codes
            ),
            "at_sites": ", ".join(site_codes),
        },
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    values: dict[str, Any],
    roles: Iterable[Group],
    sites: Iterable[Site],
    expected_version: int,
    request: HttpRequest | None = None,
) -> dict[str, list[Any]]:
    """Change a user's name, e-mail, roles and sites; return {field: [old, new]} of what changed.

    `sites` are the user's sites among those the actor administers; their other sites are kept.
    Name, e-mail and roles apply everywhere, so they change only for a user within those sites.
    Raises ConcurrentEditError (nothing written) when another save changed the account since
    `expected_version`, the version the form was opened on: a stale form would otherwise undo a
    colleague's grant or revocation. A save that changes nothing writes nothing.
    """
    _guard_target(actor=actor, user=user)
    requested = list(sites)
    _guard_grantable(actor=actor, sites=requested)
    user = lock_for_update(user, expected_version=expected_version)
    administered = _administered_ids(actor)
    elsewhere = [site for site in user.sites.all() if site.pk not in administered]
    final_sites = elsewhere + requested
    new_roles, new_sites = _role_names(roles), _site_codes(final_sites)
    former = list(user.sites.all())
    old_roles, old_sites = _role_names(user.groups.all()), _site_codes(former)
    if actor.pk == user.pk and (new_roles != old_roles or new_sites != old_sites):
        _guard_not_self(actor=actor, user=user, what="roles or sites")
    changes: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        if name in values and getattr(user, name) != values[name]:
            changes[name] = [getattr(user, name), values[name]]
            setattr(user, name, values[name])
    if new_roles != old_roles:
        changes["roles"] = [old_roles, new_roles]
    if new_sites != old_sites:
        changes["sites"] = [old_sites, new_sites]
    if not changes:
        return changes
    if elsewhere and actor.pk != user.pk and set(changes) != {"sites"}:
        _guard_within_sites(actor=actor, user=user)
    if "roles" in changes:
        user.groups.set(list(roles))
    if "sites" in changes:
        user.sites.set(final_sites)
    user.version = F("version") + 1
    user.save()
    user.refresh_from_db(fields=["version"])
    granted = _granted(
        old_roles=old_roles, new_roles=new_roles, old_sites=old_sites, new_sites=new_sites
    )
    notice = {}
    if "email" in changes and changes["email"][0]:
        # The address it replaces hears of it (sec9 F4), once this transaction commits.
        email_change_notify(actor=actor, user=user, old=changes["email"][0], new=user.email)
        notice = {"notice": "e-mailed to the previous address"}
    audit_record(
        action=AuditAction.CHANGE,
        actor=actor,
        request=request,
        obj=user,
        # Its former sites too: removing every site of a leaver stays in those sites' trail.
        sites=former,
        changes={
            **changes,
            "version": [expected_version, user.version],
            **({"granted": granted} if granted else {}),
            **notice,
            "at_sites": ", ".join(sorted(set(old_sites) | set(new_sites))),
        },
    )
    return changes


@transaction.atomic
def user_set_active(
    *, actor: User, user: User, active: bool, request: HttpRequest | None = None
) -> bool:
    """Deactivate or reactivate an account (never delete it); return whether anything changed.

    A deactivated user cannot log in, and their open sessions end now (deleted, as a password
    reset ends them): a reactivation must not let a session it was meant to shut out back in
    (security8 N7). Likewise the set-password links sent before a deactivation are spent for
    good (`links_spent_at`, sec9 F9).
    """
    _guard_target(actor=actor, user=user)
    _guard_not_self(actor=actor, user=user, what="active status")
    _guard_within_sites(actor=actor, user=user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return False
    user.is_active = active
    if not active:
        user.links_spent_at = timezone.now()
    user.save(update_fields=["is_active", "links_spent_at"])
    audit_record(
        action=AuditAction.CHANGE,
        actor=actor,
        request=request,
        obj=user,
        changes={"is_active": [not active, active]},
    )
    if not active:
        user_other_sessions_end(user=user, keep_session_key=None, request=request)
    return True


def user_password_reset_check(*, actor: User, user: User) -> None:
    """Raise PermissionDenied unless the actor may reset this user's password."""
    _guard_target(actor=actor, user=user)
    _guard_not_self(actor=actor, user=user, what="password here; use the password page")
    _guard_within_sites(actor=actor, user=user)


@transaction.atomic
def user_password_reset(*, actor: User, user: User, request: HttpRequest | None = None) -> User:
    """Make the password unusable, for the user to choose a new one through an enrolment link.

    Return the updated user (the link's token depends on the new hash). Changing the hash ends
    the user's open sessions and voids any earlier link. Within a day of their own change of the
    account's e-mail an administrator may not send it a link (PermissionDenied); when another
    does, the addresses it replaced are told (accounts.email_change, sec9 F4).
    """
    user_password_reset_check(actor=actor, user=user)
    # Under the row lock: an e-mail change saved meanwhile (it locks the row too) is seen.
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.email:
        raise ValidationError("This account has no e-mail address to send the link to.")
    email_changes = email_changes_recent(user=user)
    if hold := reset_hold(actor=actor, user=user, changes=email_changes):
        raise PermissionDenied(reset_hold_message(hold))
    user.set_unusable_password()
    user.save(update_fields=["password"])
    notified = reset_notify(actor=actor, user=user, changes=email_changes)
    audit_record(
        action=AuditAction.CHANGE,
        actor=actor,
        request=request,
        obj=user,
        changes={
            "password": "reset by administrator: enrolment link sent",
            **({"notice": f"e-mailed to the previous {', '.join(notified)}"} if notified else {}),
            "at_sites": ", ".join(_site_codes(user.sites.all())),
        },
    )
    return user


@transaction.atomic
def user_password_set(
    *, user: User, password: str, token: str, request: HttpRequest | None = None
) -> bool:
    """Set the password a user chose through their enrolment link; return False if it is spent.

    The token is checked again under the row lock, so two submissions of one link set at most one
    password. A login lockout on the account is lifted.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not enrolment_token_generator.check_token(user, token):
        return False
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    axes_reset(username=user.username)
    audit_record(
        action=AuditAction.CHANGE,
        actor=user,
        request=request,
        obj=user,
        changes={"password": "set through an enrolment link"},
    )
    return True


@transaction.atomic
def user_password_change(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """Set the user's own new password and lift a forced change."""
    was_forced = user.must_change_password
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    changes: dict[str, Any] = {"password": "changed by the user"}
    if was_forced:
        changes["must_change_password"] = [True, False]
    audit_record(action=AuditAction.CHANGE, actor=user, request=request, obj=user, changes=changes)


@transaction.atomic
def user_other_sessions_end(
    *, user: User, keep_session_key: str | None, request: HttpRequest | None = None
) -> int:
    """End every live session of the user except the given one; return how many ended.

    Sessions are database rows (SESSION_ENGINE): each live row is decoded to find its user.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    user_id = user._meta.pk.value_to_string(user)
    rows = (
        model.objects.filter(expire_date__gt=timezone.now())
        .exclude(session_key=keep_session_key or "")
        .values_list("session_key", "session_data")
    )
    ended = [
        key for key, data in rows.iterator() if store().decode(data).get(SESSION_KEY) == user_id
    ]
    model.objects.filter(session_key__in=ended).delete()
    audit_record(
        action=AuditAction.LOGOUT,
        actor=user,
        request=request,
        obj=user,
        changes={"sessions_ended": len(ended)},
    )
    return len(ended)
