"""nurse13 #1 in the application: an adjusted calcium of 3.05 mmol/L and a 25-OH vitamin D of
420 nmol/L entered through the lab form are flagged "high" in the labs table, raise CALCIUM_HIGH
and VITAMIN_D_HIGH (CA-HIGH, VITD-HIGH: the project's own rules, the spec is silent), put a
physician's review on the worklist, and hold the calcium and vitamin D advice on the patient page,
in both letters and on the summary, where every patient is otherwise told to take them; a normal
recheck brings the usual advice back."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring.models import Alert
from monitoring.records.history_import import history_import
from monitoring.records.services.plan import supplements_set
from patients.models import Patient

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HIGH_CALCIUM_WORK = "High calcium: physician review today"
# The advice every patient gets, in the letters: never beside a high result.
TAKE_THEM = (
    "Make sure you get enough calcium and vitamin D",
    "Adequate calcium and vitamin D intake should be kept up",
    "Please keep taking your calcium and vitamin D supplements",
)


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


@pytest.fixture
def aoife(site: Site) -> Patient:
    """Premenopausal on ovarian suppression, normal results on file (the tester's patient 222)."""
    history_import(
        data={
            "patient": {
                "mrn": "NG5520-01",
                "name": "Aoife Example",
                "sex": "F",
                "birth_date": "1982-05-01",
                "menopausal_status": "premenopausal",
            },
            "aromatase_inhibitors": [{"drug": "exemestane", "start_date": _day(30)}],
            "labs": [
                {"date": _day(90), "analyte": "vitamin_d_25oh", "value": 40, "unit": "ng/mL"},
                {"date": _day(90), "analyte": "calcium", "value": 2.3, "unit": "mmol/L"},
            ],
        },
        site=site,
    )
    return Patient.objects.get(mrn="NG5520-01")


def _enter(client: Client, patient: Patient, days_ago: int, **values: str) -> None:
    data = {"sample_date": _day(days_ago)}
    for analyte, (value, unit) in {
        "calcium": (values.get("calcium"), "mmol/L"),
        "vitamin_d_25oh": (values.get("vitamin_d"), "nmol/L"),
    }.items():
        if value is not None:
            data |= {f"{analyte}_value": value, f"{analyte}_unit": unit}
    response = client.post(reverse("monitoring:labs_create", args=[patient.pk]), data)
    assert response.status_code == 302, response.context["form"].errors


def _open(patient: Patient, code: str) -> Alert | None:
    return Alert.objects.filter(patient=patient, code=code, cleared_at__isnull=True).first()


def _letters(client: Client, patient: Patient) -> tuple[str, str]:
    pages = [
        client.get(reverse("monitoring:letter", args=[patient.pk, kind]))
        for kind in ("patient", "doctor")
    ]
    assert [page.status_code for page in pages] == [200, 200]
    return pages[0].text, pages[1].text


def test_the_testers_results_are_flagged_alerted_and_hold_the_supplements_everywhere(
    nurse_client: Client, physician_client: Client, nurse: User, aoife: Patient
) -> None:
    # Recorded as taking both: the letters said "keep taking" before (nurse12 F10).
    supplements_set(actor=nurse, patient=aoife, calcium=True, vitamin_d=True, expected_version=0)
    _enter(nurse_client, aoife, 3, calcium="3.05", vitamin_d="420")

    calcium = _open(aoife, "CALCIUM_HIGH")
    assert calcium is not None
    assert (calcium.severity, calcium.rules) == ("high", ["CA-HIGH"])
    assert "a physician reviews it today" in calcium.message
    vitamin_d = _open(aoife, "VITAMIN_D_HIGH")
    assert vitamin_d is not None
    assert (vitamin_d.severity, vitamin_d.rules) == ("high", ["VITD-HIGH"])

    page = nurse_client.get(reverse("monitoring:patient", args=[aoife.pk]))
    assert page.status_code == 200
    rows = {(r.lab.analyte, r.lab.sample_date.isoformat()): r for r in page.context["lab_rows"]}
    calcium_row = rows[("calcium", _day(3))]
    assert calcium_row.flag is not None
    assert (calcium_row.flag.word, calcium_row.flag.level) == ("high", "danger")
    assert calcium_row.flag.note == "above 2.6 mmol/L: physician review today"
    vitamin_d_row = rows[("vitamin_d_25oh", _day(3))]
    assert vitamin_d_row.flag is not None
    assert vitamin_d_row.flag.word == "high"
    assert "above 375 nmol/L (150 ng/mL)" in vitamin_d_row.flag.note
    assert "▲</span> high</span>" in page.text
    assert "High calcium" in page.text
    assert "Hold calcium and vitamin D supplements (high calcium)" in page.text
    assert "Calcium 1000-1200 mg/day (diet first)" not in page.text
    # In the site's units: the vitamin D quoted as entered, its threshold in nmol/L.
    assert "25-OH vitamin D 420 nmol/L on" in page.text or "420.00 nmol/L" in page.text

    patient_letter, doctor_letter = _letters(physician_client, aoife)
    for text in TAKE_THEM:
        assert text not in patient_letter
        assert text not in doctor_letter
    assert "Please do not take calcium or vitamin D supplements for now" in patient_letter
    assert "The calcium level in your blood was higher than normal" in patient_letter
    assert "Your vitamin D level was higher than it should be" in patient_letter
    assert "Calcium and vitamin D supplements are to be held" in doctor_letter
    assert "High calcium: Adjusted calcium 3.05 mmol/L" in doctor_letter
    assert "High vitamin D:" in doctor_letter

    summary = physician_client.get(reverse("monitoring:patient_summary", args=[aoife.pk]))
    assert summary.status_code == 200
    assert "Hold calcium and vitamin D supplements (high calcium)" in summary.text
    assert "Adjusted calcium 3.05 mmol/L" in summary.text
    assert "Calcium 1000-1200 mg/day (diet first)" not in summary.text

    work = physician_client.get(reverse("monitoring:worklist"))
    assert ("NG5520-01", HIGH_CALCIUM_WORK) in [
        (r.patient.mrn, r.get_item_display()) for r in work.context["work"].object_list
    ]


def test_a_high_vitamin_d_alone_is_a_warning_holding_vitamin_d(
    nurse_client: Client, physician_client: Client, aoife: Patient
) -> None:
    _enter(nurse_client, aoife, 2, vitamin_d="300")  # 120.19 ng/mL
    alert = _open(aoife, "VITAMIN_D_HIGH")
    assert alert is not None
    assert alert.severity == "warning"
    assert _open(aoife, "CALCIUM_HIGH") is None
    patient_letter, doctor_letter = _letters(physician_client, aoife)
    assert "please stop any vitamin D supplement for now" in patient_letter
    assert "Vitamin D supplements are to be held" in doctor_letter
    assert TAKE_THEM[0] not in patient_letter


def test_a_normal_recheck_clears_the_alert_the_worklist_row_and_the_hold(
    nurse_client: Client, physician_client: Client, aoife: Patient
) -> None:
    _enter(nurse_client, aoife, 3, calcium="3.05")
    assert _open(aoife, "CALCIUM_HIGH") is not None
    _enter(nurse_client, aoife, 1, calcium="2.45")
    assert _open(aoife, "CALCIUM_HIGH") is None
    assert Alert.objects.filter(patient=aoife, code="CALCIUM_HIGH").count() == 1
    work = physician_client.get(reverse("monitoring:worklist"))
    assert HIGH_CALCIUM_WORK not in [r.get_item_display() for r in work.context["work"]]
    patient_letter, _doctor = _letters(physician_client, aoife)
    assert TAKE_THEM[0] in patient_letter


def test_a_physicians_acknowledgement_is_the_review_the_worklist_asked_for(
    nurse_client: Client, physician_client: Client, aoife: Patient
) -> None:
    _enter(nurse_client, aoife, 3, calcium="2.90")
    alert = _open(aoife, "CALCIUM_HIGH")
    assert alert is not None
    nurse_work = nurse_client.get(reverse("monitoring:worklist"))
    assert "(a physician reviews it)" in nurse_work.text
    url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
    note = "Seen today: PTH and bone scan ordered, supplements stopped"
    assert physician_client.post(url, {"note": note}).status_code == 302
    work = physician_client.get(reverse("monitoring:worklist"))
    assert HIGH_CALCIUM_WORK not in [r.get_item_display() for r in work.context["work"]]
