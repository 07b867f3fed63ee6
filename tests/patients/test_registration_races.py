"""Two registrations of one patient at the same moment (sec9 F5: "DUP-1-X" and "DUP1X", the same
name and birth date, both stored 2 times out of 3). The registrations that could be one person
take turns (advisory locks on the site's birth date and folded MRN) and the second, finding the
first under the lock, gets the form back with the match listed; registrations of different
people do not wait for each other. Each thread is a database connection of its own."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from patients.models import Patient
from patients.registration import PossibleDuplicateError
from patients.services import patient_create
from tests.factories import UserFactory
from tests.patients.test_patient_forms import valid_data
from tests.races import POSTGRESQL_ONLY, at_once, clients, holding, in_thread, one_winner

pytestmark = POSTGRESQL_ONLY

BORN = date(1963, 2, 11)


@pytest.fixture
def nurse(ward: Site) -> User:
    return UserFactory(username="nurse.x", role="nurse", sites=[ward])


def _values(ward: Site, mrn: str, name: str = "Dana Dupont1", born: date = BORN) -> dict[str, Any]:
    return {"site": ward, "mrn": mrn, "name": name, "birth_date": born, "sex": "F"}


def _registered(ward: Site, first_mrn: str) -> None:
    assert list(Patient.objects.filter(site=ward).values_list("mrn", flat=True)) == [first_mrn]


@pytest.mark.parametrize(("first", "second"), [("DUP-1-X", "DUP1X"), ("RACE-REG-2", "RACE.REG.2")])
def test_the_security_testers_pair_posted_at_once_store_one_patient(
    ward: Site, first: str, second: str
) -> None:
    nurse, physician = clients(ward, "nurse", 1)[0], clients(ward, "physician", 1)[0]
    url = reverse("patients:create")
    posts: list[Callable[[], Any]] = [
        lambda: nurse.post(url, valid_data(ward, mrn=first, name="Dana Dupont1")),
        lambda: physician.post(url, valid_data(ward, mrn=second, name="Dana Dupont1")),
    ]
    for attempt in range(3):  # the tester's three tries
        assert Patient.objects.filter(site=ward).count() == attempt
        (refused,) = one_winner(at_once(posts))
        error = refused.context["form"].errors["confirm_not_duplicate"][0]
        assert "Possibly registered already at North General" in error
        kept = Patient.objects.get(site=ward, entered_in_error=False)
        assert f"MRN {kept.mrn}, Dana Dupont1" in error
        assert 'value="Dana Dupont1"' in refused.text  # what was typed is kept
        assert 'name="confirm_not_duplicate"' in refused.text
        creations = AuditEvent.objects.filter(
            object_type="patients.patient", action=AuditAction.CREATE, object_id=str(kept.pk)
        )
        assert creations.count() == 1
        # Cleared for the next try (entered in error: no longer a possible duplicate).
        Patient.objects.filter(pk=kept.pk).update(entered_in_error=True)


def _register(
    values: dict[str, Any], actor: User, confirmed: frozenset[int] = frozenset()
) -> Callable[[], Patient]:
    """The registration, to run on a thread's connection."""
    return lambda: patient_create(actor=actor, values=values, not_duplicates=confirmed)


@pytest.mark.parametrize(
    "second",
    [
        {"mrn": "DUP1X", "name": "Somebody Else"},  # the MRN but for punctuation
        {"mrn": "OTHER-9", "name": "Dupont1, Dana"},  # the same birth date and a name alike
    ],
)
def test_a_possible_duplicate_waits_for_the_first_and_is_refused(
    ward: Site, nurse: User, second: dict[str, str]
) -> None:
    with holding(_register(_values(ward, "DUP-1-X"), nurse)):
        waiting = in_thread(_register(_values(ward, second["mrn"], second["name"]), nurse))
        assert waiting.waits(0.5), "the second registration did not wait for the first's commit"
    refused = waiting.outcome()
    assert isinstance(refused, PossibleDuplicateError)
    assert "MRN DUP-1-X, Dana Dupont1, born 1963-02-11" in str(refused)
    assert refused.field == "confirm_not_duplicate"
    _registered(ward, "DUP-1-X")


def test_a_tick_for_another_match_does_not_cover_the_one_registered_meanwhile(
    ward: Site, nurse: User
) -> None:
    earlier = patient_create(actor=nurse, values=_values(ward, "DUP-1", "Dana Dupont1"))
    with holding(_register(_values(ward, "DUP-1-X"), nurse, frozenset({earlier.pk}))):
        # The user ticked having seen DUP-1 (same name and birth date) listed, not DUP-1-X.
        waiting = in_thread(_register(_values(ward, "DUP1X"), nurse, frozenset({earlier.pk})))
    refused = waiting.outcome()
    assert isinstance(refused, PossibleDuplicateError)
    assert "MRN DUP-1-X" in str(refused)
    assert Patient.objects.filter(site=ward).count() == 2
    assert not Patient.objects.filter(mrn="DUP1X").exists()


def test_registrations_of_different_people_do_not_wait_for_each_other(
    ward: Site, nurse: User
) -> None:
    other = _values(ward, "NG-4411", "Maria Lopez", born=date(1970, 5, 6))
    with holding(_register(_values(ward, "DUP-1-X"), nurse)):
        waiting = in_thread(_register(other, nurse))
        assert not waiting.waits(5), "a registration of someone else waited for the first"
        saved = waiting.outcome()
        assert isinstance(saved, Patient)
    assert set(Patient.objects.filter(site=ward).values_list("mrn", flat=True)) == {
        "DUP-1-X",
        "NG-4411",
    }
