"""Password rules: no repeated characters or patterns, no context words (the product, a site, the
username), not common; checked wherever a password is chosen."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditEvent
from tests.conftest import login

pytestmark = pytest.mark.django_db

GOOD = "correct-horse-battery"


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaaaaaa",  # one character repeated
        "abcabcabcabcabc",  # a short pattern repeated
        "zzzzzzzzzzzz1",
        "1234567890abcdefgh",  # sequences
        "qwertyuiopasdfgh",  # a keyboard row
        "Bonehealth2026!!",  # the product's name
        "my-BoneHealth-pass",
        "North-General-2026!",  # a site's name
        "nurse-password-1",  # the username
        "password1234",  # common
    ],
)
def test_weak_or_context_passwords_are_refused(nurse: User, site: Site, password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, user=nurse)


@pytest.mark.parametrize(
    "password", ["ward-7-kettle-lamp", "a fresh long passphrase", "Tr0ub4dor&3-xyz", GOOD]
)
def test_strong_passwords_are_accepted(nurse: User, site: Site, password: str) -> None:
    validate_password(password, user=nurse)


def test_the_password_change_page_refuses_a_site_name_and_keeps_the_old_password(
    nurse: User, site: Site
) -> None:
    client = login(nurse)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": GOOD,
            "new_password1": "North General 2026!",
            "new_password2": "North General 2026!",
        },
    )
    assert response.status_code == 200
    assert "site" in " ".join(response.context["form"].errors["new_password2"])
    nurse.refresh_from_db()
    assert nurse.check_password(GOOD)
    assert AuditEvent.objects.count() == before
