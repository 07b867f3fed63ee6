"""Reads about users, roles and sites."""

from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.roles import ROLES


def sites_for_user(*, user: User) -> QuerySet[Site]:
    """Return the active sites the user works at."""
    return Site.objects.filter(users=user, is_active=True)


def user_is_clinician(*, user: User) -> bool:
    """Say whether the user may read clinical records (nurse or physician)."""
    from bonehealth.accounts.roles import CLINICAL_PERMISSION

    return user.has_perm(CLINICAL_PERMISSION)


def role_groups() -> QuerySet[Group]:
    """The groups that are roles (roles.py), for role pickers."""
    return Group.objects.filter(name__in=ROLES).order_by("name")


def users_search(*, query: str = "", status: str = "active") -> QuerySet[User]:
    """Users matching a name, username or e-mail fragment, with their roles and sites."""
    users = User.objects.all()
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    query = query.strip()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    return users.prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("name")),
        Prefetch("sites", queryset=Site.objects.order_by("name")),
        Prefetch(
            "totpdevice_set",
            queryset=TOTPDevice.objects.filter(confirmed=True),
            to_attr="confirmed_totp_devices",
        ),
    ).order_by("username", "id")


def user_get(*, pk: int) -> User:
    """One user account, for the administration pages; 404 if there is none."""
    return get_object_or_404(User, pk=pk)


def user_confirmed_totp_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
