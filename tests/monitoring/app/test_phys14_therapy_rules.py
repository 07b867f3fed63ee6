"""phys14 #3, #5, #6 and #8 in the application: what the page, the letters, the printouts and the
worklist say of a bisphosphonate switch, a single zoledronic acid follow-on after denosumab, an
aromatase inhibitor ending on denosumab and a denosumab dose given late."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import Alert, DexaMeasurement, DexaScan, PatientAssessment
from monitoring.overview.therapy_words import therapy_now
from monitoring.records.history_import import history_import
from patients.models import Patient
from tests.html_forms import letter_text, visible_text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


ROUTINE = [
    {"date": _day(30), "analyte": "vitamin_d_25oh", "value": 36, "unit": "ng/mL"},
    {"date": _day(30), "analyte": "calcium", "value": 2.35, "unit": "mmol/L"},
    {"date": _day(30), "analyte": "egfr", "value": 80, "unit": "mL/min/1.73m2"},
]


def _scan(days_ago: int, t: float = -1.9, vfa: str | None = None) -> dict[str, Any]:
    scan: dict[str, Any] = {
        "date": _day(days_ago),
        "scanner": "Hologic Horizon A",
        "sites": {
            "lumbar_spine": {"bmd": round(1.047 + 0.110 * t, 3), "t_score": t},
            "total_hip": {"bmd": 0.850, "t_score": -1.2},
        },
    }
    if vfa:
        scan["vertebral_fracture_assessment"] = vfa
    return scan


def _import(site: Site, mrn: str, **records: Any) -> Patient:
    history_import(
        data={
            "patient": {
                "mrn": mrn,
                "name": f"Patient {mrn}",
                "sex": "F",
                "birth_date": "1958-03-01",
                "height_cm": 163,
                "weight_kg": 64,
            },
            "labs": ROUTINE,
            **records,
        },
        site=site,
        override_reason="test data: checks not under test",
    )
    return Patient.objects.get(mrn=mrn)


def page_text(client: Client, url: str) -> str:
    """What a reader sees of the page at `url`."""
    response = client.get(url)
    assert response.status_code == 200
    return visible_text(response.text)


def _open(patient: Patient, code: str) -> Alert | None:
    return Alert.objects.filter(patient=patient, code=code, cleared_at__isnull=True).first()


def _recommendation(patient: Patient, code: str) -> dict[str, Any] | None:
    data = PatientAssessment.objects.get(patient=patient).data
    return next((r for r in data["recommendations"] if r["code"] == code), None)


def _worklist(client: Client) -> list[tuple[str, str]]:
    response = client.get(reverse("monitoring:worklist"), {"weeks": "26"})
    assert response.status_code == 200
    rows = [*response.context["items"], *response.context["work"].object_list]
    return [(r.patient.mrn, r.get_item_display()) for r in rows]


def _denosumab(start: int, doses: list[int], **extra: Any) -> dict[str, Any]:
    return {
        "drug": "denosumab",
        "dose": "60 mg every 6 months",
        "start_date": _day(start),
        "doses": [_day(d) for d in doses],
        "dental_review_date": _day(start + 10),
        **extra,
    }


# --- #5: one zoledronic acid infusion after 2.5 years of denosumab ------------------------------


@pytest.fixture
def single_follow_on(site: Site) -> Patient:
    """The tester's T14-04, dated back from today: 5 injections (2.5 years), then one infusion 60
    days ago on the day denosumab stopped, the zoledronic acid course stopped the same day."""
    return _import(
        site,
        "P14-05",
        aromatase_inhibitors=[{"drug": "anastrozole", "start_date": _day(1100)}],
        dexa_scans=[_scan(120)],
        bone_therapy=[
            _denosumab(
                980,
                [980, 798, 616, 434, 242],
                stop_date=_day(60),
                stop_reason="switched to zoledronic acid",
            ),
            {
                "drug": "zoledronic_acid",
                "dose": "4 mg single infusion",
                "start_date": _day(60),
                "stop_date": _day(60),
                "stop_reason": "single follow-on infusion",
                "doses": [_day(60)],
                "dental_review_date": _day(70),
            },
        ],
    )


def test_the_header_names_the_follow_on_given(
    physician_client: Client, single_follow_on: Patient
) -> None:
    response = physician_client.get(reverse("monitoring:patient", args=[single_follow_on.pk]))
    header = (  # the drug and its dates on lines of their own (`d-block`)
        '<span class="d-block">Denosumab</span><span class="d-block small">stopped '
        f'{_day(60)}</span><span class="d-block">Zoledronic acid</span><span class="d-block '
        f'small">follow-on: 1 infusion, on {_day(60)}; stopped {_day(60)}</span>'
    )
    assert header in response.text


def test_the_letters_name_the_follow_on_and_ask_for_the_ctx(
    physician_client: Client, single_follow_on: Patient
) -> None:
    rec = _recommendation(single_follow_on, "CHECK_TURNOVER_AFTER_FOLLOW_ON")
    assert rec is not None
    assert rec["rules"] == ["DMAB-FOLLOW-ON-CTX"]
    patient = letter_text(physician_client, single_follow_on, "patient")
    assert "Your bone medicine" in patient
    assert (
        f"Zoledronic acid followed them (1 infusion, on {_day(60)}), to keep the bone denosumab "
        "built." in patient
    )
    assert (
        f"A blood test by {rec['due']} will show whether the zoledronic acid infusion that "
        "followed your denosumab is still protecting your bones" in patient
    )
    doctor = letter_text(physician_client, single_follow_on, "doctor")
    assert f"Zoledronic acid followed it (1 infusion, on {_day(60)}), stopped {_day(60)}." in doctor
    assert f"please check a fasting CTX by {rec['due']} (3 and 6 months after the infusion)" in (
        doctor
    )


def test_the_summary_names_the_follow_on(
    physician_client: Client, single_follow_on: Patient
) -> None:
    summary = page_text(
        physician_client, reverse("monitoring:patient_summary", args=[single_follow_on.pk])
    )
    assert f"Zoledronic acid follow-on: 1 infusion, on {_day(60)}; stopped {_day(60)}" in summary
    assert "Check bone turnover after the follow-on" in summary


def test_the_worklist_lists_the_marker_check(
    nurse_client: Client, single_follow_on: Patient
) -> None:
    assert ("P14-05", "Bone turnover marker check") in _worklist(nurse_client)


# --- #6: the aromatase inhibitor ends on denosumab ----------------------------------------------


@pytest.fixture
def ai_ended(site: Site) -> Patient:
    return _import(
        site,
        "P14-06",
        aromatase_inhibitors=[
            {
                "drug": "anastrozole",
                "start_date": _day(1856),
                "stop_date": _day(30),
                "stop_reason": "completed 5 years",
            }
        ],
        dexa_scans=[_scan(60)],
        bone_therapy=[_denosumab(900, [900, 718, 536, 354, 172])],
    )


def test_the_ai_end_asks_the_physician_to_decide(
    physician_client: Client, nurse_client: Client, ai_ended: Patient
) -> None:
    alert = _open(ai_ended, "DENOSUMAB_REVIEW_AI_ENDED")
    assert alert is not None
    assert alert.severity == "warning"
    assert alert.rules == ["DMAB-AI-END"]
    assert ("P14-06", "Therapy decision (physician)") in _worklist(physician_client)
    page = page_text(physician_client, reverse("monitoring:patient", args=[ai_ended.pk]))
    assert "Aromatase inhibitor ended: review denosumab" in page
    patient = letter_text(nurse_client, ai_ended, "patient")
    assert "Your aromatase inhibitor treatment has finished" in patient
    assert "Please do not stop it on your own" in patient


# --- #8: a denosumab dose given late -----------------------------------------------------------


@pytest.fixture
def late_dose(site: Site) -> Patient:
    """Injections 500 and 180 days ago: the second 138 days late (6 months after the first)."""
    return _import(
        site,
        "P14-08",
        aromatase_inhibitors=[{"drug": "anastrozole", "start_date": _day(700)}],
        dexa_scans=[_scan(400)],
        bone_therapy=[_denosumab(500, [500, 180])],
    )


def test_a_late_dose_asks_for_a_vfa_on_the_page_the_letters_and_the_scan_request(
    physician_client: Client, late_dose: Patient
) -> None:
    assert _open(late_dose, "DENOSUMAB_REBOUND_RISK") is None  # the dose is given
    rec = _recommendation(late_dose, "VERTEBRAL_FRACTURE_ASSESSMENT")
    assert rec is not None
    assert f"days late on {_day(180)}" in rec["message"]
    page = page_text(physician_client, reverse("monitoring:patient", args=[late_dose.pk]))
    assert "Vertebral fracture assessment" in page
    doctor = letter_text(physician_client, late_dose, "doctor")
    assert (
        "please arrange a vertebral fracture assessment (VFA with the DEXA, or a spine X-ray)"
        in (doctor)
    )
    request = page_text(physician_client, reverse("monitoring:scan_request", args=[late_dose.pk]))
    assert (
        "and a vertebral fracture assessment (VFA): a denosumab dose was given more than 16 "
        "weeks late, and rebound vertebral fractures are often silent." in request
    )


def test_a_vfa_read_since_ends_the_request(physician_client: Client, late_dose: Patient) -> None:
    old = DexaScan.objects.get(patient=late_dose)
    scan = DexaScan.objects.create(
        patient=late_dose,
        scan_date=TODAY - timedelta(days=5),
        scanner=old.scanner,
        vertebral_fracture_assessment="no_fracture",
    )
    DexaMeasurement.objects.create(
        scan=scan, site="lumbar_spine", bmd=Decimal("0.838"), t_score=Decimal("-1.9")
    )
    patient_assessment_refresh(patient=late_dose)
    assert _recommendation(late_dose, "VERTEBRAL_FRACTURE_ASSESSMENT") is None
    request = page_text(physician_client, reverse("monitoring:scan_request", args=[late_dose.pk]))
    assert "16 weeks late" not in request


# --- #3: a switch of bisphosphonate -------------------------------------------------------------


def test_a_switch_of_bisphosphonate_is_reviewed_on_the_whole_exposure(
    physician_client: Client, site: Site
) -> None:
    patient = _import(
        site,
        "P14-03",
        aromatase_inhibitors=[{"drug": "anastrozole", "start_date": _day(2600)}],
        dexa_scans=[_scan(400)],
        bone_therapy=[
            {
                "drug": "alendronate",
                "dose": "70 mg weekly",
                "start_date": _day(2500),
                "stop_date": _day(1400),
                "stop_reason": "switched for reflux",
            },
            {"drug": "risedronate", "dose": "35 mg weekly", "start_date": _day(1400)},
        ],
    )
    alert = _open(patient, "BISPHOSPHONATE_DURATION_REVIEW")
    assert alert is not None
    assert f"(bisphosphonate since {_day(2500)}, no break of 12 months or more)" in alert.message
    assert ("P14-03", "Therapy decision (physician)") in _worklist(physician_client)


def _course(drug: str, start: date, stop: date | None = None, *doses: date) -> SimpleNamespace:
    labels = {
        "denosumab": "Denosumab",
        "zoledronic_acid": "Zoledronic acid",
        "alendronate": "Alendronate",
    }
    return SimpleNamespace(
        drug=drug,
        start_date=start,
        stop_date=stop,
        valid_doses=[SimpleNamespace(given_on=day) for day in doses],
        get_drug_display=lambda: labels[drug],
    )


def test_the_card_lists_a_stopped_follow_on_beside_the_denosumab_it_followed() -> None:
    dmab = _course("denosumab", date(2023, 2, 1), date(2025, 8, 1), date(2025, 2, 1))
    zol = _course("zoledronic_acid", date(2025, 8, 1), date(2025, 8, 1), date(2025, 8, 1))
    expected = [
        ("Denosumab", "stopped 2025-08-01"),
        ("Zoledronic acid", "follow-on: 1 infusion, on 2025-08-01; stopped 2025-08-01"),
    ]
    assert therapy_now([dmab, zol]) == expected
    assert therapy_now([zol, dmab]) == expected[::-1]  # in the record's order
    tablets = _course("alendronate", date(2025, 8, 1), date(2026, 8, 1))
    assert therapy_now([dmab, tablets]) == [
        ("Denosumab", "stopped 2025-08-01"),
        ("Alendronate", "follow-on from 2025-08-01, stopped 2026-08-01"),
    ]


def test_while_dmab_stop_stands_nothing_is_called_its_follow_on() -> None:
    """Alendronate stopped after 3 months is no follow-on (DMAB-STOP stands): not called one."""
    dmab = _course("denosumab", date(2023, 2, 1), date(2025, 8, 1), date(2025, 2, 1))
    tablets = _course("alendronate", date(2025, 8, 1), date(2025, 11, 1))
    stopped = SimpleNamespace(start=date(2023, 2, 1), stop=date(2025, 8, 1))
    assert therapy_now([dmab, tablets], stopped) == [
        ("Denosumab", "stopped 2025-08-01"),
        ("Alendronate", "stopped 2025-11-01"),
    ]
