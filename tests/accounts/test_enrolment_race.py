"""One enrolment link submitted twice at once, by two browsers: exactly one password is set.

Django checks the token before the form; the service checks it again under the row lock, so the
second submission finds the token spent by the first.
"""

from django.test import Client

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditEvent
from tests.factories import UserFactory
from tests.races import POSTGRESQL_ONLY, at_once
from tests.test_access import _enrol_url

pytestmark = POSTGRESQL_ONLY


def test_two_submissions_of_one_link_set_one_password(ward: Site) -> None:
    user = UserFactory(username="newnurse", role="nurse", sites=[ward])
    link = _enrol_url(user)
    browsers = [Client(), Client()]
    form_urls = [browser.get(link)["Location"] for browser in browsers]
    passwords = ["a first long passphrase", "a second long passphrase"]
    responses = at_once(
        [
            lambda i=i: browsers[i].post(
                form_urls[i], {"new_password1": passwords[i], "new_password2": passwords[i]}
            )
            for i in range(2)
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 302]
    winner = passwords[[r.status_code for r in responses].index(302)]
    assert User.objects.get(pk=user.pk).check_password(winner)
    refused = next(r for r in responses if r.status_code == 200)
    assert "does not work" in refused.content.decode()
    assert AuditEvent.objects.filter(changes__password="set through an enrolment link").count() == 1
