"""Keep a logged-in user's permissions in their session instead of reading them on every request.

Django's ModelBackend reads a user's permissions with two queries (own and through groups) on each
request that checks one. The session keeps them beside a stamp: the user's `permissions_version`
(raised in the same transaction as any change to their roles or own permissions, by the receivers
below, whoever makes it: the user pages, the Django admin site or a shell), whether they are a
superuser, and a digest of `roles.ROLE_PERMISSIONS`, which changes with any deploy that changes what
a role may do (the roles' data migrations follow roles.py; a test keeps them equal). While the stamp
matches, the kept set is used; otherwise it is read again and kept anew. A user's `is_active` is
checked when the session's user is loaded, as before.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.db.models import F
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from bonehealth.accounts.models import User
from bonehealth.accounts.roles import ROLE_PERMISSIONS

SESSION_KEY = "bonehealth_permissions"
_ROLES_DIGEST = hashlib.sha256(
    repr(sorted((role, sorted(perms)) for role, perms in ROLE_PERMISSIONS.items())).encode()
).hexdigest()[:16]


def _stamp(user: Any) -> list[Any]:
    return [user.pk, user.permissions_version, user.is_superuser, _ROLES_DIGEST]


class SessionPermissionsMiddleware:
    """Give the request's user the permissions kept in the session while their stamp matches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        if user.is_authenticated:
            stamp = _stamp(user)
            kept = request.session.get(SESSION_KEY)
            if kept is not None and kept[0] == stamp:
                # ModelBackend.get_all_permissions() returns this instead of querying.
                user._perm_cache = set(kept[1])
            else:
                request.session[SESSION_KEY] = [stamp, sorted(user.get_all_permissions())]
        return self.get_response(request)


@receiver(user_logged_in)
def _keep_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # Login saves the session anyway: keep the permissions now, not with a write on the next page.
    if request is not None and hasattr(request, "session"):
        user.refresh_from_db(fields=["permissions_version"])  # the instance may be older
        request.session[SESSION_KEY] = [_stamp(user), sorted(user.get_all_permissions())]


def permissions_changed(user_ids: Any) -> None:
    """Raise the users' permissions version: their sessions read their permissions afresh."""
    User.objects.filter(pk__in=user_ids).update(permissions_version=F("permissions_version") + 1)


# Each change raises the versions after it is made (in the same transaction when there is one), so
# no request can read the new version with the old permissions. A `clear()` from the other side
# leaves nothing to find the users by afterwards: they are noted before it.
_CLEARED_USERS = "_bonehealth_cleared_user_ids"


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def _roles_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if not reverse:  # user.groups.add(...) and the like: instance is the user
        if action.startswith("post_"):
            permissions_changed([instance.pk])
    elif action == "pre_clear":  # group.user_set.clear(), permission.user_set.clear()
        field = "groups" if sender is User.groups.through else "user_permissions"
        users = User.objects.filter(**{field: instance}).values_list("pk", flat=True)
        setattr(instance, _CLEARED_USERS, list(users))
    elif action == "post_clear":
        permissions_changed(getattr(instance, _CLEARED_USERS, []))
    elif action.startswith("post_"):  # group.user_set.add(user, ...)
        permissions_changed(pk_set or [])


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if not reverse:  # group.permissions.add(...): everyone in the group
        if action.startswith("post_"):
            permissions_changed(User.objects.filter(groups=instance).values("pk"))
    elif action == "pre_clear":  # permission.group_set.clear()
        users = User.objects.filter(groups__permissions=instance).values_list("pk", flat=True)
        setattr(instance, _CLEARED_USERS, list(users))
    elif action == "post_clear":
        permissions_changed(getattr(instance, _CLEARED_USERS, []))
    elif action.startswith("post_"):  # permission.group_set.add(group, ...)
        permissions_changed(User.objects.filter(groups__in=pk_set or []).values("pk"))
