"""followups14: the kidney chart and the labs table say what RENAL decided of a newer creatinine.

phys14 #1 (fix/newcreat14): a woman of 78, 48 kg, on zoledronic acid, eGFR 80 20 days ago and a
creatinine of 160 µmol/L 10 days ago (a Cockcroft-Gault clearance of 19.4 mL/min): the creatinine
speaks last and RENAL raises RENAL_FUNCTION_UNKNOWN at high, "Kidney function to measure". The
chart's point for that estimate and its key, and the table's flag, still read "information only:
the rules judge a measured clearance or eGFR". They now say "below zoledronic acid's 35 mL/min
limit: kidney function to measure before the infusion", read from the rules' decision; an estimate
the rules do not act on stays information only.

Read as a nurse reads the page (`visible_text`) and from the chart's JSON the page draws; the
alert stored in the database is the rules' decision the words must follow.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, BoneTherapyCourse
from patients.models import Patient
from tests.factories import LabResultFactory, course_with_a_dose_due
from tests.html_forms import visible_text
from tests.monitoring.app.test_kidney_chart_judged import _figure, _key, _traces

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CREATININE_ON = TODAY - timedelta(days=10)
ESTIMATE = "Cockcroft-Gault clearance (mL/min)"
SAYS = "below zoledronic acid's 35 mL/min limit: kidney function to measure before the infusion"
INFORMATION = "information only"


@pytest.fixture
def t14(patient: Patient) -> Patient:
    """78 on the creatinine's date, 48 kg."""
    born = date(CREATININE_ON.year - 78, 1, 1)
    Patient.objects.filter(pk=patient.pk).update(birth_date=born, weight_kg=Decimal(48))
    patient.refresh_from_db()
    return patient


def _creatinine(patient: Patient, value: int, day: date = CREATININE_ON) -> None:
    LabResultFactory(
        patient=patient,
        sample_date=day,
        analyte="creatinine",
        value=Decimal(value),
        entered_value=Decimal(value),
        entered_unit="µmol/L",
    )


def _to_measure_raised(patient: Patient) -> bool:
    return Alert.objects.filter(
        patient=patient, code="RENAL_FUNCTION_UNKNOWN", severity="high", cleared_at__isnull=True
    ).exists()


def _page(client: Client, patient: Patient) -> str:
    response = client.get(reverse("monitoring:patient", args=[patient.pk]))
    assert response.status_code == 200
    return response.text


def _creatinine_flags(page: str) -> list[str]:
    """The visible flag of each creatinine row of the labs table, newest first."""
    table = page.split('<table class="table table-sm labs-table', 1)[1].split("</table>", 1)[0]
    flags = []
    for row in table.split("<tr")[1:]:
        cells = row.split("<td")
        if len(cells) > 4 and ">Creatinine<" in cells[2]:
            flags.append(visible_text("<td" + cells[4]))
    return flags


def _on_zoledronic_acid(patient: Patient, creatinine: int) -> BoneTherapyCourse:
    """Zoledronic acid, the next infusion due, eGFR 80 20 days ago, then a creatinine alone."""
    course = course_with_a_dose_due(patient, "zoledronic_acid", days=180, since=180)
    _creatinine(patient, creatinine)
    patient_assessment_refresh(patient=patient)
    return course


def test_a_newer_creatinine_below_the_limit_reads_as_the_alert_says(
    nurse_client: Client, t14: Patient
) -> None:
    _on_zoledronic_acid(t14, 160)
    assert _to_measure_raised(t14)  # the rules' decision
    page = _page(nurse_client, t14)

    (point,) = _traces(_figure(page))[ESTIMATE]["text"][-1:]
    assert point.startswith(f"low · {SAYS}<br>from creatinine 160 µmol/L and 48 kg on record")
    assert INFORMATION not in point

    key = _key(page)
    assert (
        f"the clearance of the creatinine of {CREATININE_ON.isoformat()}, newer than the kidney "
        f"function judged, is {SAYS}." in key
    )
    (flag,) = _creatinine_flags(page)
    assert flag == (
        "▼ low clearance estimated creatinine clearance 19.4 mL/min (Cockcroft-Gault, 48 kg on "
        f"record), {SAYS}"
    )
    assert "the rules judge a measured clearance or eGFR" not in flag
    # The alert by its title, on the same page.
    assert "Kidney function to measure" in visible_text(page)


