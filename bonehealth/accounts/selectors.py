"""Reads about users, roles and sites."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.roles import ROLES
from bonehealth.audit.models import AuditAction, AuditEvent

# The user-list panel of grants looks back this many days, at most at this many account events.
RECENT_GRANT_DAYS = 30
RECENT_GRANT_SCAN = 500


def sites_for_user(*, user: User) -> QuerySet[Site]:
    """Return the active sites the user works at."""
    return Site.objects.filter(users=user, is_active=True)


def users_changed() -> str:
    """When any user was last changed (their name included) and how many there are: part of the
    key of a cached page that shows users' names."""
    latest = User.objects.aggregate(at=Max("changed_at"), users=Count("pk"))
    return f"{latest['at'].isoformat() if latest['at'] else ''}|{latest['users']}"


def sites_administered_by(*, user: User) -> QuerySet[Site]:
    """Return the active sites the user may grant: a superuser all, an administrator their own.

    An administrator administers exactly the sites they are a member of.
    """
    if user.is_superuser:
        return Site.objects.filter(is_active=True)
    return sites_for_user(user=user)


def users_administered_by(*, actor: User) -> QuerySet[User]:
    """The accounts `actor` may list, open and change: the one statement of that rule.

    A superuser: every account. An administrator: the accounts that share at least one site they
    administer, and their own (whose roles and sites they still cannot change). An account at no
    site is a superuser's alone (security8 N8): otherwise any site's administrator could take it
    over (change its e-mail, send themselves its set-password link, grant it a role). An account
    only at other sites is that site's administrators' (or a superuser's) to change.
    """
    if actor.is_superuser:
        return User.objects.all()
    sharing = User.objects.filter(sites__in=sites_administered_by(user=actor)).values("pk")
    return User.objects.filter(Q(pk__in=sharing) | Q(pk=actor.pk))


def user_is_administered_by(*, user: User, actor: User) -> bool:
    """Say whether `actor` may change `user` (`users_administered_by`)."""
    return users_administered_by(actor=actor).filter(pk=user.pk).exists()


def user_is_clinician(*, user: User) -> bool:
    """Say whether the user may read clinical records (nurse or physician)."""
    from bonehealth.accounts.roles import CLINICAL_PERMISSION

    return user.has_perm(CLINICAL_PERMISSION)


def role_groups() -> QuerySet[Group]:
    """The groups that are roles (roles.py), for role pickers."""
    return Group.objects.filter(name__in=ROLES).order_by("name")


def users_search(*, actor: User, query: str = "", status: str = "active") -> QuerySet[User]:
    """Users `actor` administers matching a name, username or e-mail fragment, with their roles
    and sites."""
    users = users_administered_by(actor=actor)
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


def user_get(*, pk: int, actor: User) -> User:
    """One user account `actor` administers, for the administration pages; 404 if there is none
    (an account beyond their sites is not named to them)."""
    return get_object_or_404(users_administered_by(actor=actor), pk=pk)


def user_confirmed_totp_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def user_sites_elsewhere(*, user: User, actor: User) -> list[Site]:
    """The sites of `user` that `actor` does not administer (left untouched by the actor)."""
    administered = set(sites_administered_by(user=actor).values_list("pk", flat=True))
    return [site for site in user.sites.order_by("name") if site.pk not in administered]


@dataclass(frozen=True)
class GrantRow:
    at: datetime
    actor_username: str
    account: User | None
    account_id: str
    granted: str
    email_changed: bool


def grants_at_sites(*, sites: QuerySet[Site], limit: int = 20) -> list[GrantRow]:
    """Recent role and site grants, and e-mail changes, of accounts at the given sites.

    Read from the audit trail (services write `at_sites` and `granted` on account events), so an
    account later moved away from the site still shows what it was given there.
    """
    codes = set(sites.values_list("code", flat=True))
    since = timezone.now() - timedelta(days=RECENT_GRANT_DAYS)
    events = (
        AuditEvent.objects.filter(
            object_type=User._meta.label_lower,
            action__in=[AuditAction.CREATE, AuditAction.CHANGE],
            at__gte=since,
            changes__has_key="at_sites",
        )
        .filter(Q(changes__has_key="granted") | Q(changes__has_key="email"))
        .order_by("-at", "-id")[:RECENT_GRANT_SCAN]
    )
    matched = []
    for event in events:
        at_sites = {code.strip() for code in str(event.changes["at_sites"]).split(",")}
        if at_sites & codes:
            matched.append(event)
            if len(matched) == limit:
                break
    accounts = User.objects.in_bulk([int(event.object_id) for event in matched])
    return [
        GrantRow(
            at=event.at,
            actor_username=event.username,
            account=accounts.get(int(event.object_id)),
            account_id=event.object_id,
            granted=str(event.changes.get("granted", "")),
            email_changed=event.action == AuditAction.CHANGE and "email" in event.changes,
        )
        for event in matched
    ]
