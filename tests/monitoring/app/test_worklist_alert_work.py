"""Issue 17: the work open alerts ask for reaches the worklist; Record dose opens the dose form;
lateness reads in weeks or months."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import Alert, BoneTherapyCourse
from monitoring.templatetags.monitoring_display import lateness
from tests.factories import PatientFactory
from tests.monitoring.app.overview_data import TODAY, alert, due, populate

pytestmark = pytest.mark.django_db
URL = reverse("monitoring:worklist")


def _work(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(r.patient.mrn, r.get_item_display()) for r in response.context["work"].object_list]


def test_dental_review_bloods_and_therapy_decisions_are_worklist_rows(
    nurse_client: Client, physician, site, other_site
) -> None:  # type: ignore[no-untyped-def]
    zol = PatientFactory(site=site, mrn="ZOL")
    alert(zol, "DENTAL_REVIEW_MISSING", "warning", days_ago=30)
    alert(zol, "CALCIUM_NOT_MEASURED", "warning", days_ago=20)
    alert(zol, "RENAL_FUNCTION_UNKNOWN", "warning", days_ago=21)
    start = PatientFactory(site=site, mrn="START")
    alert(start, "BONE_THERAPY_INDICATED", "high", days_ago=200)
    decided = PatientFactory(site=site, mrn="DECIDED")
    seen = alert(decided, "BONE_THERAPY_INDICATED", "high", days_ago=300)
    Alert.objects.filter(pk=seen.pk).update(
        acknowledged_at=timezone.now(), acknowledged_by=physician, acknowledgement_note="declined"
    )
    alert(
        PatientFactory(site=other_site, mrn="THEIRS"),
        "DENTAL_REVIEW_MISSING",
        "warning",
        days_ago=1,
    )
    cleared = alert(
        PatientFactory(site=site, mrn="CLEARED"), "CALCIUM_NOT_MEASURED", "warning", days_ago=5
    )
    Alert.objects.filter(pk=cleared.pk).update(cleared_at=timezone.now())
    response = nurse_client.get(URL)
    assert _work(response) == [  # what a nurse can do first (nurse10 F2)
        ("ZOL", "Dental review before the antiresorptive"),
        ("ZOL", "Bloods before the antiresorptive (calcium, renal function)"),
        ("START", "Therapy decision (physician)"),
    ]
    # Work an alert asks for is due on the day it was raised, with no grace: overdue the day
    # after, as every item without a grace (monitoring/overview/lateness.py).
    assert "by 6½ months" in response.text  # the decision
    assert "by 4 weeks" in response.text  # the dental review, raised 30 days ago
    assert "</span> Overdue</span>" in response.text
    text = response.text.split('id="h-alert-work"')[1]
    assert reverse("monitoring:labs_create", args=[zol.pk]) in text
    assert reverse("monitoring:patient", args=[start.pk]) + "#h-alerts" in text
    # A nurse cannot decide: the row says who does (nurse8 5), a physician's says Decide.
    assert 'See the alert</a> <span class="text-body-secondary">(a physician decides)' in text
    assert ">Decide</a>" not in text
    # The schedule's rows are those of the rules, unchanged.
    assert list(response.context["items"]) == []
    printed = nurse_client.get(reverse("monitoring:worklist_print"))
    assert "Bloods before the antiresorptive (calcium, renal function)" in printed.text


def test_a_physician_decides_from_the_row(physician_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    start = PatientFactory(site=site, mrn="START")
    alert(start, "BONE_THERAPY_INDICATED", "high", days_ago=200)
    text = physician_client.get(URL).text.split('id="h-alert-work"')[1]
    assert ">Decide</a>" in text
    assert "(a physician decides)" not in text


def test_record_dose_opens_the_dose_form_of_the_current_course(nurse_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    on_denosumab = PatientFactory(site=site, mrn="DMAB")
    course = BoneTherapyCourse.objects.create(
        patient=on_denosumab, drug="denosumab", start_date=TODAY - dt.timedelta(days=200)
    )
    BoneTherapyCourse.objects.create(  # a stopped course is not where a dose goes
        patient=on_denosumab,
        drug="denosumab",
        start_date=TODAY - dt.timedelta(days=900),
        stop_date=TODAY - dt.timedelta(days=400),
    )
    due(on_denosumab, "denosumab_dose", in_days=-3)
    alert(on_denosumab, "DENOSUMAB_DUE", "warning", days_ago=3)  # as the rules raise it
    no_course = PatientFactory(site=site, mrn="NOCOURSE")
    due(no_course, "zoledronic_acid_dose", in_days=1)
    response = nurse_client.get(URL)
    assert reverse("monitoring:dose_create", args=[on_denosumab.pk, course.pk]) in response.text
    assert reverse("monitoring:patient", args=[no_course.pk]) + "#h-therapy" in response.text
    assert "for 3 days" in response.text  # 0-28 days late: the rules say due


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (1, "1 day"),
        (13, "13 days"),
        (14, "2 weeks"),
        (21, "3 weeks"),
        (56, "8 weeks"),
        (57, "8 weeks"),  # nurse10 3: read "1 month", fewer than the day before
        (84, "12 weeks"),
        (85, "3 months"),
        (100, "3½ months"),
        (152, "5 months"),  # nurse10 3: read "4 months", nearly one short
        (160, "5½ months"),
        (400, "13 months"),
    ],
)
def test_lateness_in_days_then_weeks_then_months(days: int, words: str) -> None:
    assert lateness(days) == words


def test_a_late_denosumab_injection_says_its_days() -> None:
    """Its rebound limit is 112 days late (DMAB-SCHEDULE): the days are said beside the months."""
    assert lateness(152, "denosumab_dose") == "152 days (5 months)"
    assert lateness(112, "denosumab_dose") == "112 days (3½ months)"
    assert lateness(10, "denosumab_dose") == "10 days"
    assert lateness(152, "dexa") == "5 months"


def test_the_worklist_says_a_late_injection_s_days(nurse_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    """nurse10 3 on the page: 152 days late read "4 months overdue"; a DEXA as late, in months."""
    late = PatientFactory(site=site, mrn="LATE")
    BoneTherapyCourse.objects.create(
        patient=late, drug="denosumab", start_date=TODAY - dt.timedelta(days=400)
    )
    due(late, "denosumab_dose", in_days=-152)
    due(PatientFactory(site=site, mrn="LATEDEXA"), "dexa", in_days=-152)
    alert(late, "DENOSUMAB_REBOUND_RISK", "critical", days_ago=40)
    text = nurse_client.get(URL + "?weeks=2").text
    assert "152 days (5 months)" in text
    assert " 5 months</span>" in text  # the DEXA, in months only
    assert "4 months" not in text


def _in_days(words: str) -> Decimal:
    """The days a lateness's words say ("3 weeks" is 21, "3½ months" 106.46)."""
    number, unit = words.split()[:2]
    amount = Decimal(number.replace("½", "")) + (Decimal("0.5") if "½" in number else 0)
    per = {"day": 1, "days": 1, "week": 7, "weeks": 7}.get(unit, Decimal(365) / 12)
    return amount * per


