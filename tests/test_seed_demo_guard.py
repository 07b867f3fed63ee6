"""seed_demo and demo_totp on a real database (sec9 F15): under production settings seed_demo
deleted the admin's own two-factor device, installed the README's published secret and reset the
roles and sites of accounts named like the demo's. Now both refuse unless the database is a demo
one (settings.DEMO_DATABASE), and the seed never changes an account it did not create."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX
from bonehealth.accounts.models import Site, User
from patients.models import Patient
from tests.factories import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_accounts() -> dict[str, Any]:
    """Accounts of a real install that happen to bear the demo's usernames."""
    east = SiteFactory(name="Eastside Clinic", code="east")
    admin = UserFactory(username="admin", role="admin", sites=[east], is_staff=True)
    phone = TOTPDevice.objects.create(user=admin, name="Real phone", confirmed=True)
    nurse = UserFactory(username="nurse", role="physician", sites=[east])
    return {"east": east, "admin": admin, "phone": phone, "nurse": nurse}


def _accounts() -> list[tuple[Any, ...]]:
    """Everything the seed must not touch on an existing account."""
    return [
        (
            user.username,
            user.password,
            user.is_staff,
            sorted(user.groups.values_list("name", flat=True)),
            sorted(user.sites.values_list("code", flat=True)),
            sorted(TOTPDevice.objects.filter(user=user).values_list("name", "key", "confirmed")),
        )
        for user in User.objects.order_by("username")
    ]


@pytest.mark.parametrize(
    "command", [["seed_demo", "--patients", "3", "--no-progress"], ["demo_totp"]]
)
def test_refused_unless_the_database_is_a_demo_one(
    real_accounts: dict[str, Any], settings: Any, command: list[str]
) -> None:
    settings.DEMO_DATABASE = False
    before = _accounts()
    with pytest.raises(CommandError, match="runs on a demo database only") as caught:
        call_command(*command, stdout=StringIO(), stderr=StringIO())
    assert caught.value.returncode == 2
    assert _accounts() == before
    assert list(Site.objects.values_list("code", flat=True)) == ["east"]
    assert not Patient.objects.exists()
    assert not TOTPDevice.objects.filter(key=DEMO_TOTP_KEY_HEX).exists()


def test_existing_accounts_are_left_as_they_are(real_accounts: dict[str, Any]) -> None:
    before = _accounts()
    out, err = StringIO(), StringIO()
    call_command("seed_demo", "--patients", "0", "--no-progress", stdout=out, stderr=err)
    assert "existing accounts left as they are: admin, nurse" in err.getvalue()
    kept = [row for row in _accounts() if row[0] in {"admin", "nurse"}]
    assert kept == before
    assert not TOTPDevice.objects.filter(key=DEMO_TOTP_KEY_HEX).exists()
    assert TOTPDevice.objects.get(user=real_accounts["admin"]) == real_accounts["phone"]
    assert not real_accounts["admin"].check_password(DEMO_PASSWORD)
    # The demo accounts it created have the demo's password, role and sites.
    physician = User.objects.get(username="physician")
    assert physician.check_password(DEMO_PASSWORD)
    assert sorted(physician.sites.values_list("code", flat=True)) == ["north", "riverside"]
    assert "Demo users: physician, nurse.riverside; password:" in out.getvalue()
    # Running it again changes no account, its own included.
    again = _accounts()
    call_command("seed_demo", "--patients", "0", "--no-progress", stdout=StringIO(),
                 stderr=StringIO())  # fmt: skip
    assert _accounts() == again


def test_an_existing_site_keeps_its_name(site: Site) -> None:
    call_command("seed_demo", "--patients", "0", "--no-progress", stdout=StringIO())
    site.refresh_from_db()
    assert (site.code, site.name) == ("north", "North General")
