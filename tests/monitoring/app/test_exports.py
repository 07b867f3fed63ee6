"""Exports of issue 15: FHIR Bundles, the cohort export (CSV, history zip), and the letters."""

import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.demo_showcase import demo_showcase_import
from monitoring.models import PatientAssessment, Scanner
from monitoring.overview import fhir, letters
from monitoring.overview.cohort import cohort_fhir_resources
from monitoring.records.selectors import open_alerts_for, patients_with_records
from patients.models import FollowUpStatus, Patient
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
EXPORT = reverse("monitoring:cohort_export")


@pytest.fixture
def showcase(site: Site) -> list[Patient]:
    demo_showcase_import(site=site, today=timezone.localdate())
    return list(Patient.objects.filter(site=site).order_by("mrn"))


@pytest.fixture
def foreign_scanned(other_site: Site) -> Patient:
    patient = PatientFactory(site=other_site, mrn="Z9999", name="Other Site")
    DexaScanFactory(patient=patient, scan_date=date(2024, 1, 5), t=-2.8)
    return patient


def _bundle_of(patient: Patient) -> dict[str, Any]:
    loaded = patients_with_records([patient.pk]).get()
    return fhir.bundle(fhir.patient_resources(loaded, open_alerts_for([patient.pk])))


def _types(bundle: dict[str, Any]) -> list[str]:
    return [entry["resource"]["resourceType"] for entry in bundle["entry"]]


def test_a_fhir_bundle_of_each_showcase_patient_validates(showcase: list[Patient]) -> None:
    assert len(showcase) > 10
    kinds: set[str] = set()
    for patient in showcase:
        bundle = _bundle_of(patient)
        Bundle.model_validate(bundle)  # raises on any invalid resource
        kinds |= set(_types(bundle))
        assert _types(bundle)[0] == "Patient"
    assert kinds == {"Patient", "Observation", "MedicationStatement", "Flag"}


def test_the_bundle_codes_dexa_and_labs_with_loinc_ucum_and_the_neck_body_site(
    showcase: list[Patient],
) -> None:
    resources = [entry["resource"] for p in showcase for entry in _bundle_of(p)["entry"]]
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    codes = {c["code"] for r in observations for c in r["code"].get("coding", [])}
    assert {"24966-4", "38267-1", "38264-8", "24701-5", "38263-0"} <= codes
    assert {"62292-8", "29265-6"} <= codes
    t_scores = [r for r in observations if r["valueQuantity"]["code"] == "{T-score}"]
    assert t_scores
    assert all(r["valueQuantity"]["system"] == "http://unitsofmeasure.org" for r in observations)
    neck = [r for r in observations if "femoral neck" in r["code"]["text"]]
    assert neck
    assert all(r["bodySite"]["coding"][0]["code"] == "29627003" for r in neck)
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    assert patient["identifier"][0]["system"] == "urn:bonehealth:site:north"
    flags = [r for r in resources if r["resourceType"] == "Flag"]
    assert flags
    assert all(f["category"][0]["coding"][0]["system"] == fhir.RULE_SYSTEM for f in flags)


def test_a_lab_is_sent_as_entered_or_rounded_with_the_value_as_entered(patient: Patient) -> None:
    """nurse13 #9: a vitamin D entered as 62.5 nmol/L went out as 25.040064 ng/mL. In the unit
    its LOINC code measures in, a result goes as entered; from another unit, rounded as the pages
    show it, the value as entered in a note."""
    LabResultFactory(  # 62.5 nmol/L is 25.040064 ng/mL
        patient=patient, value="25.040064", entered_value="62.5", entered_unit="nmol/L"
    )
    LabResultFactory(
        patient=patient,
        analyte="calcium",
        value="2.350",
        entered_value="2.350",
        entered_unit="mmol/L",
    )
    bundle = _bundle_of(patient)
    Bundle.model_validate(bundle)
    labs = {
        r["code"]["coding"][0]["code"]: r
        for r in (entry["resource"] for entry in bundle["entry"])
        if r["resourceType"] == "Observation"
        and r["category"][0]["coding"][0]["code"] == "laboratory"
    }
    vitamin_d, calcium = labs["62292-8"], labs["29265-6"]
    assert vitamin_d["valueQuantity"] | {"system": ""} == {
        "value": 25.04,
        "unit": "ng/mL",
        "code": "ng/mL",
        "system": "",
    }
    assert vitamin_d["note"] == [{"text": "Entered as 62.5 nmol/L."}]
    assert calcium["valueQuantity"]["value"] == 2.35
    assert calcium["valueQuantity"]["unit"] == "mmol/L"
    assert "note" not in calcium


