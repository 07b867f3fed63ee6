"""nurse12 F14 on the monitoring pages: refusals in the forms' own plain words, keeping what was
typed, and labels written as labels inside a sentence."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from monitoring.assessment.forms import NOTE_NEEDED
from monitoring.models import Alert, BoneTherapyCourse, BoneTherapyDose, LabResult
from monitoring.overview.filters import WEEKS_REFUSED
from patients.models import Patient
from tests.factories import LabResultFactory
from tests.html_forms import posted_data
from tests.monitoring.app.overview_data import alert
from tests.monitoring.app.test_mark_changed_record import (
    KINDS,
    REASON,
    colleague,  # noqa: F401
)
from tests.record_edits import correct_calcium

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.mark.parametrize("typed", ["1000", "0", "-1", "abc"])
def test_the_worklist_keeps_the_weeks_typed_and_says_why_in_plain_words(
    nurse_client: Client, typed: str
) -> None:
    page = nurse_client.get(reverse("monitoring:worklist"), {"weeks": typed})
    assert page.context["weeks"] == 8  # the list still shows the default
    text = page.text
    assert f'value="{typed}"' in text  # the box keeps what was typed
    assert WEEKS_REFUSED in text
    assert "Ensure this value" not in text
    assert "Enter a whole number." not in text


def test_a_note_of_spaces_is_refused_in_plain_words(nurse_client: Client, patient: Patient) -> None:
    raised = alert(patient, "VITAMIN_D_INSUFFICIENT", "info", days_ago=1)
    url = reverse("monitoring:alert_acknowledge", args=[raised.pk])
    refused = nurse_client.post(url, {"note": "    "})
    assert refused.status_code == 200
    assert refused.context["form"].errors["note"] == [NOTE_NEEDED]
    assert "This field is required." not in refused.text
    assert Alert.objects.get(pk=raised.pk).acknowledged_at is None


def test_a_dose_dated_years_ahead_cannot_be_in_the_future(
    physician_client: Client, patient: Patient
) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="alendronate",
        dose="70 mg weekly",
        start_date=TODAY - timedelta(days=30),
    )
    url = reverse("monitoring:dose_create", args=[patient.pk, course.pk])
    for typed in ((TODAY + timedelta(days=1)).isoformat(), "2206-12-07"):
        refused = physician_client.post(url, {"given_on": typed})
        assert refused.status_code == 200
        assert refused.context["form"].errors["given_on"] == [
            "The dose date cannot be in the future."
        ]
    assert not BoneTherapyDose.objects.filter(course=course).exists()


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "said"),
    [
        ("calcium", "2.30", "mmol/L", "A calcium (albumin-adjusted) result from"),
        ("egfr", "80", "mL/min/1.73m2", "An eGFR result from"),
        ("vitamin_d_25oh", "30", "ng/mL", "A 25-OH vitamin D result from"),
    ],
)
def test_a_result_recorded_twice_is_named_as_a_label_in_a_sentence(
    nurse_client: Client, patient: Patient, analyte: str, value: str, unit: str, said: str
) -> None:
    day = TODAY - timedelta(days=3)
    LabResultFactory(
        patient=patient,
        sample_date=day,
        analyte=analyte,
        value=Decimal(value),
        entered_value=Decimal(value),
        entered_unit=unit,
    )
    refused = nurse_client.post(
        reverse("monitoring:labs_create", args=[patient.pk]),
        {"sample_date": day.isoformat(), f"{analyte}_value": value, f"{analyte}_unit": unit},
    )
    assert said in refused.context["form"].errors[f"{analyte}_value"][0]
    assert LabResult.objects.filter(patient=patient, analyte=analyte).count() == 1


def test_a_mark_refused_for_a_corrected_result_names_the_form_s_fields(
    physician_client: Client,
    patient: Patient,
    colleague: User,  # noqa: F811
) -> None:
    kind = KINDS["lab"]
    lab = kind.make(patient)
    url = kind.url(patient, lab)
    shown = posted_data(physician_client.get(url).text, having="reason") | {"reason": REASON}
    correct_calcium(colleague, lab)
    response = physician_client.post(url, shown)
    (refusal,) = response.context["form"].non_field_errors()
    assert " Changed: value. It now reads: " in refusal
    assert "entered value" not in refusal
    assert not LabResult.objects.get(pk=lab.pk).entered_in_error


def test_the_pending_checks_name_their_labels_as_written(
    physician_client: Client, patient: Patient
) -> None:
    saved = physician_client.post(
        reverse("monitoring:therapy_create", args=[patient.pk]),
        {"drug": "denosumab", "dose": "60 mg", "start_date": ""},
        follow=True,
    )
    assert "failing today: 25-OH vitamin D, albumin-adjusted calcium" in saved.text
    assert "25-oh vitamin d" not in saved.text
