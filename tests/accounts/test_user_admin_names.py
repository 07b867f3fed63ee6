"""Accounts people can tell apart: usernames ignore capitals, one e-mail address per account."""

import pytest

from bonehealth.accounts.forms import UserCreateForm
from bonehealth.accounts.models import User
from tests.factories import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form(data: dict[str, object], actor: User) -> UserCreateForm:
    return UserCreateForm(data, actor=actor)


def test_a_username_differing_only_in_capitals_or_a_shared_email_is_refused() -> None:
    site = SiteFactory()
    admin = UserFactory(username="boss", role="admin", sites=[site])
    UserFactory(username="qa.nurse", email="Nurse@Example.org", sites=[site])
    form = _form(
        {
            "username": "QA.NURSE",
            "email": "nurse@example.org",
            "first_name": "Q",
            "last_name": "A",
            "roles": [],
            "sites": [site.pk],
        },
        admin,
    )
    assert not form.is_valid()
    assert "usernames ignore capitals" in form.errors["username"][0]
    assert form.errors["email"] == ["Another account already uses this e-mail address."]
    assert User.objects.filter(username__iexact="qa.nurse").count() == 1