def test_patient_fhir_download_is_audited_and_admins_get_403(
    nurse_client: Client, admin_client_: Client, showcase: list[Patient]
) -> None:
    patient = showcase[0]
    url = reverse("monitoring:patient_fhir", args=[patient.pk])
    response = nurse_client.get(url)
    assert response.status_code == 200
    Bundle.model_validate(json.loads(response.content))
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.changes == {"export": "patient FHIR Bundle"}
    assert (event.patient_id, event.actor.username) == (patient.pk, "nurse")
    assert admin_client_.get(url).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_patient_fhir_of_another_sites_patient_is_404(
    nurse_client: Client, foreign_scanned: Patient
) -> None:
    url = reverse("monitoring:patient_fhir", args=[foreign_scanned.pk])
    assert nurse_client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_fhir_command_prints_a_valid_bundle_and_audits(
    showcase: list[Patient], nurse: User, foreign_scanned: Patient
) -> None:
    out = io.StringIO()
    mrns = [p.mrn for p in showcase[:2]]
    call_command("export_fhir", *mrns, "--actor", nurse.username, stdout=out)
    bundle = json.loads(out.getvalue())
    Bundle.model_validate(bundle)
    assert _types(bundle).count("Patient") == 2
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert sorted(event.changes["patients"]) == sorted(p.pk for p in showcase[:2])
    # Another site's patient reads as unknown: the command does not say it exists elsewhere.
    with pytest.raises(Exception, match="no patient with MRN Z9999"):
        call_command("export_fhir", "Z9999", "--actor", nurse.username, stdout=io.StringIO())


def _post(client: Client, **data: str) -> Any:
    return client.post(EXPORT, {"follow_up": "active", **data})


def test_cohort_csv_has_a_row_per_patient_and_is_audited_with_filter_and_count(
    nurse_client: Client, showcase: list[Patient], foreign_scanned: Patient
) -> None:
    response = _post(nurse_client, format="csv")
    assert response.status_code == 200
    assert response.streaming
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    followed = [p for p in showcase if p.follow_up_status == FollowUpStatus.ACTIVE]
    assert sorted(row["mrn"] for row in rows) == sorted(p.mrn for p in followed)
    assert "Z9999" not in {row["mrn"] for row in rows}  # another site's patient, never
    assessments = PatientAssessment.objects.in_bulk([p.pk for p in followed])
    by_mrn = {p.mrn: p for p in followed}
    for row in rows:
        assessment = assessments[by_mrn[row["mrn"]].pk]
        assert row["risk_category"] == assessment.risk_category
    assert any(row["t_score_lumbar_spine"] for row in rows)
    assert all(row["ai_drug"] in {"anastrozole", "letrozole", "exemestane", ""} for row in rows)
    assert any(row["ai_drug"] and row["ai_start"] for row in rows)
    assert any(row["next_dexa_due"] for row in rows)
    assert any(row["open_alerts"] for row in rows)
    for row in rows:  # each code once, though the loss alerts are one per site
        codes = row["open_alerts"].split(";")
        assert len(codes) == len(set(codes)), row["open_alerts"]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.changes["shown"] == "cohort CSV"
    assert event.changes["filters"] == {"follow_up": "active"}
    assert event.changes["count"] == len(followed)
    assert sorted(event.changes["patients"]) == sorted(p.pk for p in followed)


