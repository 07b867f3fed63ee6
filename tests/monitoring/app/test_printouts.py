"""Printable patient summary and DEXA scan request: content, audit, constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import DexaMeasurement, DexaScan
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory

pytestmark = pytest.mark.django_db
PRINTOUTS = ["monitoring:patient_summary", "monitoring:scan_request"]


@pytest.fixture
def followed(patient: Patient) -> Patient:
    AromataseInhibitorCourseFactory(patient=patient, start_date=dt.date(2022, 1, 1))
    DexaScanFactory(patient=patient, scan_date=dt.date(2022, 1, 5), t=-1.4)
    return patient


@pytest.mark.parametrize("name", PRINTOUTS)
def test_printout_has_chart_latest_results_alerts_and_next_dates(
    nurse_client: Client, nurse, followed: Patient, name: str
) -> None:  # type: ignore[no-untyped-def]
    response = nurse_client.get(reverse(name, args=[followed.pk]))
    assert response.status_code == 200
    text = response.text
    assert "css/print.css" in text
    assert 'data-action="print"' in text
    assert '<script id="bmd-chart" type="application/json">' in text
    assert '"staticPlot": true' in text
    assert "Latest results" in text
    assert '<th scope="col">Lumbar spine (L1-L4)</th>' in text
    assert "<td>0.912 (T -1.4)</td>" in text
    assert "Open alerts (" in text
    assert "DEXA overdue" in text  # the 2022 scan is long past its repeat date
    assert "Next dates" in text
    assert "DEXA scan" in text
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, patient=followed).get()
    assert event.actor == nurse


@pytest.mark.parametrize("name", PRINTOUTS)
def test_an_overdue_dexa_reads_overdue_on_paper(
    nurse_client: Client, followed: Patient, name: str
) -> None:
    text = nurse_client.get(reverse(name, args=[followed.pk])).text
    assert "<dt>Next DEXA</dt><dd>Overdue since " in text  # the 2022 scan's repeat date passed


def test_scan_request_asks_for_the_same_scanner(nurse_client: Client, followed: Patient) -> None:
    text = nurse_client.get(reverse("monitoring:scan_request", args=[followed.pk])).text
    assert "Request for a DEXA scan" in text
    assert "<strong>Hologic Horizon A</strong>, the scanner of the previous scan" in text


def test_baseline_request_without_a_scan(nurse_client: Client, patient: Patient) -> None:
    text = nurse_client.get(reverse("monitoring:scan_request", args=[patient.pk])).text
    assert "Baseline scan" in text
    assert "No scan recorded yet" in text


@pytest.mark.parametrize("name", PRINTOUTS)
def test_query_count_does_not_grow_with_records(
    nurse_client: Client, followed: Patient, name: str, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    url = reverse(name, args=[followed.pk])
    nurse_client.get(url)  # the first view may store the assessment

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert nurse_client.get(url).status_code == 200
        return len(queries)

    small = count()
    for n in range(6):
        DexaScanFactory(
            patient=followed, scan_date=dt.date(2023, 1, 1) + dt.timedelta(days=300 * n)
        )
    for n in range(25):
        LabResultFactory(
            patient=followed, sample_date=dt.date(2023, 1, 1) + dt.timedelta(days=30 * n)
        )
    from monitoring.assessment.refresh import patient_assessment_refresh

    patient_assessment_refresh(patient=followed)
    assert count() == small
    # Records for display plus the domain history for the charts (one query per table each).
    with django_assert_max_num_queries(40):
        nurse_client.get(url)


def _rec(code: str, rules: list[str]) -> dict[str, object]:
    return {"code": code, "message": f"{code} message", "rules": rules, "sources": []}


def test_the_standing_advice_is_named_on_one_line_only_where_the_sheet_needs_it() -> None:
    """The advice every patient gets is named on one line, its text left to the patient page,
    only when the fit says so (summary_fit); the patient's own recommendations are all kept, in
    the same order."""
    from monitoring.overview.printouts import summary_lists
    from monitoring.overview.summary_fit import SummaryFit

    always = [_rec(code, ["ALWAYS"]) for code in ("CALCIUM_VITAMIN_D", "LIFESTYLE", "FRAX")]
    own = [_rec(f"OWN_{n}", [f"RULE-{n}"]) for n in range(12)]
    full = summary_lists(own + always, SummaryFit())
    assert full == {"recommendations": own + always, "standing_advice": []}
    named = summary_lists(own + always, SummaryFit(standing_advice_named=True))
    assert named == {"recommendations": own, "standing_advice": always}


def test_what_gave_way_says_where_it_is(
    nurse_client: Client, patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a sheet too small for anything (every step taken), each thing that gave way says so
    where it was: the projection in brief, the standing advice named, the earlier scans."""
    from monitoring.assessment.refresh import patient_assessment_refresh
    from monitoring.overview import summary_fit

    AromataseInhibitorCourseFactory(patient=patient, start_date=dt.date(2021, 1, 1))
    for year, t in ((2021, -1.0), (2022, -1.4), (2023, -1.8)):
        DexaScanFactory(patient=patient, scan_date=dt.date(year, 1, 5), t=t)
    patient_assessment_refresh(patient=patient)
    monkeypatch.setattr(summary_fit, "SHEET_PX", 100)
    text = nurse_client.get(reverse("monitoring:patient_summary", args=[patient.pk])).text
    steps = (
        "projection-in-brief standing-advice-named shorter-chart fewer-scans projection-named "
        "recommendations-in-brief"
    )
    assert f'data-gave-way="{steps}"' in text
    assert "Their text, and why, is on the patient page." in text
    assert "Advice every patient gets: <strong>" in text
    assert "(their text is on the patient page)" in text
    # The projection, past in brief, named by its sites (phys12 F18).
    assert "its dates are on the patient page, left off to keep this summary to one sheet" in text
    assert "the 2 latest scans, older ones on the patient page" in text
    assert "<td>2021-01-05</td>" not in text  # the oldest of three
    assert '"height": 200' in text  # the chart at its least: 170 and the legend's 30


