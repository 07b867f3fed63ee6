"""Login throttling beyond one username and address: password spraying, distributed guessing of
one account, and a client address taken from a proxy header only when a trusted proxy sent it."""

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings as project_settings
from django.core.checks import Warning as CheckWarning
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.checks import check_trusted_proxy
from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import client_address

pytestmark = pytest.mark.django_db

GOOD = "correct-horse-battery"
SPRAYED = "Spring2026!"  # one common password tried on many accounts


def _try(client: Client, username: str, password: str = SPRAYED, **extra: str) -> int:
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )
    return response.status_code


def test_the_limits_are_those_documented() -> None:
    assert project_settings.AXES_FAILURE_LIMIT == 5
    assert project_settings.LOGIN_ADDRESS_FAILURE_LIMIT == 20
    assert project_settings.LOGIN_ACCOUNT_FAILURE_LIMIT == 10


def test_spraying_one_password_over_many_usernames_locks_the_address(
    client: Client, nurse: User
) -> None:
    for n in range(20):
        _try(client, f"guess{n}")
    # The address is paused for every username, even a real one with its right password.
    assert _try(client, "nurse", GOOD) == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, changes__locked_out=True
    ).exists()
    # Other addresses are not affected.
    assert _try(Client(), "nurse", GOOD, REMOTE_ADDR="10.1.1.1") == 302


def test_a_sprayer_with_a_real_account_cannot_reset_the_address_count(
    client: Client, nurse: User
) -> None:
    for n in range(19):
        _try(client, f"guess{n}")
    # A successful login clears that username+address pair only, not the address's failures.
    assert _try(client, "nurse", GOOD) == 302
    client.logout()
    assert AccessAttempt.objects.filter(ip_address="127.0.0.1").count() == 19
    _try(client, "guess-last")
    assert _try(client, "nurse", GOOD) == 429


def test_failures_for_one_account_from_many_addresses_pause_that_account(
    nurse: User, physician: User
) -> None:
    for n in range(10):
        _try(Client(), "nurse", REMOTE_ADDR=f"198.51.100.{n + 1}")
    # No single address reached 5, but the account has had 10 failures: paused everywhere.
    assert _try(Client(), "nurse", GOOD, REMOTE_ADDR="10.2.2.2") == 429
    # Other accounts are not.
    assert _try(Client(), "physician", GOOD, REMOTE_ADDR="198.51.100.1") == 302


def test_the_proxy_header_is_ignored_from_an_untrusted_connection(
    client: Client, nurse: User, settings: Any
) -> None:
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_ADDRESSES = ["10.0.0.0/24"]
    # A client talking to the app directly cannot choose its own address for each try.
    for n in range(5):
        _try(client, "nurse", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    assert _try(client, "nurse", GOOD, HTTP_X_FORWARDED_FOR="203.0.113.99") == 429


def test_the_proxy_header_is_used_from_a_trusted_proxy(
    client: Client, nurse: User, settings: Any
) -> None:
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_ADDRESSES = ["10.0.0.0/24"]
    proxy = {"REMOTE_ADDR": "10.0.0.7"}
    for _ in range(5):
        _try(client, "nurse", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    assert _try(client, "nurse", GOOD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy) == 429
    assert _try(client, "nurse", GOOD, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy) == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # Not from a trusted proxy: the connection's address, whatever the header says.
        ("198.51.100.4", "203.0.113.7", "198.51.100.4"),
        # From the proxy: the header's address.
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
        # A proxy that appends: the right-most address that is not a trusted proxy, not the
        # left-most one, which the client wrote itself.
        ("10.0.0.5", "1.2.3.4, 203.0.113.7, 10.0.0.6", "203.0.113.7"),
        ("10.0.0.5", "not-an-ip", None),
    ],
)
def test_client_address_trusts_the_header_from_listed_proxies_only(
    rf: Any, settings: Any, remote: str, forwarded: str, expected: str | None
) -> None:
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_ADDRESSES = ["10.0.0.0/24"]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_proxy_header_without_trusted_proxies_is_a_deploy_warning(settings: Any) -> None:
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_ADDRESSES = []
    warnings = check_trusted_proxy(None)
    assert [type(w) for w in warnings] == [CheckWarning]
    settings.TRUSTED_PROXY_ADDRESSES = ["10.0.0.2"]
    assert check_trusted_proxy(None) == []


def test_a_pause_writes_one_audit_row_and_refused_attempts_none(
    client: Client, nurse: User, caplog: Any
) -> None:
    """sec9 F12: one row per failure, not two. sec11 #4: while paused, none per attempt."""
    for _ in range(8):
        _try(client, "nurse", "wrong-password")
    rows = list(
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, username="nurse")
        .order_by("id")
        .values_list("changes", flat=True)
    )
    # Four plain failures, then the fifth, which started the pause; the three refused after it
    # were not checked and wrote nothing.
    assert rows == [{}] * 4 + [{"locked_out": True}]
    # Nor did axes count them: the pause runs from the fifth failure, not from the last attempt.
    attempt = AccessAttempt.objects.get(username="nurse", ip_address="127.0.0.1")
    assert attempt.failures_since_start == 5
    # The operators' log still says each time that a login was refused.
    assert caplog.text.count("Login locked out: username='nurse'") == 4


def test_a_flood_from_a_paused_address_leaves_the_audit_trail_and_axes_bounded(
    client: Client, nurse: User
) -> None:
    """sec11 #4: unknown names from one address wrote one audit row (and one axes row) each, for
    as long as the flood lasted, into the trail every administrator reads."""
    for n in range(20):
        assert _try(client, f"flood{n:03}") == (429 if n == 19 else 200)
    for n in range(20, 120):
        assert _try(client, f"flood{n:03}") == 429
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == 20
    # The row of the failure that paused the address shows the attack, with its address.
    last = failed.order_by("-id").first()
    assert last is not None
    assert (last.username, last.changes, last.client_address) == (
        "flood019",
        {"locked_out": True},
        "127.0.0.1",
    )
    assert AccessAttempt.objects.count() == 20
    # The pause lasts a cool-off from the failures that started it; after it, attempts are
    # checked, counted and audited again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _try(client, "flood-after") == 200
    assert failed.filter(username="flood-after", changes={}).count() == 1
    assert _try(client, "nurse", GOOD) == 302