def test_cohort_filters_by_risk_and_open_alert(
    nurse_client: Client, showcase: list[Patient]
) -> None:
    high = PatientAssessment.objects.filter(risk_category="high", followed=True)
    response = _post(nurse_client, format="csv", risk="high")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert {row["mrn"] for row in rows} == {a.patient.mrn for a in high}
    response = _post(nurse_client, format="csv", alert="DEXA_OVERDUE")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert rows
    assert all("DEXA_OVERDUE" in row["open_alerts"] for row in rows)


def test_cohort_csv_cells_cannot_run_as_formulas(nurse_client: Client, site: Site) -> None:
    patient = PatientFactory(site=site, mrn="F1", name="=HYPERLINK(1)")
    AromataseInhibitorCourseFactory(patient=patient, start_date=date(2024, 1, 1))
    response = _post(nurse_client, format="csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_the_zip_histories_import_again(
    nurse_client: Client,
    site: Site,
    showcase: list[Patient],
    other_site: Site,
    tmp_path: Path,
) -> None:
    response = _post(nurse_client, format="zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    followed = [p for p in showcase if p.follow_up_status == FollowUpStatus.ACTIVE]
    assert len(names) == len(followed)
    archive.extractall(tmp_path)
    files = [str(tmp_path / name) for name in names]
    # The histories hold therapy courses (a physician's) and scanners (set up by an administrator).
    UserFactory(username="phys.elsewhere", role="physician", sites=[other_site])
    for scanner in Scanner.objects.filter(site=site):
        Scanner.objects.create(site=other_site, name=scanner.name)
    out = io.StringIO()
    call_command(
        "import_history",
        *files,
        "--site",
        other_site.code,
        "--actor",
        "phys.elsewhere",
        "--override-reason",
        "test data: checks not under test",
        stdout=out,
    )
    copies = Patient.objects.filter(site=other_site)
    assert sorted(copies.values_list("mrn", flat=True)) == sorted(p.mrn for p in followed)
    for original in followed:
        copy = copies.get(mrn=original.mrn)
        assert copy.dexa_scans.count() == original.dexa_scans.count()
        assert copy.lab_results.count() == original.lab_results.count()


def test_a_large_export_without_a_reason_is_refused_and_audited_as_such(
    nurse_client: Client, showcase: list[Patient], settings: Any
) -> None:
    settings.COHORT_EXPORT_LIMIT = 3
    response = _post(nurse_client, format="csv")
    assert response.status_code == 400
    assert "more than the export limit of 3" in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    refused = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert refused.changes["limit"] == 3
    response = _post(nurse_client, format="fhir", reason="Audit of the 2026 cohort")
    assert response.status_code == 200
    Bundle.model_validate(json.loads(b"".join(response.streaming_content)))
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.changes["reason"] == "Audit of the 2026 cohort"


def test_cohort_page_counts_links_from_the_patient_list_and_refuses_admins(
    nurse_client: Client, admin_client_: Client, showcase: list[Patient]
) -> None:
    assert EXPORT in nurse_client.get(reverse("patients:list")).text
    response = nurse_client.get(EXPORT, {"follow_up": "all"})
    assert response.status_code == 200
    assert f"<strong>{len(showcase)}</strong> patients chosen" in response.text
    assert admin_client_.get(EXPORT).status_code == 403
    assert admin_client_.post(EXPORT, {"format": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_cohort_fhir_resources_cover_only_the_given_patients(
    showcase: list[Patient], foreign_scanned: Patient
) -> None:
    ids = [p.pk for p in showcase]
    bundle = fhir.bundle(cohort_fhir_resources(ids))
    Bundle.model_validate(bundle)
    mrns = {
        e["resource"]["identifier"][0]["value"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Patient"
    }
    assert mrns == {p.mrn for p in showcase}


@pytest.mark.parametrize("kind", [letters.PATIENT, letters.DOCTOR])
def test_letters_show_rule_ids_on_the_clinicians_copy_only(
    nurse_client: Client, showcase: list[Patient], kind: str
) -> None:
    for patient in showcase:
        data = PatientAssessment.objects.get(patient=patient).data
        letter = letters.letter(data, kind)
        sentences = letter.results + letter.advice + letter.next_steps
        assert sentences
        assert all(sentence.rules for sentence in sentences), patient.mrn
        url = reverse("monitoring:letter", args=[patient.pk, kind])
        patient_copy = nurse_client.get(url).text
        clinician_copy = nurse_client.get(url, {"copy": "clinician"}).text
        assert "rule-ids" not in patient_copy
        assert "rule-ids" in clinician_copy
        for rule in {rule for sentence in sentences for rule in sentence.rules}:
            assert rule in clinician_copy
        assert "css/print.css" in patient_copy


def test_letter_next_scan_and_words_come_from_the_stored_assessment() -> None:
    data = json.loads(
        Path("tests/vignettes/15-significant-loss-not-rapid.expected.json").read_text()
    )
    letter = letters.letter(data, letters.PATIENT)
    texts = {s.text: s.rules for s in letter.results + letter.advice + letter.next_steps}
    assert texts["Your next bone density scan is due by 2026-05-01."] == ("SCHED-MODERATE",)
    assert any("osteopenia" in text and rules == ("WHO-CAT",) for text, rules in texts.items())
    assert any("margin of error" in text and rules == ("CHG-LSC",) for text, rules in texts.items())
    doctor = letters.letter(data, letters.DOCTOR)
    assert any(s.text.startswith("Significant BMD loss: ") for s in doctor.next_steps)


def test_the_patient_page_links_to_the_letters_and_the_fhir_export(
    nurse_client: Client, showcase: list[Patient]
) -> None:
    patient = showcase[0]
    text = nurse_client.get(reverse("monitoring:patient", args=[patient.pk])).text
    assert reverse("monitoring:letter", args=[patient.pk, "patient"]) in text
    assert reverse("monitoring:letter", args=[patient.pk, "doctor"]) in text
    assert reverse("monitoring:patient_fhir", args=[patient.pk]) in text


def test_letters_of_another_sites_patient_are_404_and_admins_get_403(
    nurse_client: Client, admin_client_: Client, foreign_scanned: Patient, showcase: list[Patient]
) -> None:
    url = reverse("monitoring:letter", args=[foreign_scanned.pk, "patient"])
    assert nurse_client.get(url).status_code == 404
    own = reverse("monitoring:letter", args=[showcase[0].pk, "doctor"])
    assert admin_client_.get(own).status_code == 403


def test_an_overdue_scan_is_said_once_with_the_rules_of_its_date_and_of_the_alert() -> None:
    vignette = Path("tests/vignettes/15-significant-loss-not-rapid.expected.json")
    data = json.loads(vignette.read_text())
    data["as_of"] = "2026-08-01"
    data["alerts"].append(
        {"code": "DEXA_OVERDUE", "message": "overdue", "rules": ["SCHED-OVERDUE"], "site": ""}
    )
    steps = letters.letter(data, letters.PATIENT).next_steps
    assert [s.text for s in steps] == [
        "Your bone density scan was due by 2026-05-01: please call us to book it."
    ]
    assert steps[0].rules == ("SCHED-MODERATE", "SCHED-OVERDUE")


def _queries(make: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        for _ in make():
            pass
    return len(captured)


def test_cohort_streams_read_a_fixed_number_of_queries_per_chunk(
    showcase: list[Patient], site: Site
) -> None:
    from monitoring.overview import cohort

    few = [p.pk for p in showcase[:3]]
    every = [p.pk for p in showcase]
    for stream in (
        cohort.cohort_csv,
        lambda ids: cohort.zip_stream(cohort.cohort_histories(ids)),
        lambda ids: cohort.bundle_stream(cohort.cohort_fhir_resources(ids)),
    ):
        assert _queries(lambda s=stream: s(few)) == _queries(lambda s=stream: s(every))


def test_count_is_a_post_of_the_same_form_and_a_bad_site_is_refused(
    nurse_client: Client, showcase: list[Patient], other_site: Site
) -> None:
    response = _post(nurse_client, format="count", risk="high")
    assert response.status_code == 200
    high = PatientAssessment.objects.filter(risk_category="high", followed=True).count()
    assert f"<strong>{high}</strong> patient" in response.text
    response = _post(nurse_client, format="csv", site=str(other_site.pk))
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