def test_letters_write_every_date_as_the_pages_do(physician_client: Client, patient) -> None:  # type: ignore[no-untyped-def]
    """A tester found "6 December 2026" beside "2026-11-15" in one letter: every date reads
    yyyy-mm-dd, as on the pages and printouts."""
    import re

    months = "January|February|March|April|May|June|July|August|September|October|November"
    for kind in ("doctor", "patient"):
        page = physician_client.get(reverse("monitoring:letter", args=[patient.pk, kind]))
        assert page.status_code == 200, kind
        assert not re.search(rf"\b\d{{1,2}} ({months}|December) \d{{4}}", page.text), kind


def test_scan_request_asks_again_for_the_radius_the_last_scan_measured(
    nurse_client: Client, followed: Patient
) -> None:
    url = reverse("monitoring:scan_request", args=[followed.pk])
    sites = "Lumbar spine (L1-L4), total hip, femoral neck"
    assert f"{sites}; as on the scan of 2022-01-05" in nurse_client.get(url).text
    last = DexaScanFactory(patient=followed, scan_date=dt.date(2023, 1, 5), t=-1.5)
    DexaMeasurement.objects.create(scan=last, site="radius_33", bmd="0.650", t_score=-1.5)
    text = nurse_client.get(url).text
    assert f"{sites}, 1/3 radius; as on the scan of 2023-01-05" in text


def test_scan_request_asks_for_spine_and_hip_after_a_partial_scan(
    nurse_client: Client, followed: Patient
) -> None:
    """nurse12 F6: a hip-only import made the request ask for the total hip only; physician7
    F17: nor is a site asked "as on the scan" that the scan did not measure. The request asks for
    the lumbar spine and the hip, as the rules judge them, plus any other site measured before,
    and says which of them the last scan missed."""
    scanner = DexaScan.objects.get(patient=followed).scanner
    forearm = DexaScan.objects.create(
        patient=followed, scan_date=dt.date(2023, 1, 5), scanner=scanner
    )
    DexaMeasurement.objects.create(scan=forearm, site="radius_33", bmd="0.650", t_score=-1.5)
    last = DexaScan.objects.create(patient=followed, scan_date=dt.date(2023, 7, 5), scanner=scanner)
    DexaMeasurement.objects.create(scan=last, site="total_hip", bmd="0.850", t_score=-1.5)
    text = nurse_client.get(reverse("monitoring:scan_request", args=[followed.pk])).text
    sites = text.split('<th scope="row">Sites</th>')[1].split("</tr>")[0]
    assert (
        "Lumbar spine (L1-L4), total hip, femoral neck, 1/3 radius; the scan of 2023-07-05 did "
        "not measure the lumbar spine (L1-L4), femoral neck, 1/3 radius" in sites
    )
    assert "as on the scan" not in sites


def test_a_baseline_scan_request_asks_for_the_three_central_sites(
    nurse_client: Client, patient: Patient
) -> None:
    text = nurse_client.get(reverse("monitoring:scan_request", args=[patient.pk])).text
    assert "Lumbar spine (L1-L4), total hip, femoral neck (baseline)" in text