def test_only_the_creatinine_the_rules_read_speaks(nurse_client: Client, t14: Patient) -> None:
    """An older creatinine, before the eGFR the rules judge, stays information only."""
    _creatinine(t14, 170, TODAY - timedelta(days=60))
    _on_zoledronic_acid(t14, 160)
    page = _page(nurse_client, t14)
    older, newer = _traces(_figure(page))[ESTIMATE]["text"]
    assert SAYS in newer
    assert INFORMATION in older
    assert SAYS not in older
    newest_flag, older_flag = _creatinine_flags(page)
    assert SAYS in newest_flag
    assert "an estimate: the rules judge a measured clearance or eGFR" in older_flag


def test_an_estimate_above_the_limit_stays_information(nurse_client: Client, t14: Patient) -> None:
    """Creatinine 70 µmol/L: 44.4 mL/min, not below 35. No alert asks for kidney function, and
    the chart and the table say the estimate is information only."""
    _on_zoledronic_acid(t14, 70)
    assert not _to_measure_raised(t14)
    page = _page(nurse_client, t14)
    (point,) = _traces(_figure(page))[ESTIMATE]["text"]
    assert "information only: the rules judge a measured clearance or eGFR" in point
    assert "kidney function to measure" not in point
    assert "kidney function to measure" not in _key(page)
    (flag,) = _creatinine_flags(page)
    assert "an estimate: the rules judge a measured clearance or eGFR" in flag


def test_without_a_drug_planned_the_low_estimate_stays_information(
    nurse_client: Client, t14: Patient
) -> None:
    """No bone therapy planned or active: RENAL asks nothing, whatever the estimate."""
    LabResultFactory(
        patient=t14,
        sample_date=TODAY - timedelta(days=20),
        analyte="egfr",
        value=Decimal(80),
        entered_value=Decimal(80),
        entered_unit="mL/min/1.73m2",
    )
    _creatinine(t14, 160)
    patient_assessment_refresh(patient=t14)
    assert not _to_measure_raised(t14)
    page = _page(nurse_client, t14)
    (point,) = _traces(_figure(page))[ESTIMATE]["text"]
    assert "information only" in point
    assert "kidney function to measure" not in _key(page)
    (flag,) = _creatinine_flags(page)
    assert "an estimate: the rules judge a measured clearance or eGFR" in flag


def test_a_creatinine_alone_before_zoledronic_acid_asks_for_kidney_function(
    nurse_client: Client, t14: Patient
) -> None:
    """No eGFR or clearance on file (vignette 38: a creatinine is not one), zoledronic acid
    planned: the key says the estimate asks for kidney function, not that it is information."""
    BoneTherapyCourse.objects.create(
        patient=t14,
        drug="zoledronic_acid",
        dose="4 mg",
        start_date=TODAY + timedelta(days=14),
        dental_review_date=TODAY - timedelta(days=6),
    )
    _creatinine(t14, 160)
    patient_assessment_refresh(patient=t14)
    assert _to_measure_raised(t14)
    page = _page(nurse_client, t14)
    traces = _traces(_figure(page))
    assert list(traces) == [ESTIMATE]
    assert SAYS in traces[ESTIMATE]["text"][0]
    key = _key(page)
    assert (
        "Dotted: the Cockcroft-Gault clearance of each creatinine (age, sex and weight on "
        f"record); the clearance of the creatinine of {CREATININE_ON.isoformat()}, with no "
        f"creatinine clearance or eGFR in the last 12 months, is {SAYS}." in key
    )
    assert INFORMATION not in key
    (flag,) = _creatinine_flags(page)
    assert SAYS in flag
