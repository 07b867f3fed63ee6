"""nurse13 #7: "Premenopausal (on ovarian suppression)" chosen for a woman older than
PREMENOPAUSAL_CONFIRM_AGE is saved only once ticked as right; without the tick nothing is saved,
the typed values are kept and the words sit beside the status; with it the audit row keeps them.
A record stored so already is saved unchanged without a question. The history import warns of it
in its preview and keeps the same words in its audit row."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.records.history_import import history_import
from patients.menopause import CONFIRM_PREMENOPAUSAL, CONFIRMED_KEY, PREMENOPAUSAL_CONFIRM_AGE
from patients.models import Patient
from tests.factories import PatientFactory
from tests.html_forms import posted_data
from tests.patients.test_patient_forms import valid_data
from tests.record_edits import audit_writes

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def born_aged(age: int) -> dt.date:
    """A birth date making the patient `age` today (her birthday a month ago)."""
    return TODAY.replace(year=TODAY.year - age, day=1) - dt.timedelta(days=31)


def _edit(client: Client, patient: Patient, **typed: str) -> tuple[str, dict[str, str]]:
    url = reverse("patients:update", args=[patient.pk])
    return url, posted_data(client.get(url).text, having="version") | typed


def test_a_65_year_old_made_premenopausal_is_refused_beside_the_status_and_kept(
    nurse_client: Client, site: Site
) -> None:
    patient = PatientFactory(
        site=site, birth_date=born_aged(65), menopausal_status="postmenopausal"
    )
    writes = audit_writes()
    url, data = _edit(nurse_client, patient, menopausal_status="premenopausal", weight_kg="63")
    response = nurse_client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    (error,) = form.errors["menopausal_status"]
    assert error.startswith("Premenopausal at 65: past 55 most women are postmenopausal")
    assert "read on Z-scores" in error
    assert error.endswith("tick the box below.")
    assert f'name="{CONFIRM_PREMENOPAUSAL}"' in response.text  # the tick is offered
    assert form["menopausal_status"].value() == "premenopausal"  # kept as typed
    assert 'value="63"' in response.text
    patient.refresh_from_db()
    assert (patient.menopausal_status, patient.weight_kg, patient.version) == (
        "postmenopausal",
        60,
        1,
    )
    assert audit_writes() == writes


def test_ticked_the_status_is_saved_and_the_audit_row_keeps_the_words(
    nurse_client: Client, site: Site
) -> None:
    patient = PatientFactory(
        site=site, birth_date=born_aged(65), menopausal_status="postmenopausal"
    )
    url, data = _edit(
        nurse_client, patient, menopausal_status="premenopausal", **{CONFIRM_PREMENOPAUSAL: "on"}
    )
    assert nurse_client.post(url, data).status_code == 302
    patient.refresh_from_db()
    assert (patient.menopausal_status, patient.version) == ("premenopausal", 2)
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(patient.pk))
    assert event.changes["menopausal_status"] == ["postmenopausal", "premenopausal"]
    assert event.changes[CONFIRMED_KEY].startswith("Premenopausal at 65:")
    history = nurse_client.get(reverse("monitoring:history", args=[patient.pk, "patient"]))
    assert "Premenopausal status confirmed" in history.text


def test_registration_asks_above_the_cut_off_only(nurse_client: Client, site: Site) -> None:
    at_cut_off = valid_data(
        site,
        birth_date=born_aged(PREMENOPAUSAL_CONFIRM_AGE).isoformat(),
        menopausal_status="premenopausal",
    )
    assert nurse_client.post(reverse("patients:create"), at_cut_off).status_code == 302
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="patients.patient")
    assert CONFIRMED_KEY not in created.changes

    older = valid_data(
        site,
        mrn="C3003",
        name="Older Woman",
        birth_date=born_aged(PREMENOPAUSAL_CONFIRM_AGE + 1).isoformat(),
        menopausal_status="premenopausal",
    )
    response = nurse_client.post(reverse("patients:create"), older)
    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["menopausal_status"][0]
        .startswith(f"Premenopausal at {PREMENOPAUSAL_CONFIRM_AGE + 1}:")
    )
    assert not Patient.objects.filter(mrn="C3003").exists()

    ticked = nurse_client.post(reverse("patients:create"), older | {CONFIRM_PREMENOPAUSAL: "on"})
    assert ticked.status_code == 302
    woman = Patient.objects.get(mrn="C3003")
    assert woman.menopausal_status == "premenopausal"
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="patients.patient", object_id=str(woman.pk)
    )
    assert event.changes[CONFIRMED_KEY].startswith(
        f"Premenopausal at {PREMENOPAUSAL_CONFIRM_AGE + 1}"
    )


def test_a_postmenopausal_woman_or_a_man_is_never_asked(nurse_client: Client, site: Site) -> None:
    page = nurse_client.get(reverse("patients:create")).text
    assert f'name="{CONFIRM_PREMENOPAUSAL}"' not in page
    woman = valid_data(site, birth_date=born_aged(70).isoformat())
    assert nurse_client.post(reverse("patients:create"), woman).status_code == 302
    man = valid_data(
        site,
        mrn="M4004",
        name="Alan Turing",
        sex="M",
        menopausal_status="not_applicable",
        birth_date=born_aged(70).isoformat(),
    )
    assert nurse_client.post(reverse("patients:create"), man).status_code == 302


def test_a_record_stored_so_already_saves_unchanged_without_a_question(
    physician_client: Client, site: Site
) -> None:
    patient = PatientFactory(site=site, birth_date=born_aged(62), menopausal_status="premenopausal")
    url, data = _edit(physician_client, patient)
    assert physician_client.post(url, data).status_code == 302
    patient.refresh_from_db()
    assert patient.version == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()


def test_a_birth_date_that_makes_a_premenopausal_woman_older_is_asked(
    physician_client: Client, site: Site
) -> None:
    patient = PatientFactory(site=site, birth_date=born_aged(44), menopausal_status="premenopausal")
    url, data = _edit(physician_client, patient, birth_date=born_aged(64).isoformat())
    response = physician_client.post(url, data)
    assert response.status_code == 200
    assert "Premenopausal at 64" in response.context["form"].errors["menopausal_status"][0]
    patient.refresh_from_db()
    assert (patient.birth_date, patient.version) == (born_aged(44), 1)


def _history(status: str, age: int) -> dict[str, object]:
    return {
        "patient": {
            "mrn": "H7002",
            "sex": "F",
            "birth_date": born_aged(age).isoformat(),
            "menopausal_status": status,
        }
    }


def test_the_history_import_warns_and_its_audit_row_keeps_the_words(
    site: Site, nurse: User
) -> None:
    report = history_import(data=_history("premenopausal", 66), site=site, actor=nurse)
    (warning,) = report.warnings
    assert warning.startswith("patient.menopausal_status: Premenopausal at 66:")
    woman = Patient.objects.get(mrn="H7002")
    assert woman.menopausal_status == "premenopausal"
    created = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="patients.patient", object_id=str(woman.pk)
    )
    assert created.changes[CONFIRMED_KEY].startswith("Premenopausal at 66:")
    # Imported again, as recorded: nothing to confirm, nothing changed.
    again = history_import(data=_history("premenopausal", 66), site=site, actor=nurse)
    assert again.warnings == []
    assert not again.changed


def test_the_history_import_warns_of_a_status_it_changes(site: Site, nurse: User) -> None:
    history_import(data=_history("postmenopausal", 66), site=site, actor=nurse)
    report = history_import(data=_history("premenopausal", 66), site=site, actor=nurse)
    assert report.warnings[0].startswith("patient.menopausal_status: Premenopausal at 66:")
    woman = Patient.objects.get(mrn="H7002")
    changed = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(woman.pk))
    assert changed.changes["menopausal_status"] == ["postmenopausal", "premenopausal"]
    assert changed.changes[CONFIRMED_KEY].startswith("Premenopausal at 66:")
