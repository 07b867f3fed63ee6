"""nurse14's page findings, through the Django client, as a reader sees the pages.

#9: the worklist says how long until a date in words as it says how late (days, then weeks, then
months), and its CSV has a column of the days until due. #10: the bone-turnover table is newest
first, as the Labs table. #11: the summary's projection names "lumbar spine (L1-L4)"; the history
says "Follow-up". #12: the 403 page says whose page was refused."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.overview.lists import CSV_COLUMNS
from patients.models import Patient
from tests.conftest import login
from tests.factories import AromataseInhibitorCourseFactory, LabResultFactory, PatientFactory
from tests.html_forms import visible_text
from tests.patients.test_patient_forms import valid_data

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


# --- #9: "due in" in words, and the CSV's days until due ----------------------------------------


@pytest.fixture
def planned(site: Site) -> dict[int, Patient]:
    """Patients whose planned aromatase inhibitor asks for a baseline scan in 0, 9, 60, 90 and
    364 days (the scan is due on the start)."""
    patients = {}
    for days in (0, 9, 60, 90, 364):
        patient = PatientFactory(site=site, mrn=f"DUE-{days:03d}", name=f"Due {days}")
        AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY + timedelta(days=days))
        patient_assessment_refresh(patient=patient)
        patients[days] = patient
    return patients


def _row_text(page: str, mrn: str) -> str:
    rows = [row for row in page.split("<tr") if f"MRN {mrn}" in row]
    assert len(rows) == 1, mrn
    return visible_text("<tr" + rows[0])


def test_the_worklist_says_how_long_until_due_in_words(
    nurse_client: Client, planned: dict[int, Patient]
) -> None:
    page = nurse_client.get(reverse("monitoring:worklist"), {"weeks": "104"}).text
    assert "Due in 12 months" in _row_text(page, "DUE-364")
    # As lateness is said: whole weeks up to 12 weeks, then months to the nearest half.
    assert "Due in 3 months" in _row_text(page, "DUE-090")
    assert "Due in 8 weeks" in _row_text(page, "DUE-060")
    assert "Due in 9 days" in _row_text(page, "DUE-009")
    assert "Due today" in _row_text(page, "DUE-000")
    assert "364 days" not in visible_text(page)
    printed = nurse_client.get(reverse("monitoring:worklist_print"), {"weeks": "104"}).text
    assert "Due in 12 months" in _row_text(printed, "DUE-364")


def test_the_worklist_csv_tells_due_today_from_due_in_weeks(
    nurse_client: Client, planned: dict[int, Patient]
) -> None:
    response = nurse_client.get(reverse("monitoring:worklist_csv"), {"weeks": "104"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    # The earlier columns where they were: the new one is last.
    assert header == CSV_COLUMNS
    assert header[:3] == ["due", "status", "days_past_due"]
    assert header[-1] == "days_until_due"
    rows = {row["mrn"]: row for row in csv.DictReader(io.StringIO(text))}
    assert {
        mrn: (row["status"], row["days_past_due"], row["days_until_due"])
        for mrn, row in rows.items()
    } == {
        "DUE-000": ("due", "0", "0"),
        "DUE-009": ("due", "0", "9"),
        "DUE-060": ("due", "0", "60"),
        "DUE-090": ("due", "0", "90"),
        "DUE-364": ("due", "0", "364"),
    }


def test_an_overdue_row_has_no_days_until_due(nurse_client: Client, patient: Patient) -> None:
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=120))
    patient_assessment_refresh(patient=patient)
    response = nurse_client.get(reverse("monitoring:worklist_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert (row["status"], row["days_past_due"], row["days_until_due"]) == ("overdue", "120", "0")


# --- #10: the bone-turnover table newest first ----------------------------------------------------


def _cells(html: str) -> str:
    """A table's text, each cell apart."""
    return visible_text(re.sub(r"<[^>]*>", " ", html))


