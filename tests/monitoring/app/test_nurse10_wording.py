"""nurse10's wording findings, through the pages a nurse reads and prints:

4. the DEXA request and the letters say what the record holds of the aromatase inhibitor
   (taken, planned, stopped or none), never "on an aromatase inhibitor" of a patient with none;
5. a kidney function of 35 to 60 asks for the zoledronic acid dose check only with zoledronic acid
   planned or active, and an alert quotes an eGFR with its unit, as the labs table writes it;
6. the therapy panel's dose links say in words what they do;
16. the letters name an alert by its title, never its code, and the copy switch says which copy
   is shown;
17. the patient's letter promises no bone medicine while the decision awaits a physician;
18. a nurse's "Mark entered in error" page for a patient with running care has no form she cannot
   send, names the alerts by title, and each record kind's form has a fitting example.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.assessment.alerts import alert_acknowledge
from monitoring.models import Alert, BoneTherapyCourse
from monitoring.records.history_import import history_import
from patients.models import Patient
from tests.html_forms import visible_text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _patient(site: Site, mrn: str, **records: Any) -> Patient:
    """A 68-year-old woman of 58 kg with `records` (history-document lists) and good labs."""
    labs = records.pop("labs", None) or [
        {"date": _day(30), "analyte": "vitamin_d_25oh", "value": 40, "unit": "ng/mL"},
        {"date": _day(30), "analyte": "calcium", "value": 2.3, "unit": "mmol/L"},
        {"date": _day(30), "analyte": "egfr", "value": 80, "unit": "mL/min/1.73m2"},
    ]
    history_import(
        data={
            "patient": {
                "mrn": mrn,
                "name": f"Patient {mrn}",
                "sex": "F",
                "birth_date": (TODAY - timedelta(days=68 * 365 + 40)).isoformat(),
                "height_cm": 160,
                "weight_kg": 58,
                "menopausal_status": "postmenopausal",
            },
            "labs": labs,
            **records,
        },
        site=site,
        override_reason="test data: checks not under test",
    )
    return Patient.objects.get(mrn=mrn.upper())  # stored as the form stores it


def _scan(days_ago: int, spine: float) -> dict[str, Any]:
    return {
        "date": _day(days_ago),
        "scanner": "Lunar iDXA, room 1",
        "sites": {
            "lumbar_spine": {"bmd": 0.8, "t_score": spine},
            "total_hip": {"bmd": 0.8, "t_score": -1.0},
        },
    }


def _labs_table(page: str) -> str:
    """The labs table of a patient page (the chart beside it draws every threshold's line)."""
    return page[page.index('<table class="table table-sm labs-table') :].split("</table>")[0]


def _get(client: Client, name: str, patient: Patient, *args: Any, query: str = "") -> str:
    response = client.get(reverse(f"monitoring:{name}", args=[patient.pk, *args]) + query)
    assert response.status_code == 200
    return response.text


# --- 4: the aromatase inhibitor as the record holds it ------------------------------------------


AI_WORDS = {
    # state: (AI courses, the DEXA request's question, the doctor's opening, the patient's)
    "none": (
        [],
        "Bone density assessment (no aromatase inhibitor on record)",
        "We monitor bone health in our clinic; no aromatase-inhibitor course is on record.",
        "We check your bone health in our clinic",
    ),
    "active": (
        [{"drug": "letrozole", "start_date": _day(200)}],
        "Bone loss on an aromatase inhibitor",
        "We monitor bone health during aromatase-inhibitor therapy.",
        "You take an aromatase inhibitor",
    ),
    "planned": (
        [{"drug": "letrozole", "start_date": (TODAY + timedelta(days=20)).isoformat()}],
        "Bone density before a planned aromatase inhibitor",
        "We monitor bone health before and during the planned aromatase-inhibitor therapy.",
        "You are due to start an aromatase inhibitor",
    ),
    "stopped": (
        [{"drug": "letrozole", "start_date": _day(900), "stop_date": _day(100)}],
        "Bone density after aromatase-inhibitor therapy (now stopped)",
        "We monitor bone health after aromatase-inhibitor therapy, which has stopped.",
        "You have taken an aromatase inhibitor",
    ),
}


@pytest.mark.parametrize("state", list(AI_WORDS))
def test_the_request_and_letters_word_the_aromatase_inhibitor_as_recorded(
    site: Site, nurse_client: Client, state: str
) -> None:
    courses, question, doctor_opening, patient_opening = AI_WORDS[state]
    patient = _patient(site, f"AI-{state}", aromatase_inhibitors=courses)
    request = _get(nurse_client, "scan_request", patient)
    assert f"<td>{question}; risk category" in request
    doctor = _get(nurse_client, "letter", patient, "doctor")
    assert doctor_opening in doctor
    assert _get(nurse_client, "letter", patient, "patient").count(patient_opening) == 1
    if state != "active":
        assert "on an aromatase inhibitor" not in request
        assert "during aromatase-inhibitor therapy" not in doctor


# --- 5: the kidney flags name zoledronic acid only for a patient who has it -------------------


def _kidney_patient(site: Site, mrn: str, therapy: list[dict[str, Any]]) -> Patient:
    return _patient(
        site,
        mrn,
        aromatase_inhibitors=[{"drug": "letrozole", "start_date": _day(200)}],
        dexa_scans=[_scan(60, -1.2)],
        labs=[
            {"date": _day(30), "analyte": "vitamin_d_25oh", "value": 40, "unit": "ng/mL"},
            {"date": _day(30), "analyte": "calcium", "value": 2.3, "unit": "mmol/L"},
            {"date": _day(30), "analyte": "egfr", "value": 50, "unit": "mL/min/1.73m2"},
            # Cockcroft-Gault for 68 years, 58 kg, a woman: about 45 mL/min.
            {"date": _day(10), "analyte": "creatinine", "value": 1.1, "unit": "mg/dL"},
        ],
        bone_therapy=therapy,
    )


def test_reduced_kidney_function_without_zoledronic_acid_names_no_drug(
    site: Site, nurse_client: Client
) -> None:
    patient = _kidney_patient(site, "KID-NONE", [])
    table = _labs_table(_get(nurse_client, "patient", patient))
    assert "zoledronic" not in table
    # The eGFR and the creatinine's estimate, the word "reduced" said once (not "reduced reduced").
    assert table.count("kidney function at or below 60") == 2
    assert "reduced reduced" not in re.sub(r"<[^>]+>|\s+", " ", table).replace("  ", " ")
    assert "estimated creatinine clearance" in table


def test_reduced_kidney_function_on_alendronate_names_no_zoledronic_acid(
    site: Site, nurse_client: Client
) -> None:
    alendronate = [{"drug": "alendronate", "dose": "70 mg weekly", "start_date": _day(90)}]
    page = _get(nurse_client, "patient", _kidney_patient(site, "KID-ALN", alendronate))
    assert "zoledronic" not in _labs_table(page)
    assert not Alert.objects.filter(code="RENAL_DOSE_CHECK").exists()


def test_with_zoledronic_acid_the_flag_and_the_alert_ask_for_the_dose_check(
    site: Site, nurse_client: Client
) -> None:
    zoledronic = [
        {
            "drug": "zoledronic_acid",
            "dose": "4 mg every 6 months",
            "start_date": _day(40),
            "doses": [_day(40)],
            "dental_review_date": _day(50),
        }
    ]
    patient = _kidney_patient(site, "KID-ZA", zoledronic)
    alert = Alert.objects.get(patient=patient, code="RENAL_DOSE_CHECK", cleared_at__isnull=True)
    assert alert.message.startswith(f"eGFR 50.00 mL/min/1.73 m² on {_day(30)} (35 to 60)")
    page = _get(nurse_client, "patient", patient)
    table = _labs_table(page)
    assert "reduced kidney function" not in table
    assert table.count("check the zoledronic acid dose") == 2  # the eGFR and the creatinine
    # The alert reads as the labs table writes the value: with its unit, no spurious decimals.
    assert f"eGFR 50 mL/min/1.73 m² on {_day(30)} (35 to 60): check the zoledronic" in (
        visible_text(page)
    )
    assert "eGFR 50.00" not in page


# --- 6, 16, 17: the therapy panel and the letters --------------------------------------------


@pytest.fixture
def on_denosumab(site: Site) -> Patient:
    return _patient(
        site,
        "DMAB-1",
        aromatase_inhibitors=[{"drug": "anastrozole", "start_date": _day(800)}],
        dexa_scans=[_scan(700, -2.7)],
        bone_therapy=[
            {
                "drug": "denosumab",
                "dose": "60 mg every 6 months",
                "start_date": _day(400),
                "doses": [_day(400), _day(220), _day(40)],
                "dental_review_date": _day(420),
            }
        ],
    )


def test_each_dose_link_says_in_words_what_it_does(
    on_denosumab: Patient, nurse_client: Client
) -> None:
    page = _get(nurse_client, "patient", on_denosumab)
    assert "✕" not in page
    for days in (400, 220, 40):
        assert f'<li>{_day(days)} · <a class="dose-action" href="' in page, (
            f"the dose of {_day(days)}"
        )
    assert page.count('History<span class="visually-hidden"> of the dose of') == 3
    assert page.count('Mark entered in error…<span class="visually-hidden"> (the dose of') == 3
    assert "(correct)" not in page
    assert "edit the date<span" in page  # the dental review's link


@pytest.fixture
def therapy_indicated(site: Site) -> Patient:
    """Osteoporosis on a letrozole, no antiresorptive: BONE_THERAPY_INDICATED, open."""
    return _patient(
        site,
        "TX-1",
        aromatase_inhibitors=[{"drug": "letrozole", "start_date": _day(200)}],
        dexa_scans=[_scan(20, -2.8)],
    )


def test_the_doctor_letter_names_alerts_by_their_title_in_both_copies(
    therapy_indicated: Patient, nurse_client: Client
) -> None:
    for query in ("", "?copy=clinician"):
        letter = _get(nurse_client, "letter", therapy_indicated, "doctor", query=query)
        assert "BONE_THERAPY_INDICATED" not in letter
        assert "Alert " not in letter
        assert "Bone therapy indicated: Bone-protective therapy is indicated" in letter
        assert "Patient's copy" not in letter
    to_send = _get(nurse_client, "letter", therapy_indicated, "doctor")
    assert "This is the copy to send (no rule ids)." in to_send
    assert "Show the copy for the clinic's file, with the rule id" in to_send
    file_copy = _get(nurse_client, "letter", therapy_indicated, "doctor", query="?copy=clinician")
    assert "Copy for the clinic's file: the rule id behind each sentence" in file_copy
    assert "TX-OSTEOPOROSIS]</sup>" in file_copy


def test_the_patient_letter_waits_for_the_physician_s_decision(
    therapy_indicated: Patient, nurse_client: Client, physician: User
) -> None:
    letter = _get(nurse_client, "letter", therapy_indicated, "patient")
    assert (
        "Your doctor will discuss with you whether you need a medicine that protects your bones."
        in letter
    )
    assert "If you and your doctor decide on a bone medicine, please see your dentist" in letter
    assert "We recommend a medicine" not in letter
    assert "before the bone medicine starts" not in letter

    alert = Alert.objects.get(
        patient=therapy_indicated, code="BONE_THERAPY_INDICATED", cleared_at__isnull=True
    )
    alert_acknowledge(actor=physician, alert=alert, note="Start alendronate after dental review")
    letter = _get(nurse_client, "letter", therapy_indicated, "patient")
    assert "We recommend a medicine that protects your bones" in letter
    assert "before the bone medicine starts" in letter
    assert "Your doctor will discuss with you whether" not in letter


# --- 18: marking entered in error -------------------------------------------------------------


def test_a_nurse_is_told_whom_to_ask_and_given_no_box_she_cannot_send(
    therapy_indicated: Patient, nurse_client: Client
) -> None:
    BoneTherapyCourse.objects.create(
        patient=therapy_indicated, drug="alendronate", dose="70 mg weekly", start_date=None
    )
    url = reverse("patients:mark_in_error", args=[therapy_indicated.pk])
    page = nurse_client.get(url).text
    assert "A physician must mark this patient entered in error." in page
    assert "Ask a physician of" in page
    assert 'name="reason"' not in page
    assert "<textarea" not in page
    assert "BONE_THERAPY_INDICATED" not in page
    assert "alert “Bone therapy indicated”: Bone-protective therapy is indicated" in page

    response = nurse_client.post(url, {"reason": "registered twice, by mistake"})
    assert response.status_code == 200
    # Said once, by the page (nurse13 #12), with the reason she sent kept to pass on.
    assert "Not marked: nothing was changed." in response.text
    assert "registered twice, by mistake" in response.text
    assert "<textarea" not in response.text
    therapy_indicated.refresh_from_db()
    assert not therapy_indicated.entered_in_error


def test_each_record_kind_s_form_gives_an_example_that_fits_it(
    on_denosumab: Patient, physician_client: Client, site: Site
) -> None:
    course = BoneTherapyCourse.objects.get(patient=on_denosumab)
    dose = course.doses.first()
    assert dose is not None
    dose_page = _get(physician_client, "dose_mark_in_error", on_denosumab, course.pk, dose.pk)
    assert "dose recorded twice, or recorded but not given" in dose_page
    assert "MRN 12345" not in dose_page
    scan = on_denosumab.dexa_scans.get()
    scan_page = _get(physician_client, "entry_mark_in_error", on_denosumab, "scan", scan.pk)
    assert "Say why, e.g. 'another patient's scan, entered under this record'." in scan_page
    patient_page = physician_client.get(
        reverse("patients:mark_in_error", args=[_patient(site, "NO-CARE").pk])
    ).text
    assert "registered twice, duplicate of MRN 12345" in patient_page
