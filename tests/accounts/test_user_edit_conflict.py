"""The account edit form refuses a stale save (security7 F5): two administrators open the same
account; what the first saves (a role or site granted or revoked) is never undone by the second's
form opened before it. The second gets the form back with the first's change shown, their own
typing kept, and nothing saved. A save that changes nothing writes nothing."""

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from bonehealth.accounts import services
from bonehealth.accounts.models import Site, User
from bonehealth.audit.concurrency import ConcurrentEditError
from bonehealth.audit.forms import UNCHANGED
from bonehealth.audit.models import AuditEvent
from tests.conftest import admin_at, login
from tests.factories import UserFactory
from tests.html_forms import posted_lists

pytestmark = pytest.mark.django_db


def _group(name: str) -> Group:
    return Group.objects.get(name=name)


def _opened(client: Client, user: User) -> dict[str, Any]:
    """What the edit form, as opened now, would post unchanged (every value of a checkbox list)."""
    page = client.get(reverse("accounts:user_update", args=[user.pk]))
    data: dict[str, Any] = posted_lists(page.content.decode(), having="version")
    data.pop("csrfmiddlewaretoken")
    return data


def _post(client: Client, user: User, data: dict[str, Any]) -> Any:
    return client.post(reverse("accounts:user_update", args=[user.pk]), data, follow=True)


def _roles(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def _sites(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).sites.values_list("code", flat=True))


def _account_events(user: User) -> int:
    return AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk)).count()


@pytest.fixture
def two_admins(site: Site, other_site: Site) -> tuple[Client, Client]:
    anna = admin_at("anna", site, other_site, first_name="Anna")
    bert = admin_at("bert", site, other_site, first_name="Bert")
    return login(anna), login(bert)


def test_a_stale_form_does_not_revert_a_role_granted_meanwhile(
    two_admins: tuple[Client, Client], nurse: User
) -> None:
    anna, bert = two_admins
    form_a, form_b = _opened(anna, nurse), _opened(bert, nurse)
    form_a["roles"] = [str(_group("nurse").pk), str(_group("physician").pk)]
    saved = _post(anna, nurse, form_a)
    assert "Saved: roles." in saved.text
    events = _account_events(nurse)

    form_b["email"] = ["nurse2@example.org"]
    refused = _post(bert, nurse, form_b)
    assert refused.redirect_chain == []
    assert "Not saved: this record was changed by someone else" in refused.text
    # Nothing written: the grant stands, the e-mail is as it was, no audit row.
    assert _roles(nurse) == {"nurse", "physician"}
    assert User.objects.get(pk=nurse.pk).email == "nurse@example.org"
    assert _account_events(nurse) == events
    # The form now shows Anna's grant (Bert had not touched the roles) and keeps Bert's e-mail.
    form = refused.context["form"]
    assert form["email"].value() == "nurse2@example.org"
    assert {str(pk) for pk in form["roles"].value()} == set(form_a["roles"])
    assert "changed by Anna" in str(form.errors["roles"])
    # Saving that merged form changes the e-mail only, and says so.
    merged = _post(bert, nurse, posted_lists(refused.content.decode(), having="version"))
    assert "Saved: email." in merged.text
    assert _roles(nurse) == {"nurse", "physician"}
    assert User.objects.get(pk=nurse.pk).email == "nurse2@example.org"


def test_a_stale_form_does_not_give_back_a_revoked_role_or_site(
    two_admins: tuple[Client, Client], site: Site, other_site: Site
) -> None:
    anna, bert = two_admins
    user = UserFactory(username="doc", role="physician", sites=[site, other_site])
    user.groups.add(_group("nurse"))
    form_a, form_b = _opened(anna, user), _opened(bert, user)
    form_a["roles"] = [str(_group("nurse").pk)]
    assert "Saved: roles." in _post(anna, user, form_a).text
    form_b["first_name"] = ["Dana"]
    assert "Not saved" in _post(bert, user, form_b).text
    assert _roles(user) == {"nurse"}

    # A site taken away meanwhile is a conflict too.
    form_a, form_b = _opened(anna, user), _opened(bert, user)
    form_a["sites"] = [str(site.pk)]
    assert "Saved: sites." in _post(anna, user, form_a).text
    form_b["first_name"] = ["Dana"]
    refused = _post(bert, user, form_b)
    assert "Not saved" in refused.text
    assert _sites(user) == {"north"}
    assert User.objects.get(pk=user.pk).first_name == ""


def test_when_both_change_the_roles_the_second_value_is_kept_and_flagged(
    two_admins: tuple[Client, Client], nurse: User
) -> None:
    anna, bert = two_admins
    form_a, form_b = _opened(anna, nurse), _opened(bert, nurse)
    form_a["roles"] = [str(_group("physician").pk)]
    _post(anna, nurse, form_a)
    form_b["roles"] = [str(_group("nurse").pk), str(_group("admin").pk)]
    refused = _post(bert, nurse, form_b)
    form = refused.context["form"]
    assert {str(pk) for pk in form["roles"].value()} == set(form_b["roles"])
    assert "Anna changed this to “Physician”" in str(form.errors["roles"])
    assert _roles(nurse) == {"physician"}


def test_a_save_that_changes_nothing_says_so_and_writes_nothing(
    admin_client_: Client, nurse: User
) -> None:
    events = _account_events(nurse)
    response = _post(admin_client_, nurse, _opened(admin_client_, nurse))
    assert UNCHANGED in response.text
    assert "Saved" not in response.text
    assert _account_events(nurse) == events
    assert User.objects.get(pk=nurse.pk).version == nurse.version


def test_the_message_names_only_what_changed(admin_client_: Client, nurse: User) -> None:
    form = _opened(admin_client_, nurse)
    form["last_name"] = ["Nightingale"]
    response = _post(admin_client_, nurse, form)
    assert "Saved: last_name." in response.text
    event = AuditEvent.objects.filter(object_id=str(nurse.pk)).latest("pk")
    assert set(event.changes) == {"last_name", "version", "at_sites"}


def test_the_service_refuses_an_outdated_version(admin_user: User, nurse: User) -> None:
    with pytest.raises(ConcurrentEditError):
        services.user_update(
            actor=admin_user,
            user=nurse,
            values={"email": "x@example.org"},
            roles=[_group("nurse")],
            sites=list(nurse.sites.all()),
            expected_version=nurse.version - 1,
        )
    assert User.objects.get(pk=nurse.pk).email == "nurse@example.org"
