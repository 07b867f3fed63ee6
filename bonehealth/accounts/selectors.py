"""Reads about users, roles and sites."""

from django.db.models import QuerySet

from bonehealth.accounts.models import Site, User


def sites_for_user(*, user: User) -> QuerySet[Site]:
    """Return the active sites the user works at."""
    return Site.objects.filter(users=user, is_active=True)


def user_is_clinician(*, user: User) -> bool:
    """Say whether the user may read clinical records (nurse or physician)."""
    from bonehealth.accounts.roles import CLINICAL_PERMISSION

    return user.has_perm(CLINICAL_PERMISSION)
