"""Two-factor authentication (TOTP): required for admins, optional for everyone else."""

import re
import time
from base64 import b32decode
from io import StringIO
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
ADMIN_PAGES = ["accounts:user_list", "audit:list", "home"]


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += offset * device.step
    return f"{totp.token():06d}"


def password_login(client: Client, username: str) -> None:
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def test_an_admin_with_a_password_alone_reaches_no_page(client: Client, admin_user: User) -> None:
    password_login(client, "admin")
    for name in ADMIN_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("accounts:otp_verify")).status_code == 200


def test_a_wrong_code_does_not_let_an_admin_in_and_is_audited(
    client: Client, admin_user: User
) -> None:
    device = TOTPDevice.objects.get(user=admin_user)
    password_login(client, "admin")
    wrong = code_for(device, offset=10)
    response = client.post(reverse("accounts:otp_verify"), {"token": wrong})
    assert response.status_code == 200
    assert "wrong or expired" in response.text
    assert client.get(reverse("accounts:user_list")).status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, username="admin", changes__step="two-factor"
    ).exists()
    # Not digits at all: a form error, no page either.
    assert client.post(reverse("accounts:otp_verify"), {"token": "abc"}).status_code == 200
    assert client.get(reverse("accounts:user_list")).status_code == 302


def test_a_correct_code_lets_an_admin_in(client: Client, admin_user: User) -> None:
    device = TOTPDevice.objects.get(user=admin_user)
    password_login(client, "admin")
    target = reverse("accounts:user_list")
    assert client.get(target)["Location"].endswith("?next=" + target.replace("/", "%2F"))
    token = code_for(device)
    response = client.post(reverse("accounts:otp_verify"), {"token": token, "next": target})
    assert response["Location"] == target
    for name in ADMIN_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    # The same code cannot be replayed in another session (the code used, not the current one:
    # on a loaded machine the pages above can outlast its 30 seconds).
    other = Client()
    password_login(other, "admin")
    assert other.post(reverse("accounts:otp_verify"), {"token": token}).status_code == 200


def test_the_next_parameter_cannot_send_the_user_elsewhere(
    client: Client, admin_user: User
) -> None:
    device = TOTPDevice.objects.get(user=admin_user)
    password_login(client, "admin")
    response = client.post(
        reverse("accounts:otp_verify"),
        {"token": code_for(device), "next": "https://evil.example.org/"},
    )
    assert response["Location"] == reverse("home")


def test_an_admin_without_a_device_must_set_one_up(client: Client, site: object) -> None:
    UserFactory(username="newadmin", role="admin")
    password_login(client, "newadmin")
    response = client.get(reverse("accounts:user_list"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_setup"))
    page = response.text
    uri = re.search(r"otpauth://totp/[^<\s]+", page)
    assert uri is not None
    query = parse_qs(urlparse(uri.group(0).replace("&amp;", "&")).query)
    assert query["issuer"] == ["bonehealth"]
    secret = query["secret"][0]
    assert secret in page  # also shown to type by hand
    assert 'src="data:image/svg+xml' in page  # server-side QR code, no script
    device = TOTPDevice.objects.get(user__username="newadmin", confirmed=False)
    assert device.bin_key == b32decode(secret + "=" * (-len(secret) % 8))
    # A wrong code does not turn it on; the pages stay closed.
    client.post(reverse("accounts:otp_setup"), {"token": code_for(device, offset=20)})
    assert not TOTPDevice.objects.filter(user__username="newadmin", confirmed=True).exists()
    assert client.get(reverse("accounts:user_list")).status_code == 302
    # The right code turns it on and verifies this session.
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("accounts:otp_setup"), {"token": code_for(device)})
    assert response.status_code == 302
    assert client.get(reverse("accounts:user_list")).status_code == 200
    assert AuditEvent.objects.filter(changes__two_factor=["off", "on"]).exists()


def test_admins_cannot_turn_two_factor_off(admin_client_: Client, admin_user: User) -> None:
    assert admin_client_.post(reverse("accounts:two_factor_disable")).status_code == 403
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()


def test_clinicians_need_no_second_factor(client: Client, nurse: User) -> None:
    password_login(client, "nurse")
    assert client.get(reverse("patients:list")).status_code == 200


def test_a_clinician_may_turn_two_factor_on_and_off(client: Client, nurse: User) -> None:
    password_login(client, "nurse")
    assert "is <strong>off</strong>" in client.get(reverse("accounts:two_factor")).text
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=nurse)
    assert (
        client.post(reverse("accounts:otp_setup"), {"token": code_for(device)}).status_code == 302
    )
    assert "is <strong>on</strong>" in client.get(reverse("accounts:two_factor")).text
    # Now their next login asks for a code too.
    client.logout()
    password_login(client, "nurse")
    assert client.get(reverse("patients:list")).status_code == 302
    device.refresh_from_db()
    client.post(reverse("accounts:otp_verify"), {"token": code_for(device, offset=1)})
    assert client.get(reverse("patients:list")).status_code == 200
    # And they may turn it off again, with their password and a current code: a minute later, as
    # the codes already used cannot be replayed.
    with mock.patch("django_otp.oath.time", return_value=time.time() + 60):
        off = {"password": PASSWORD, "token": code_for(device)}
        assert client.post(reverse("accounts:two_factor_disable"), off).status_code == 302
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    client.logout()
    password_login(client, "nurse")
    assert client.get(reverse("patients:list")).status_code == 200


def test_demo_admin_has_the_documented_secret_and_demo_totp_prints_its_code() -> None:
    from bonehealth.accounts.demo import DEMO_TOTP_SECRET_BASE32

    call_command("seed_demo", "--patients", "0", "--no-progress", stdout=StringIO())
    device = TOTPDevice.objects.get(user__username="admin", confirmed=True)
    assert device.bin_key == b32decode(DEMO_TOTP_SECRET_BASE32)
    out = StringIO()
    call_command("demo_totp", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == code_for(device)
    # Re-seeding keeps one device with the same secret.
    call_command("seed_demo", "--patients", "0", "--no-progress", stdout=StringIO())
    assert TOTPDevice.objects.filter(user__username="admin").count() == 1
    readme = (__import__("pathlib").Path(__file__).parents[2] / "README.md").read_text()
    assert DEMO_TOTP_SECRET_BASE32 in readme
    assert "demo_totp" in readme


def test_demo_totp_refuses_a_real_users_device(admin_user: User) -> None:
    with pytest.raises(CommandError):
        call_command("demo_totp", "admin", stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize(
    "next_url", ["abc", "patients", "//evil.example/", "https://evil.example/"]
)
def test_a_next_that_is_not_a_path_of_this_site_leads_home(
    client: Client, admin_user: User, next_url: str
) -> None:
    """A tester's `?next=abc` made the code check answer 500 (and used up the code): only a path
    of this site is followed, after the second factor and after the password."""
    device = TOTPDevice.objects.get(user=admin_user)
    response = client.post(
        reverse("accounts:login") + "?next=" + next_url,
        {"username": "admin", "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/")
    verified = client.post(
        reverse("accounts:otp_verify"), {"token": code_for(device), "next": next_url}
    )
    assert verified.status_code == 302
    assert verified["Location"] == reverse("home")
