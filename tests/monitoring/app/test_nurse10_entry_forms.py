"""nurse10 F8, F11 and F20 on the entry forms: a CTX is saved only with its fasting question
answered (and a non-fasting one is marked on the page as not counting for the response check);
numbers copied from lab reports and PDFs (a Unicode minus, ">90", "12%") are read or refused with
what to type (a FRAX of "12%": test_nurse11_number_boxes.py); and the wording of the dose form, the
scan form and the worklist."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import BoneTherapyCourse, DexaMeasurement, LabResult
from monitoring.records.forms.labs import FASTING_NEEDED
from patients.models import Patient
from tests.factories import ScannerFactory
from tests.monitoring.app.test_entry_forms import scan_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SAMPLED = (TODAY - timedelta(days=2)).isoformat()


def _labs(patient: Patient) -> str:
    return reverse("monitoring:labs_create", args=[patient.pk])


def _ctx(**answer: str) -> dict[str, str]:
    return {"sample_date": SAMPLED, "ctx_value": "0,20", "ctx_unit": "ng/mL", **answer}


def test_a_ctx_without_the_fasting_answer_is_refused(
    nurse_client: Client, patient: Patient
) -> None:
    response = nurse_client.post(_labs(patient), _ctx())
    assert response.status_code == 200
    assert response.context["form"].errors["fasting"] == [FASTING_NEEDED]
    assert 'value="0,20"' in response.text  # kept as typed
    assert not LabResult.objects.exists()


def test_the_fasting_question_has_no_default(nurse_client: Client, patient: Patient) -> None:
    page = nurse_client.get(_labs(patient)).text
    assert 'name="fasting" value="yes"' in page
    question = page[page.index("Was the CTX sample") :]
    assert "checked" not in question[: question.index("</fieldset>")]


@pytest.mark.parametrize(("answer", "fasting"), [("yes", True), ("no", False)])
def test_a_ctx_with_its_answer_is_saved(
    nurse_client: Client, patient: Patient, answer: str, fasting: bool
) -> None:
    assert nurse_client.post(_labs(patient), _ctx(fasting=answer)).status_code == 302
    assert LabResult.objects.get().fasting is fasting
    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    note = "not fasting: does not count for the response check"
    assert (note in page) is not fasting


def test_other_results_are_not_asked_about_fasting(nurse_client: Client, patient: Patient) -> None:
    data = {"sample_date": SAMPLED, "vitamin_d_25oh_value": "32", "vitamin_d_25oh_unit": "ng/mL"}
    assert nurse_client.post(_labs(patient), data).status_code == 302
    assert LabResult.objects.get().fasting is False


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (">90", "Enter the number without >: 90."),
        ("<5", "Enter the number without <: 5."),
        ("90%", "Enter the number without %: 90."),
    ],
)
def test_a_limit_or_a_percent_is_refused_with_what_to_type(
    nurse_client: Client, patient: Patient, typed: str, message: str
) -> None:
    data = {"sample_date": SAMPLED, "egfr_value": typed}
    response = nurse_client.post(_labs(patient), data)
    assert response.context["form"].errors["egfr_value"] == [message]
    assert not LabResult.objects.exists()


@pytest.mark.parametrize("minus", ["\u2212", "\u2013"])
def test_a_unicode_minus_is_a_minus(nurse_client: Client, patient: Patient, minus: str) -> None:
    scanner = ScannerFactory(site=patient.site, name="GE Lunar iDXA")
    url = reverse("monitoring:scan_create", args=[patient.pk])
    data = scan_data(scanner, lumbar_spine_t_score=f"{minus}1.2", total_hip_t_score=f"{minus}1,1")
    assert nurse_client.post(url, data).status_code == 302
    spine = DexaMeasurement.objects.get(site="lumbar_spine")
    hip = DexaMeasurement.objects.get(site="total_hip")
    assert (float(spine.t_score), float(hip.t_score)) == (-1.2, -1.1)


def test_a_unicode_minus_where_no_negative_is_allowed_is_refused(
    nurse_client: Client, patient: Patient
) -> None:
    data = {"sample_date": SAMPLED, "egfr_value": "\u221290"}
    response = nurse_client.post(_labs(patient), data)
    assert response.context["form"].errors["egfr_value"]
    assert not LabResult.objects.exists()


@pytest.mark.parametrize(
    ("drug", "title"),
    [("alendronate", "Record an alendronate intake"), ("denosumab", "Record a denosumab dose")],
)
def test_the_dose_form_title_reads_as_a_sentence(
    nurse_client: Client, patient: Patient, drug: str, title: str
) -> None:
    course = BoneTherapyCourse.objects.create(
        patient=patient, drug=drug, start_date=date(2024, 2, 1)
    )
    page = nurse_client.get(reverse("monitoring:dose_create", args=[patient.pk, course.pk])).text
    assert f"{title} <small" in page


def test_the_scan_form_names_a_site_by_its_label(nurse_client: Client, patient: Patient) -> None:
    scanner = ScannerFactory(site=patient.site, name="GE Lunar iDXA")
    url = reverse("monitoring:scan_create", args=[patient.pk])
    response = nurse_client.post(url, scan_data(scanner, lumbar_spine_t_score=""))
    # Beside the field under the site's legend; in the summary named with it (nurse11 F8).
    assert response.context["form"].errors["lumbar_spine_t_score"] == [
        "Enter the T-score with its BMD."
    ]
    assert "Lumbar spine (L1-L4) T-score</a>: Enter the T-score with its BMD." in response.text
    assert not DexaMeasurement.objects.exists()
