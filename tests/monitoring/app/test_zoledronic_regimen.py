"""Zoledronic acid is scheduled every 6 months whatever the dose text (phys11 F3: "5 mg once
yearly" was scheduled 6-monthly). The form says beside the dose what the schedule assumes, and a
dose stating a yearly interval is refused there and in a history import; the adjuvant regimen
with its length ("for 3 years") is taken."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.models import BoneTherapyCourse
from monitoring.records.regimens import unsupported_regimen
from patients.models import Patient
from tests.conftest import login
from tests.factories import ScannerFactory, results_in_range
from tests.html_forms import posted_data
from tests.monitoring.imports.helpers import vignette
from tests.monitoring.imports.test_import_pages import _upload

TODAY = timezone.localdate()
REFUSAL = "The app schedules zoledronic acid every 6 months"


@pytest.mark.parametrize(
    ("dose", "refused"),
    [
        ("5 mg once yearly", True),
        ("5 mg annually", True),
        ("5 mg once a year", True),
        ("5 mg every 12 months", True),
        ("5 mg IV q12 months", True),
        ("5 mg/yr", True),
        ("5 mg per annum", True),
        # Prescribers' shorthand (recheck11 #7).
        ("5 mg IV q12m", True),
        ("5 mg q12mo", True),
        ("5 mg q 12 mths", True),
        ("5 mg p.a.", True),
        ("5 mg IV p. a.", True),
        ("5 mg every 1 year", True),
        ("5 mg q1y", True),
        ("5 mg q 1 yr", True),
        ("5 mg every 12/12", True),
        # sec12 #6.
        ("5 mg every 52 weeks", True),
        ("5 mg q52w", True),
        ("5 mg every 365 days", True),
        ("5 mg every fifty-two weeks", True),
        ("5 mg \uff4f\uff4e\uff43\uff45 \uff59\uff45\uff41\uff52\uff4c\uff59", True),
        ("4 mg every 26 weeks", False),
        ("4 mg every 182 days", False),
        ("4 mg q6m", False),
        ("4 mg q6 months", False),
        ("4 mg every 6/12", False),
        ("4 mg q6m, first given 12/12/2025", False),
        ("4 mg every 6 months for 1 year", False),
        ("4 mg (pamidronate-free)", False),
        ("4 mg every 6 months", False),
        ("4 mg every 6 months for 3 years", False),
        ("4 mg 6-monthly for a year", False),
        ("4 mg", False),
        ("", False),
    ],
)
def test_a_stated_yearly_interval_is_refused(dose: str, refused: bool) -> None:
    assert bool(unsupported_regimen("zoledronic_acid", dose)) is refused
    assert unsupported_regimen("denosumab", dose) == ""  # denosumab has its own schedule


def test_the_refusal_cites_the_rule_and_says_a_yearly_regimen_is_not_supported() -> None:
    words = unsupported_regimen("zoledronic_acid", "5 mg once yearly")
    assert words.startswith(f"{REFUSAL} (the adjuvant 4 mg every 6 months")
    # The rule id of the Rules page (nurse11 F10: the schedule item has no entry there).
    assert "rule DMAB-SCHEDULE" in words
    assert "a yearly regimen is not supported" in words


@pytest.mark.django_db
class TestTheTherapyForm:
    def _post(self, client: Client, patient: Patient, dose: str) -> object:
        results_in_range(patient, TODAY - timedelta(days=3))
        url = reverse("monitoring:therapy_create", args=[patient.pk])
        data = posted_data(client.get(url).text, having="drug") | {
            "drug": "zoledronic_acid",
            "dose": dose,
            "start_date": TODAY.isoformat(),
            "dental_review_date": (TODAY - timedelta(days=5)).isoformat(),
        }
        return client.post(url, data)

    def test_the_dose_field_says_what_the_schedule_assumes(
        self, physician_client: Client, patient: Patient
    ) -> None:
        page = physician_client.get(reverse("monitoring:therapy_create", args=[patient.pk])).text
        assert (
            "Zoledronic acid: the schedule of its infusions and the check before each one assume "
            'the adjuvant 4 mg every 6 months, rule <a href="/rules/#DMAB-SCHEDULE">DMAB-SCHEDULE'
            "</a>; a yearly regimen is not supported." in page
        )
        assert "zoledronic_acid_dose" not in page

    def test_a_yearly_dose_is_refused_beside_the_field(
        self, physician_client: Client, patient: Patient
    ) -> None:
        response = self._post(physician_client, patient, "5 mg once yearly")
        assert response.status_code == 200  # type: ignore[attr-defined]
        errors = response.context["form"].errors  # type: ignore[attr-defined]
        assert errors["dose"][0].startswith(REFUSAL)
        assert not BoneTherapyCourse.objects.exists()

    def test_the_adjuvant_regimen_with_its_length_is_saved(
        self, physician_client: Client, patient: Patient
    ) -> None:
        response = self._post(physician_client, patient, "4 mg every 6 months for 3 years")
        assert response.status_code == 302  # type: ignore[attr-defined]
        assert BoneTherapyCourse.objects.get().dose == "4 mg every 6 months for 3 years"

    def test_a_course_saved_before_keeps_its_dose_and_can_be_stopped(
        self, physician_client: Client, patient: Patient, physician: User
    ) -> None:
        course = BoneTherapyCourse.objects.create(
            patient=patient,
            drug="zoledronic_acid",
            dose="5 mg once yearly",
            start_date=TODAY - timedelta(days=60),
            dental_review_date=TODAY - timedelta(days=70),
            entered_by=physician,
        )
        url = reverse("monitoring:therapy_update", args=[patient.pk, course.pk])
        data = posted_data(physician_client.get(url).text, having="drug")
        data |= {"stop_date": TODAY.isoformat(), "stop_reason": "regimen changed"}
        assert physician_client.post(url, data).status_code == 302
        course.refresh_from_db()
        assert course.stop_date == TODAY
        # Its dose changed to another yearly text is refused.
        data |= {"dose": "5 mg every 12 months"}
        refused = physician_client.post(url, data)
        assert refused.context["form"].errors["dose"][0].startswith(REFUSAL)
        course.refresh_from_db()
        assert course.dose == "5 mg once yearly"


@pytest.mark.django_db
def test_a_history_import_refuses_it_too(site: Site, physician: User) -> None:
    ScannerFactory(site=site, name="S1")
    client = login(physician)
    history = vignette("01-baseline-normal-vitd-30")
    history.pop("as_of")
    history["bone_therapy"] = [
        {
            "drug": "zoledronic_acid",
            "dose": "5 mg once yearly",
            "start_date": (TODAY - timedelta(days=30)).isoformat(),
            "stop_date": None,
            "doses": [],
        }
    ]
    page = _upload(client, json.dumps(history), kind="history_json", site=site.pk)
    text = page.content.decode()
    assert f"bone_therapy[0].dose: {REFUSAL}" in text
    assert "Confirm the import" not in text
    assert not Patient.objects.exists()
