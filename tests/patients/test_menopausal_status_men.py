"""A man has no menopausal status (physician7 F15): the form does not ask it of him (a new man's
is stored blank), an unchanged save of a man registered before keeps what he was given, the
patient page does not show it, and the rules still test a man's age for T-scores (50 or more)."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring import domain
from monitoring.assessment.history import build_history
from monitoring.assessment.history_document import history_json
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert
from monitoring.records.selectors import patients_with_records
from patients.models import Patient
from tests.factories import DexaScanFactory, PatientFactory
from tests.html_forms import posted_data
from tests.patients.test_patient_forms import valid_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_new_patients_status_is_chosen_not_assumed(nurse_client: Client) -> None:
    form = nurse_client.get(reverse("patients:create")).context["form"]
    assert form["menopausal_status"].value() == ""


@pytest.mark.parametrize("status", ["premenopausal", "postmenopausal"])
def test_a_status_chosen_for_a_man_is_refused(
    nurse_client: Client, site: Site, status: str
) -> None:
    """nurse9 F3: a man posted as premenopausal was saved, the status dropped without a word."""
    data = valid_data(site, sex="M", name="Alan Turing", menopausal_status=status)
    response = nurse_client.post(reverse("patients:create"), data)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["menopausal_status"]
    assert error.startswith("A man has no menopausal status")
    assert response.context["form"]["menopausal_status"].value() == status  # kept as typed
    assert not Patient.objects.exists()


def test_a_new_man_is_stored_without_a_status(nurse_client: Client, site: Site) -> None:
    data = valid_data(site, sex="M", name="Alan Turing", menopausal_status="")
    assert nurse_client.post(reverse("patients:create"), data).status_code == 302
    man = Patient.objects.get(mrn="B2002")
    assert (man.sex, man.menopausal_status) == ("M", "")
    page = nurse_client.get(reverse("monitoring:patient", args=[man.pk])).text
    assert "Menopausal status" not in page
    assert build_history(man).patient.menopausal_status is None
    (loaded,) = patients_with_records([man.pk])
    assert history_json(loaded)["patient"]["menopausal_status"] is None


def test_a_woman_must_be_given_a_status(nurse_client: Client, site: Site) -> None:
    data = valid_data(site, menopausal_status="")
    response = nurse_client.post(reverse("patients:create"), data)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["menopausal_status"]
    assert error.startswith("Give a woman's menopausal status")
    assert not Patient.objects.exists()


def test_a_womans_status_is_shown(nurse_client: Client, site: Site) -> None:
    assert nurse_client.post(reverse("patients:create"), valid_data(site)).status_code == 302
    woman = Patient.objects.get(mrn="B2002")
    page = nurse_client.get(reverse("monitoring:patient", args=[woman.pk])).text
    assert "Menopausal status" in page
    assert "Postmenopausal" in page


def test_an_unchanged_save_of_a_man_registered_before_changes_nothing(
    physician_client: Client, site: Site
) -> None:
    """Registered before this change: he kept the default status, which nothing reads."""
    man = PatientFactory(site=site, sex="M", menopausal_status="postmenopausal")
    url = reverse("patients:update", args=[man.pk])
    page = physician_client.get(url).text
    assert "Not applicable (men)" in page
    data = posted_data(page, having="version")
    assert data["menopausal_status"] == "not_applicable"  # not asked of him
    events = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
    response = physician_client.post(url, data, follow=True)
    assert "Nothing was changed" in response.text
    man.refresh_from_db()
    assert (man.version, man.menopausal_status) == (1, "postmenopausal")
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == events
    page = physician_client.get(reverse("monitoring:patient", args=[man.pk])).text
    assert "Menopausal status" not in page


@pytest.mark.parametrize(
    ("birth_date", "z_scores_apply"),
    [(date(1950, 1, 1), False), (TODAY.replace(year=TODAY.year - 45), True)],
)
def test_the_rules_still_read_a_mans_age(
    site: Site, birth_date: date, z_scores_apply: bool
) -> None:
    man = PatientFactory(site=site, sex="M", menopausal_status="", birth_date=birth_date)
    DexaScanFactory(patient=man, scan_date=TODAY, t=-2.6)
    assert build_history(man).patient.sex is domain.Sex.M
    patient_assessment_refresh(patient=man)
    raised = Alert.objects.filter(patient=man, code="Z_SCORE_APPLIES", cleared_at=None).exists()
    assert raised is z_scores_apply
