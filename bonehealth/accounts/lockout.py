"""django-axes with one limit per kind of attempt: a username from one address, one address for
any username (password spraying), one username from any address (distributed guessing).

axes counts the failures of each combination in AXES_LOCKOUT_PARAMETERS but compares them all
with one AXES_FAILURE_LIMIT; this handler (AXES_HANDLER) gives each combination its own limit.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


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
