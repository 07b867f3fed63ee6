"""Concurrent saves of one account's edit form, as real requests on their own database
connections released together (security7 F5 sent 12): exactly one save per version wins; every
other gets the form back refused, with nothing written and no audit row."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from tests.conftest import admin_at, login
from tests.factories import SiteFactory, UserFactory
from tests.races import POSTGRESQL_ONLY, at_once, one_winner

pytestmark = POSTGRESQL_ONLY

ADMINS = 12


@pytest.fixture
def sites(roles: None) -> list[Site]:
    return [SiteFactory(name="North General", code="north"), SiteFactory(name="East", code="east")]


def test_twelve_admins_saving_one_account_at_once_save_once(sites: list[Site]) -> None:
    target = UserFactory(username="target", role="nurse", sites=[sites[0]])
    admins = []
    for i in range(ADMINS):
        admins.append(login(admin_at(f"admin{i}", *sites)))
    roles = list(Group.objects.order_by("name"))
    url = reverse("accounts:user_update", args=[target.pk])
    # Each admin's form, opened at version 1, changes something different.
    forms = [
        {
            "first_name": f"Name{i}",
            "last_name": "",
            "email": "target@example.org",
            "roles": [roles[i % len(roles)].pk],
            "sites": [sites[i % 2].pk],
            "version": 1,
        }
        for i in range(ADMINS)
    ]
    responses = at_once(
        [lambda c=c, f=f: c.post(url, f) for c, f in zip(admins, forms, strict=True)]
    )
    for refused in one_winner(responses):
        assert "Not saved: this record was changed by someone else" in refused.text
    [winner] = [i for i, r in enumerate(responses) if r.status_code == 302]
    target = User.objects.get(pk=target.pk)
    assert target.version == 2
    assert target.first_name == f"Name{winner}"
    assert list(target.groups.all()) == [roles[winner % len(roles)]]
    assert list(target.sites.all()) == [sites[winner % 2]]
    [event] = AuditEvent.objects.filter(object_id=str(target.pk), action=AuditAction.CHANGE)
    assert event.changes["version"] == [1, 2]
    assert event.username == f"admin{winner}"
