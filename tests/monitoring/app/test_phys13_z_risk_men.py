"""phys13 #4, #12 and #13 on the pages.

#4: a premenopausal woman on an AI has her therapy alert raised on the T-score (WHO-CAT
Population keeps the T-score triggers): the Z-score alert no longer says "not T-scores".
#13: the risk header names what made the category high apart from the risk factors.
#12: a man gets no ATAC median projection (postmenopausal women's losses), and the page that
marks a patient entered in error words the care without "her".
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import DexaMeasurement, DexaScan, Scanner
from monitoring.records.selectors import stored_assessment
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory
from tests.html_forms import visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _scan_with_z(patient: Patient, spine: tuple[str, str, str]) -> None:
    scan = DexaScan.objects.create(
        patient=patient,
        scan_date=TODAY - dt.timedelta(days=20),
        scanner=Scanner.objects.create(site=patient.site, name="Lunar"),
    )
    for site, (bmd, t_score, z_score) in (
        ("lumbar_spine", spine),
        ("total_hip", ("0.780", "-1.4", "-1.1")),
    ):
        DexaMeasurement.objects.create(
            scan=scan, site=site, bmd=bmd, t_score=t_score, z_score=z_score
        )


@pytest.fixture
def premenopausal_on_ai(patient: Patient) -> Patient:
    patient.menopausal_status = "premenopausal"
    patient.birth_date = TODAY.replace(year=TODAY.year - 42) - dt.timedelta(days=30)
    patient.save()
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=90))
    return patient


def test_the_t_score_trigger_and_the_z_score_alert_agree(
    physician_client: Client, premenopausal_on_ai: Patient
) -> None:
    _scan_with_z(premenopausal_on_ai, ("0.850", "-2.2", "-1.9"))
    patient_assessment_refresh(patient=premenopausal_on_ai)
    page = physician_client.get(reverse("monitoring:patient", args=[premenopausal_on_ai.pk]))
    text = page.text
    assert "Bone therapy indicated" in text
    assert "WHO categories do not apply: read Z-scores" in text
    assert "not T-scores" not in text
    assert "The T-score still counts as a risk factor (below -1.5) and for the therapy" in text
    why = "Why high: lowest T-score -2.2, below -2.0 on an aromatase inhibitor"
    assert why in text
    assert text.index(why) < text.index("Risk factors: T-score below -1.5")
    summary = physician_client.get(
        reverse("monitoring:patient_summary", args=[premenopausal_on_ai.pk])
    ).text
    # On its own line under the facts: in their narrow cell it took eight lines.
    assert (
        "Risk category, why high: lowest T-score -2.2, below -2.0 on an aromatase inhibitor; "
        "risk factors: T-score below -1.5."
    ) in summary


def test_a_low_z_score_is_named_by_the_z_score_alert(
    physician_client: Client, premenopausal_on_ai: Patient
) -> None:
    _scan_with_z(premenopausal_on_ai, ("0.880", "-1.9", "-2.2"))
    patient_assessment_refresh(patient=premenopausal_on_ai)
    page = physician_client.get(reverse("monitoring:patient", args=[premenopausal_on_ai.pk]))
    text = visible_text(page.text)
    assert (
        "Lowest Z-score -2.2 at the lumbar spine (scan of "
        f"{(TODAY - dt.timedelta(days=20)).isoformat()}): below the expected range for age: "
        "consider secondary causes."
    ) in text
    assert "Why high" not in text  # moderate: the spec's risk category, unchanged


def test_osteoporosis_is_said_once_as_the_reason(
    physician_client: Client, patient: Patient
) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=90))
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=20), t=-2.6)
    patient_assessment_refresh(patient=patient)
    text = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    # Not "osteoporosis; lowest T-score -2.6, below -2.0 …" (TX-AI-T fires too): the T-score once.
    assert (
        "Why high: osteoporosis (lowest T-score -2.6); 2 or more risk factors on an aromatase "
        "inhibitor</span>"
    ) in text


@pytest.fixture
def man_on_anastrozole(patient: Patient) -> Patient:
    patient.sex, patient.menopausal_status = "M", ""
    patient.birth_date = TODAY.replace(year=TODAY.year - 68) - dt.timedelta(days=30)
    patient.name = "John Example"
    patient.save()
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - dt.timedelta(days=90))
    DexaScanFactory(patient=patient, scan_date=TODAY - dt.timedelta(days=20), t=-1.2)
    patient_assessment_refresh(patient=patient)
    return patient


def test_a_man_gets_no_atac_projection_and_the_page_says_why(
    physician_client: Client, man_on_anastrozole: Patient
) -> None:
    assessment = stored_assessment(patient=man_on_anastrozole)
    assert assessment is not None
    assert {p["basis"] for p in assessment.data["projections"]} == {"atac_median"}  # the rules
    page = physician_client.get(reverse("monitoring:patient", args=[man_on_anastrozole.pk]))
    assert page.context["full"]()["projection_rows"] == []
    assert "Projected T-score (estimate)" not in page.text
    assert (
        "No projected T-score for the lumbar spine, total hip and femoral neck: the ATAC median "
        "loss is that of postmenopausal women on anastrozole, not a man&#x27;s."
    ) in page.text
    figure = page.context["full"]()["bmd_figure"]
    assert not [trace for trace in figure["data"] if "estimate" in trace["name"]]


def test_marking_a_man_in_error_does_not_call_him_her(
    physician_client: Client, man_on_anastrozole: Patient
) -> None:
    page = physician_client.get(reverse("patients:mark_in_error", args=[man_on_anastrozole.pk]))
    assert "This patient's care is running or open" in page.text
    assert not {"Her ", " her ", " she "} & {
        w for w in ("Her ", " her ", " she ") if w in page.text
    }
