"""A set-password link dies with a deactivation and stays dead after a reactivation (sec9 F9).

The tester reset ghost.doc's password (a link e-mailed), deactivated the account, then set a
password through the link: whoever held it owned the account the day it came back.
"""

import re

import pytest
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts import services
from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditEvent
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = "a brand new long passphrase"


def _link(message: EmailMessage) -> str:
    match = re.search(r"http://testserver(/accounts/enrol/\S+/)", str(message.body))
    assert match is not None, message.body
    return match.group(1)


def _try_link(link: str) -> tuple[bool, str]:
    """Open the link as its holder and submit a password; (form shown, page text after)."""
    holder = Client()
    opened = holder.get(link, follow=True)
    shown = opened.context["form"] is not None
    form_url = opened.redirect_chain[-1][0] if opened.redirect_chain else link
    done = holder.post(form_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    return shown, done.text


def _password_set_by_link(user: User) -> bool:
    return AuditEvent.objects.filter(
        object_id=str(user.pk), changes__password="set through an enrolment link"
    ).exists()


def test_deactivation_spends_an_outstanding_link_for_good(
    admin_client_: Client, nurse: User, mailoutbox: list[EmailMessage]
) -> None:
    admin_client_.post(reverse("accounts:user_password_reset", args=[nurse.pk]))
    link = _link(mailoutbox[-1])
    admin_client_.post(reverse("accounts:user_deactivate", args=[nurse.pk]))
    assert User.objects.get(pk=nurse.pk).links_spent_at is not None
    shown, text = _try_link(link)
    assert not shown
    assert "This link does not work" in text
    assert "deactivated" in text
    stored = User.objects.get(pk=nurse.pk)
    assert stored.password.startswith(UNUSABLE_PASSWORD_PREFIX)
    assert not _password_set_by_link(nurse)
    # Reactivated, the account still refuses that link; a new one works.
    admin_client_.post(reverse("accounts:user_reactivate", args=[nurse.pk]))
    assert User.objects.get(pk=nurse.pk).is_active
    shown, _ = _try_link(link)
    assert not shown
    assert User.objects.get(pk=nurse.pk).password.startswith(UNUSABLE_PASSWORD_PREFIX)
    admin_client_.post(reverse("accounts:user_password_reset", args=[nurse.pk]))
    shown, _ = _try_link(_link(mailoutbox[-1]))
    assert shown
    assert User.objects.get(pk=nurse.pk).check_password(NEW)
    assert _password_set_by_link(nurse)


def test_a_link_does_not_work_on_an_inactive_account(
    admin_client_: Client, admin_user: User, site: object, mailoutbox: list[EmailMessage]
) -> None:
    """Even a link sent while the account was already inactive."""
    gone = UserFactory(username="gone", role="nurse", sites=[site], is_active=False)
    admin_client_.post(reverse("accounts:user_password_reset", args=[gone.pk]))
    link = _link(mailoutbox[-1])
    shown, text = _try_link(link)
    assert not shown
    assert "This link does not work" in text
    assert User.objects.get(pk=gone.pk).password.startswith(UNUSABLE_PASSWORD_PREFIX)
    assert not _password_set_by_link(gone)


def test_a_link_opened_before_the_deactivation_cannot_be_submitted_after_it(
    admin_client_: Client, admin_user: User, nurse: User, mailoutbox: list[EmailMessage]
) -> None:
    """The form was shown while the account was active; the service checks again under the lock."""
    admin_client_.post(reverse("accounts:user_password_reset", args=[nurse.pk]))
    holder = Client()
    form_url = holder.get(_link(mailoutbox[-1]))["Location"]
    assert holder.get(form_url).context["form"] is not None
    services.user_set_active(actor=admin_user, user=nurse, active=False)
    response = holder.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    assert "This link does not work" in response.text
    assert User.objects.get(pk=nurse.pk).password.startswith(UNUSABLE_PASSWORD_PREFIX)
    assert not _password_set_by_link(nurse)


def test_a_superusers_deactivation_in_djangos_admin_spends_the_links_too(
    nurse: User, mailoutbox: list[EmailMessage], admin_client_: Client
) -> None:
    admin_client_.post(reverse("accounts:user_password_reset", args=[nurse.pk]))
    link = _link(mailoutbox[-1])
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    TOTPDevice.objects.create(user=superuser, name="test", confirmed=True)
    root = login(superuser)
    change = reverse("admin:accounts_user_change", args=[nurse.pk])
    form = root.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "last_login", "date_joined"}
    }
    data.update(
        {
            "groups": [g.pk for g in nurse.groups.all()],
            "sites": [s.pk for s in nurse.sites.all()],
            "user_permissions": [],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "is_active": "",
        }
    )
    data = {k: v for k, v in data.items() if v not in (False, "")}
    response = root.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = User.objects.get(pk=nurse.pk)
    assert not stored.is_active
    assert stored.links_spent_at is not None
    stored.is_active = True
    stored.save(update_fields=["is_active"])
    shown, _ = _try_link(link)
    assert not shown
