"""Django's admin site admits active superusers only (sec9 F1).

The tester, as the staff administrator of two sites, listed through /django-admin/ the accounts
and the sites of a third site that bonehealth's own pages (scoped to the admin's sites) refuse.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import Site, User
from tests.conftest import login
from tests.factories import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def east() -> User:
    """A nurse at a site the `admin` fixture does not administer."""
    eastside = SiteFactory(name="Eastside Clinic", code="east")
    return UserFactory(username="nurse.east", email="east@example.org", sites=[eastside])


def _superuser(**extra: object) -> User:
    root = UserFactory(username="root", is_superuser=True, is_staff=True, **extra)
    TOTPDevice.objects.create(user=root, name="test", confirmed=True)
    return root


def _admin_urls(east: User) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[east.pk]),
        reverse("admin:accounts_site_changelist"),
        reverse("admin:audit_auditevent_changelist"),
        reverse("admin:otp_totp_totpdevice_changelist"),
    ]


def test_a_staff_site_admin_gets_no_admin_page(
    admin_client_: Client, admin_user: User, east: User
) -> None:
    assert admin_user.is_staff
    assert admin_client_.get(reverse("accounts:user_update", args=[east.pk])).status_code == 404
    for url in _admin_urls(east):
        response = admin_client_.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
        # Where it leads: the admin login page, with no account or site listed.
        page = admin_client_.get(url, follow=True)
        assert page.status_code == 200
        assert "cl" not in (page.context or {})
        for shown in ("nurse.east", "east@example.org", "Eastside"):
            assert shown not in page.text, (url, shown)


def test_the_admin_login_form_refuses_a_staff_site_admin(admin_user: User) -> None:
    admin_user.set_password("admin-long-passphrase")
    admin_user.save()
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": "admin", "password": "admin-long-passphrase", "next": "/django-admin/"},
    )
    assert response.status_code == 200
    assert "superuser" in response.text
    assert "_auth_user_id" not in client.session


def test_an_inactive_superuser_gets_no_admin_page(east: User) -> None:
    root = _superuser()
    client = login(root)
    User.objects.filter(pk=root.pk).update(is_active=False)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302


def test_a_superuser_opens_every_registered_model(east: User, site: Site) -> None:
    client = login(_superuser())
    for url in _admin_urls(east):
        assert client.get(url).status_code == 200, url
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    listed = client.get(reverse("admin:accounts_user_changelist"))
    assert "nurse.east" in listed.text
    assert "Eastside Clinic" in client.get(reverse("admin:accounts_site_changelist")).text
