"""Django's admin site admits active superusers only (sec9 F1), who sign in on bonehealth's
login page (sec13 #3).

The tester, as the staff administrator of two sites, listed through /django-admin/ the accounts
and the sites of a third site that bonehealth's own pages (scoped to the admin's sites) refuse.
Later (sec13 #3) the admin site's own login form refused a nurse's right password with no audit
row and no count toward the lockout: an unaudited answer to whether a password was right.
"""

from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.accounts.test_two_factor import PASSWORD, code_for
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
        # Where it leads: a refusal (signed in, but no superuser), with no account or site listed.
        page = admin_client_.get(url, follow=True)
        assert page.status_code == 403
        assert "cl" not in (page.context or {})
        for shown in ("nurse.east", "east@example.org", "Eastside"):
            assert shown not in page.text, (url, shown)


def _login_page(next_path: str) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': next_path}, safe='/')}"


@pytest.mark.parametrize("username", ["admin", "nurse", "root"])
def test_the_admin_site_checks_no_password_and_sends_everyone_to_the_login_page(
    admin_user: User, nurse: User, username: str
) -> None:
    _superuser()
    client = Client()
    response = client.post(
        f"{reverse('admin:login')}?next=/django-admin/accounts/user/",
        {"username": username, "password": PASSWORD, "next": "/django-admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == _login_page("/django-admin/accounts/user/")
    # Nothing checked, so nothing for a right password to tell apart from a wrong one.
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.exists()
    assert not AccessAttempt.objects.exists()
    # Only a path of this site is kept to come back to.
    elsewhere = client.get(reverse("admin:login"), {"next": "https://evil.example.org/"})
    assert elsewhere["Location"] == _login_page(reverse("admin:index"))


def test_a_superuser_signs_in_on_the_login_page_and_lands_on_the_admin_site() -> None:
    root = _superuser()
    client = Client()
    page = client.get(reverse("admin:index"), follow=True)
    assert page.redirect_chain[-1][0] == _login_page(reverse("admin:index"))
    response = client.post(
        _login_page(reverse("admin:index")), {"username": "root", "password": PASSWORD}
    )
    assert response["Location"] == reverse("admin:index")
    # The second factor first, then the admin site.
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("accounts:otp_verify"))
    device = TOTPDevice.objects.get(user=root)
    response = client.post(
        reverse("accounts:otp_verify"), {"token": code_for(device), "next": reverse("admin:index")}
    )
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    assert list(
        AuditEvent.objects.filter(actor=root).order_by("id").values_list("action", "changes")
    ) == [(AuditAction.LOGIN, {}), (AuditAction.LOGIN, {"step": "two-factor"})]
    # Signed in, the admin site's login sends the superuser on.
    assert client.get(reverse("admin:login"))["Location"] == reverse("admin:index")


def test_a_signed_in_user_who_is_no_superuser_is_refused_without_a_loop(nurse: User) -> None:
    client = login(nurse)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1


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
