"""django-axes with one limit per kind of attempt: a username from one address, one address for
any username (password spraying), one username from any address (distributed guessing).

axes counts the failures of each combination in AXES_LOCKOUT_PARAMETERS but compares them all
with one AXES_FAILURE_LIMIT; this handler (AXES_HANDLER) gives each combination its own limit.

axes checks the limits before the password and counts a failure after it, with nothing between
them: parallel attempts were all checked before any was counted (sec13 #1: 20 at once, 7 to 11
passwords checked against a limit of 5, and the right one let in). Every password check therefore
goes through `authenticate_in_turn`, which holds a database row lock for the username from the
check to the count, so attempts for one username take turns, on any process and app server.
"""

import unicodedata
import zlib
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest

from bonehealth.accounts.models import LoginLock, User

# Usernames share LOGIN_LOCK_SLOTS lock rows: two attempts for different names wait for each other
# only when the names fall in the same slot at the same moment (for one password check: rare), and
# the table never grows past this many rows whatever names are tried.
LOGIN_LOCK_SLOTS = 4096


def _limits() -> list[int]:
    """The limit of each combination, in the order of AXES_LOCKOUT_PARAMETERS in settings."""
    return [
        settings.AXES_FAILURE_LIMIT,
        settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        settings.LOGIN_ACCOUNT_FAILURE_LIMIT,
    ]


class LoginLockoutHandler(AxesDatabaseHandler):
    """Lock out when any combination reaches its own limit; a success clears only its pair."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Failures of the username+address pair, or the pair's limit once any limit is reached."""
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        # axes locks out when this reaches AXES_FAILURE_LIMIT (the pair's limit).
        if any(count >= limit for count, limit in zip(counts, _limits(), strict=True)):
            return max(counts[0], settings.AXES_FAILURE_LIMIT)
        return counts[0]

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """After a successful login clear that username+address pair only.

        axes would clear every combination: the address's failures for other usernames (a sprayer
        with one real account would reset its count) and the account's from other addresses.
        """
        deleted, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        ).delete()
        return deleted


def _lock_slot(username: str) -> int:
    """The lock row of a username, the same in every process (not Python's salted `hash`).

    Names that differ only in capitals or Unicode form share it, so no spelling of a name takes
    a lock other than the account's."""
    key = unicodedata.normalize("NFKC", username).casefold()
    return zlib.crc32(key.encode()) % LOGIN_LOCK_SLOTS


def login_lock_take(*, username: str) -> None:
    """Wait for the username's login lock and hold it until the transaction ends."""
    LoginLock.objects.select_for_update().get_or_create(slot=_lock_slot(username))


def authenticate_in_turn(
    request: HttpRequest | None, *, username: str, password: str, **extra: str
) -> User | None:
    """Django's `authenticate()`, one at a time per username: the lockout's check (axes's backend),
    the password and the failure's count (axes's and the audit trail's receivers of
    `user_login_failed`) all run in one transaction holding the username's lock row.

    A row of a table of our own (`LoginLock`) rather than the user's row: a name with no account
    takes a lock the same way, so the lock neither tells whether a name exists nor lets guesses at
    unknown names go unserialised. Called inside a transaction (turning two-factor off), the lock
    is held until that one ends. SQLite has no row locks (Django leaves out FOR UPDATE there), but
    each transaction takes the database's write lock at its start (`transaction_mode` IMMEDIATE),
    so attempts take turns there too.
    """
    with transaction.atomic():
        login_lock_take(username=username)
        user: User | None = authenticate(request, username=username, password=password, **extra)
        return user
