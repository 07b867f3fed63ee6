"""phys13 #5, #8 and #10 in the application: the patient page, the worklist and the letters.

- #10: SHOW-03 (denosumab planned, adjusted calcium 2.02 mmol/L, eGFR 25) had only "Repeat DEXA"
  on its page while the worklist asked to correct the calcium: the page now heads its calcium and
  vitamin D advice with the worklist's words, first among the recommendations, with no date.
- #5: therapy indicated and vitamin D deficient: the start advice says to replete it first, in
  the page's label and text and in both letters.
- #8: zoledronic acid started today with an override for the deficiency: the alert, on the page
  and in the doctor's letter, says to replete now and check the calcium, never "before".
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site
from monitoring.demo_showcase import showcase_histories
from monitoring.labels import LOW_CALCIUM_LABEL
from monitoring.models import Alert
from monitoring.records.history_import import history_import
from patients.models import Patient

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _recommendations(page: str) -> str:
    return page.split("Recommendations", 1)[1].split("</ul>", 1)[0]


def _deficient(site: Site, mrn: str, therapy: list[dict[str, object]]) -> Patient:
    """T -2.6 on an AI, 25-OH vitamin D 20 nmol/L (8.01 ng/mL), calcium and kidneys normal."""
    history_import(
        data={
            "patient": {
                "mrn": mrn,
                "name": "Vitamin Example",
                "sex": "F",
                "birth_date": "1955-03-01",
                "height_cm": 165,
                "weight_kg": 65,
            },
            "aromatase_inhibitors": [{"drug": "letrozole", "start_date": _day(400)}],
            "dexa_scans": [
                {
                    "date": _day(60),
                    "scanner": "Lunar iDXA, room 1",
                    "sites": {"lumbar_spine": {"bmd": 0.800, "t_score": -2.6}},
                }
            ],
            "labs": [
                {"date": _day(6), "analyte": "vitamin_d_25oh", "value": 20, "unit": "nmol/L"},
                {"date": _day(6), "analyte": "calcium", "value": 2.25, "unit": "mmol/L"},
                {"date": _day(6), "analyte": "egfr", "value": 70, "unit": "mL/min/1.73m2"},
            ],
            "bone_therapy": therapy,
        },
        site=site,
        override_reason="Loading colecalciferol started today, oncologist decision",
    )
    return Patient.objects.get(mrn=mrn)


def test_show_03_s_page_asks_to_correct_the_calcium_as_its_worklist_does(
    nurse_client: Client, site: Site
) -> None:
    (show_03,) = [h for h in showcase_histories(TODAY) if h["patient"]["mrn"] == "SHOW-03"]  # type: ignore[index]
    history_import(data=show_03, site=site, override_reason="showcase")
    patient = Patient.objects.get(mrn="SHOW-03")
    page = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    advice = _recommendations(page)
    # First among the recommendations (beside the critical alert), headed as the worklist row.
    first = advice.split("<li", 2)[1]
    assert f"<strong>{LOW_CALCIUM_LABEL}</strong>" in first
    assert (
        "Correct the low calcium and check it again (HYPOCALCEMIA: adjusted calcium 2.02" in first
    )
    assert "CA-LOW" in first
    assert " — " not in first.split("<br>", 1)[0]  # no date: the spec gives no interval
    worklist = nurse_client.get(reverse("monitoring:worklist"))
    rows = [(r.patient.mrn, r.get_item_display()) for r in worklist.context["work"].object_list]
    assert ("SHOW-03", LOW_CALCIUM_LABEL) in rows


def test_the_start_advice_says_to_replete_vitamin_d_first_on_the_page_and_in_the_letters(
    physician_client: Client, site: Site
) -> None:
    patient = _deficient(site, "VD-1", [])
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    advice = _recommendations(page)
    assert "<strong>Replete vitamin D, then start bone therapy</strong>" in advice
    assert "Replete the deficient vitamin D first (VITAMIN_D_DEFICIENT: 25-OH vitamin D" in advice
    assert "vitamin D: a repletion course first, then 800-1000 IU/day to maintain." in advice
    letter = physician_client.get(reverse("monitoring:letter", args=[patient.pk, "patient"]))
    assert "Your vitamin D level needs to be brought back up first." in letter.text
    doctor = physician_client.get(reverse("monitoring:letter", args=[patient.pk, "doctor"]))
    assert "Replete the deficient vitamin D first and check the calcium" in doctor.text


def test_after_an_override_the_alert_says_replete_now(physician_client: Client, site: Site) -> None:
    today = TODAY.isoformat()
    therapy = {"drug": "zoledronic_acid", "dose": "4 mg", "start_date": today}
    patient = _deficient(site, "VD-2", [therapy | {"dental_review_date": _day(10)}])
    alert = Alert.objects.get(patient=patient, code="VITAMIN_D_DEFICIENT", cleared_at__isnull=True)
    assert alert.severity == "high"
    assert f"replete now and check the calcium: zoledronic acid starts on {today}" in alert.message
    page = physician_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    doctor = physician_client.get(reverse("monitoring:letter", args=[patient.pk, "doctor"])).text
    for text in (page, doctor):
        assert "replete now and check the calcium: zoledronic acid starts on" in text
        assert "replete before zoledronic acid" not in text