@given(st.integers(min_value=0, max_value=999), st.sampled_from(["dexa", "denosumab_dose"]))
def test_lateness_never_drops_as_days_pass(days: int, item: str) -> None:
    """nurse10 3: a day later never reads as less late, nor understates by a unit: within a week
    below 12 weeks, then within half a month."""
    today, tomorrow = _in_days(lateness(days, item)), _in_days(lateness(days + 1, item))
    assert today <= tomorrow
    assert days - today < (7 if days <= 84 else Decimal(365) / 24)


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_alert_work(nurse_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    populate(site, 1, prefix="S")  # BONE_THERAPY_INDICATED: a therapy decision each
    small = _queries(nurse_client)
    for patient in populate(site, 15, prefix="L"):
        alert(patient, "DENTAL_REVIEW_MISSING", "warning", days_ago=3)
        BoneTherapyCourse.objects.create(patient=patient, drug="denosumab", start_date=TODAY)
    assert _queries(nurse_client) == small


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_and_printout_hold_the_alerts_work_in_the_pages_order(
    nurse_client: Client, nurse, site, other_site
) -> None:  # type: ignore[no-untyped-def]
    """The schedule's rows, then the work open alerts ask for, as on the page; a patient of a
    site the nurse does not work at is in neither, and the export's audit names whom it holds."""
    zol = PatientFactory(site=site, mrn="ZOL", name="Zoe Ledronic")
    alert(zol, "DENTAL_REVIEW_MISSING", "warning", days_ago=30)
    alert(zol, "CALCIUM_NOT_MEASURED", "warning", days_ago=20)
    start = PatientFactory(site=site, mrn="START")
    alert(start, "BONE_THERAPY_INDICATED", "high", days_ago=200)
    scanned = PatientFactory(site=site, mrn="SCAN")
    due(scanned, "dexa", in_days=3)
    theirs = PatientFactory(site=other_site, mrn="THEIRS", name="Other Siteperson")
    alert(theirs, "DENTAL_REVIEW_MISSING", "warning", days_ago=1)
    due(theirs, "dexa", in_days=1)
    page = [(mrn, item) for mrn, item in _work(nurse_client.get(URL))]

    response = nurse_client.get(reverse("monitoring:worklist_csv"))
    rows = _csv(response)
    assert [(r["mrn"], r["asked_by"]) for r in rows][:1] == [("SCAN", "schedule")]
    assert [(r["mrn"], r["item"]) for r in rows[1:]] == page
    assert page == [
        ("ZOL", "Dental review before the antiresorptive"),
        ("ZOL", "Bloods before the antiresorptive (calcium)"),
        ("START", "Therapy decision (physician)"),
    ]
    dental = rows[1]
    assert dental == {
        "due": (TODAY - dt.timedelta(days=30)).isoformat(),
        "status": "overdue",  # raised 30 days ago: no grace (lateness.py)
        "days_past_due": "30",
        "item": "Dental review before the antiresorptive",
        "mrn": "ZOL",
        "name": "Zoe Ledronic",
        "site": site.name,
        "birth_date": zol.birth_date.isoformat(),
        "asked_by": "open alert",
        "severity": "warning",  # DENTAL_REVIEW_MISSING's
        "alert": "Dental review missing",  # its title (nurse10 F19)
        "days_until_due": "0",  # a date passed (nurse14 #9)
    }
    assert all(r["mrn"] != "THEIRS" and r["name"] != "Other Siteperson" for r in rows)
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert event.changes["rows"] == 4
    assert event.changes["patients"] == sorted([zol.pk, start.pk, scanned.pk])

    printed = nurse_client.get(reverse("monitoring:worklist_print")).text
    assert "Dental review before the antiresorptive" in printed
    assert "THEIRS" not in printed
    assert "Other Siteperson" not in printed


def test_the_alerts_work_pages(nurse_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    """55 therapy decisions: 50 on the first page, 5 on the second (a page past the end, or
    not a number, shows the last or the first), counted 55 on every page."""
    populate(site, 55, prefix="P")  # BONE_THERAPY_INDICATED: a therapy decision each
    pages = {
        number: nurse_client.get(URL, {"work_page": number}).context["work"]
        for number in ("1", "2", "99", "abc")
    }
    assert {page.paginator.count for page in pages.values()} == {55}
    assert [len(page.object_list) for page in pages.values()] == [50, 5, 5, 50]
    first, second = (set(_work_of(page)) for page in (pages["1"], pages["2"]))
    assert len(first | second) == 55
    assert _work_of(pages["99"]) == _work_of(pages["2"])


def _work_of(page) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(r.patient.mrn, r.get_item_display()) for r in page.object_list]