def test_the_bone_turnover_table_is_newest_first_as_the_labs_table(
    nurse_client: Client, patient: Patient
) -> None:
    for day, value in ((date(2026, 7, 25), "0.52"), (date(2026, 11, 17), "0.31")):
        LabResultFactory(
            patient=patient,
            sample_date=day,
            analyte="ctx",
            value=value,
            entered_value=value,
            entered_unit="ng/mL",
            fasting=True,
        )
    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    btm = _cells(page.split('id="h-btm"', 1)[1].split("<table", 1)[1].split("</table>", 1)[0])
    labs = _cells(page.split('id="h-labs"', 1)[1].split("<table", 1)[1].split("</table>", 1)[0])
    for table in (btm, labs):
        assert table.index("2026-11-17") < table.index("2026-07-25"), table
    assert "2026-11-17 CTX 0.31 ng/mL Yes 2026-07-25 CTX 0.52 ng/mL Yes" in btm


# --- #11: the summary's site name and the history's "Follow-up" ----------------------------------


def test_the_named_projection_keeps_the_site_s_capitals() -> None:
    html = render_to_string(
        "monitoring/_bmd_chart.html",
        {
            "bmd_figure": {"data": []},
            "projection_rows": [{"site": "lumbar_spine"}, {"site": "total_hip"}],
            "projection_named": True,
        },
    )
    text = visible_text(html)
    assert "Projected T-score (an estimate) for the lumbar spine (L1-L4), total hip:" in text
    assert "(l1-l4)" not in text


def test_the_patient_s_history_says_follow_up_as_the_page_does(
    nurse_client: Client, site: Site
) -> None:
    nurse_client.post(reverse("patients:create"), valid_data(site))
    patient = Patient.objects.get()
    history = visible_text(
        nurse_client.get(reverse("monitoring:history", args=[patient.pk, "patient"])).text
    )
    assert "Follow-up: Active" in history
    assert "Follow up" not in history


# --- #12: whose page the 403 refused ------------------------------------------------------------

THERAPY_WORDS = "are a physician's: ask one of your site's physicians"
ADMIN_WORDS = "are an administrator's pages: ask one of your site's administrators"
CLINICAL_WORDS = "Patients and their records are for nurses and physicians"


def _refused(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 403
    return visible_text(response.content.decode())


def test_a_nurse_refused_the_audit_trail_is_sent_to_an_administrator(
    nurse_client: Client,
) -> None:
    text = _refused(nurse_client, reverse("audit:list"))
    assert ADMIN_WORDS in text
    assert "Therapy decisions" not in text
    assert THERAPY_WORDS not in text
    for name in ("accounts:user_list", "monitoring:scanner_create"):
        assert ADMIN_WORDS in _refused(nurse_client, reverse(name)), name


def test_a_physician_refused_the_user_list_is_sent_to_an_administrator(
    physician_client: Client,
) -> None:
    text = _refused(physician_client, reverse("accounts:user_list"))
    assert ADMIN_WORDS in text
    assert THERAPY_WORDS not in text


def test_a_nurse_refused_a_physician_s_page_is_sent_to_a_physician(
    nurse_client: Client, patient: Patient
) -> None:
    for url in (
        reverse("monitoring:dashboard"),
        reverse("monitoring:therapy_create", args=[patient.pk]),
        reverse("monitoring:plan", args=[patient.pk]),
    ):
        text = _refused(nurse_client, url)
        assert THERAPY_WORDS in text, url
        assert ADMIN_WORDS not in text, url


def test_an_administrator_refused_a_patient_is_told_records_are_clinicians(
    admin_client_: Client, patient: Patient
) -> None:
    text = _refused(admin_client_, reverse("monitoring:patient", args=[patient.pk]))
    assert CLINICAL_WORDS in text
    assert THERAPY_WORDS not in text


def test_a_refusal_with_its_own_reason_says_it(site: Site) -> None:
    from tests.conftest import admin_at

    admin = login(admin_at("admin2", site))
    response = admin.post(reverse("accounts:two_factor_disable"))
    assert response.status_code == 403
    text = visible_text(response.content.decode())
    assert "Two-factor authentication is required for your role." in text
    assert THERAPY_WORDS not in text
    assert CLINICAL_WORDS not in text
