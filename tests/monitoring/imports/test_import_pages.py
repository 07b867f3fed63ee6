"""The import pages: upload, preview (a dry run), confirm; who may use them; the template."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse, DexaScan, LabResult
from patients.models import Patient
from tests.conftest import login
from tests.factories import LabResultFactory, PatientFactory, ScannerFactory
from tests.monitoring.imports.helpers import results_csv, snapshot, vignette

pytestmark = pytest.mark.django_db
UPLOAD = reverse("monitoring:import_upload")
PREVIEW = reverse("monitoring:import_preview")
CONFIRM = reverse("monitoring:import_confirm")
TEMPLATE = reverse("monitoring:import_template")

ROWS = [
    {"mrn": "A1001", "date": "2025-03-01", "measure": "lumbar_spine", "value": "0.912",
     "scanner": "Lunar", "t_score": "-1.2"},
    {"mrn": "A1001", "date": "2025-03-02", "measure": "vitamin_d_25oh", "value": "62",
     "unit": "nmol/L"},
]  # fmt: skip


@pytest.fixture
def ready(site: Site, patient: Patient) -> Patient:
    ScannerFactory(site=site, name="Lunar")
    return patient


def _upload(client: Client, text: str | bytes, kind: str = "results_csv", **extra: Any) -> Any:
    content = text.encode() if isinstance(text, str) else text
    name = "results.csv" if kind == "results_csv" else "data.json"
    return client.post(
        UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, content), **extra}, follow=True
    )


def _confirm(client: Client, response: Any, **changes: str) -> Any:
    upload = response.context["upload"]
    data = {"token": upload.token, "sha256": upload.sha256, **changes}
    return client.post(CONFIRM, data, follow=True)


def test_upload_preview_confirm_writes_once_and_a_second_confirm_writes_nothing(
    ready: Patient, nurse_client: Client
) -> None:
    before = snapshot()
    preview = _upload(nurse_client, results_csv(ROWS))
    assert preview.redirect_chain[-1][0] == PREVIEW
    page = preview.content.decode()
    assert "1 DEXA scan and 1 lab result for 1 patient" in page
    assert "DEXA scan 2025-03-01 on Lunar: Lumbar spine (L1-L4) 0.912 g/cm², T -1.2" in page
    assert snapshot() == before  # the preview is a dry run

    done = _confirm(nurse_client, preview)
    assert done.redirect_chain[-1][0] == UPLOAD
    assert "results.csv imported: 1 DEXA scan and 1 lab result" in done.content.decode()
    assert DexaScan.objects.filter(patient=ready).count() == 1
    assert LabResult.objects.get(patient=ready).entered_unit == "nmol/L"
    event = AuditEvent.objects.get(action=AuditAction.IMPORT, patient=ready)
    assert event.changes["file"] == "results.csv"
    assert event.client_address == "127.0.0.1"
    after = snapshot()

    again = _confirm(nurse_client, preview)
    assert "Nothing was written: this upload is not waiting any more" in again.content.decode()
    assert snapshot() == after


def test_a_confirm_with_another_hash_writes_nothing(ready: Patient, nurse_client: Client) -> None:
    preview = _upload(nurse_client, results_csv(ROWS))
    before = snapshot()
    response = _confirm(nurse_client, preview, sha256="0" * 64)
    assert "Nothing was written" in response.content.decode()
    assert snapshot() == before


def test_records_changed_since_the_preview_show_the_new_preview(
    ready: Patient, nurse_client: Client
) -> None:
    preview = _upload(nurse_client, results_csv(ROWS))
    LabResultFactory(
        patient=ready,
        sample_date="2025-03-02",
        entered_value=62,
        value="24.8",
        entered_unit="nmol/L",
    )
    before = snapshot()
    response = _confirm(nurse_client, preview)
    page = response.content.decode()
    assert "The records changed since the preview: check it again." in page
    assert "1 DEXA scan and 0 lab results for 1 patient; 1 row already recorded" in page
    assert snapshot() == before
    _confirm(nurse_client, response)
    assert DexaScan.objects.count() == 1


def test_a_refused_file_shows_every_problem_and_cannot_be_confirmed(
    ready: Patient, foreign_patient: Patient, nurse_client: Client
) -> None:
    rows = [*ROWS, dict(ROWS[1], mrn=foreign_patient.mrn), dict(ROWS[1], unit="mmol/L")]
    before = snapshot()
    preview = _upload(nurse_client, results_csv(rows))
    page = preview.content.decode()
    assert "This file is refused: nothing will be saved." in page
    assert f"no patient with MRN {foreign_patient.mrn} among your patients" in page
    assert "unit &#x27;mmol/L&#x27; is not allowed for 25-OH vitamin D" in page
    assert "Confirm the import" not in page
    _confirm(nurse_client, preview)
    assert snapshot() == before


def test_a_file_not_utf8_is_refused_at_upload(ready: Patient, nurse_client: Client) -> None:
    response = _upload(nurse_client, results_csv(ROWS).encode("utf-16"))
    assert "the file is not UTF-8 text" in response.content.decode()
    assert "No file is waiting" in nurse_client.get(PREVIEW).content.decode()


def test_admins_get_403_and_clinicians_get_the_pages(
    ready: Patient, admin_client_: Client, physician_client: Client
) -> None:
    for url in (UPLOAD, PREVIEW, TEMPLATE):
        assert admin_client_.get(url).status_code == 403
    assert admin_client_.post(CONFIRM, {}).status_code == 403
    assert admin_client_.post(UPLOAD, {}).status_code == 403
    assert physician_client.get(UPLOAD).status_code == 200
    assert b"Import results" in physician_client.get(reverse("patients:list")).content


def test_the_template_csv_is_the_columns_and_examples(nurse_client: Client) -> None:
    response = nurse_client.get(TEMPLATE)
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"\xef\xbb\xbfmrn,")  # the BOM Excel needs for accents
    body = content.decode("utf-8-sig")
    assert body.splitlines()[0] == "mrn,date,measure,value,unit,scanner,t_score,z_score,fasting"
    assert response["Content-Disposition"] == 'attachment; filename="results-template.csv"'


def test_the_downloaded_template_imports_as_it_is(site: Site, nurse_client: Client) -> None:
    """The byte-order mark of a downloaded CSV does not stop it coming back in."""
    example = PatientFactory(site=site, mrn="MRN-0001")
    ScannerFactory(site=site, name="GE Lunar iDXA")
    content = b"".join(nurse_client.get(TEMPLATE).streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"\xef\xbb\xbf")
    preview = _upload(nurse_client, content)
    assert "1 DEXA scan and 2 lab results for 1 patient" in preview.content.decode()
    _confirm(nurse_client, preview)
    assert DexaScan.objects.filter(patient=example).count() == 1
    assert LabResult.objects.filter(patient=example).count() == 2


def _observation(loinc: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {
        "resource": {
            "resourceType": "Observation",
            "status": extra.pop("status", "final"),
            "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
            "subject": extra.pop("subject", {"reference": "urn:uuid:patient-1"}),
            "effectiveDateTime": extra.pop("effective", "2025-03-02T08:15:00+01:00"),
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org",
                              "code": unit},
            **extra,
        }
    }  # fmt: skip


def _bundle(*observations: dict[str, Any], mrn: str = "A1001") -> str:
    patient = {
        "fullUrl": "urn:uuid:patient-1",
        "resource": {
            "resourceType": "Patient",
            "identifier": [
                {"type": {"coding": [{"code": "MR"}]}, "value": mrn},
                {"system": "urn:national-id", "value": "123"},
            ],
        },
    }
    specimen = {
        "fullUrl": "urn:uuid:specimen-1",
        "resource": {
            "resourceType": "Specimen",
            "collection": {"fastingStatusCodeableConcept": {"coding": [{"code": "F"}]}},
        },
    }
    return json.dumps(
        {"resourceType": "Bundle", "type": "collection",
         "entry": [patient, specimen, *observations]}
    )  # fmt: skip


def test_a_fhir_bundle_of_lab_observations_imports_through_the_same_preview(
    ready: Patient, nurse_client: Client
) -> None:
    bundle = _bundle(
        _observation("62292-8", 62, "nmol/L"),
        _observation("41171-0", 0.35, "ng/mL", specimen={"reference": "urn:uuid:specimen-1"}),
        _observation("98979-8", 71, "mL/min/{1.73_m2}", subject={"identifier": {"value": "A1001"}}),
        _observation("77370-5", 41, "ug/L"),
    )
    preview = _upload(nurse_client, bundle, kind="fhir_bundle")
    page = preview.content.decode()
    assert "0 DEXA scans and 4 lab results for 1 patient" in page, page
    _confirm(nurse_client, preview)
    labs = {lab.analyte: lab for lab in LabResult.objects.filter(patient=ready)}
    assert (labs["vitamin_d_25oh"].entered_value, labs["vitamin_d_25oh"].entered_unit) == (
        62,
        "nmol/L",
    )
    assert labs["ctx"].fasting
    assert labs["egfr"].entered_unit == "mL/min/1.73m2"
    assert labs["p1np"].entered_unit == "µg/L"

    again = _upload(nurse_client, bundle, kind="fhir_bundle")
    assert "Nothing new: all 4 rows are already recorded. Confirming writes nothing." in (
        again.content.decode()
    )


def test_fhir_problems_name_the_entry(
    ready: Patient, foreign_patient: Patient, nurse_client: Client
) -> None:
    bundle = _bundle(
        _observation("62292-8", 62, "nmol/L", status="preliminary"),
        _observation("2345-7", 5.1, "mmol/L"),
        _observation("1777-2", 40, "U/L"),
        _observation(
            "2160-0", 0.9, "mg/dL", subject={"identifier": {"value": foreign_patient.mrn}}
        ),
        _observation("29265-6", 2.3, "mmol/L", effective="2025-03"),
        _observation("17861-6", 9.4, "mg/dL"),
    )
    before = snapshot()
    page = _upload(nurse_client, bundle, kind="fhir_bundle").content.decode()
    for expected in (
        "status &#x27;preliminary&#x27;: only final results are imported",
        "no LOINC code this app records (LOINC: 2345-7)",
        "unit &#x27;U/L&#x27; is not allowed for BSAP",
        "no full effective date (2025-03)",
        "total calcium (LOINC 17861-6) is not the albumin-adjusted calcium the rules judge",
    ):
        assert expected in page
    assert "<td>entry 3</td>" in page
    assert snapshot() == before
    page = _upload(
        nurse_client,
        _bundle(_observation("2160-0", 0.9, "mg/dL"), mrn=foreign_patient.mrn),
        kind="fhir_bundle",
    ).content.decode()
    assert f"no patient with MRN {foreign_patient.mrn} among your patients" in page


def test_an_invalid_fhir_bundle_is_refused(ready: Patient, nurse_client: Client) -> None:
    bundle = json.loads(_bundle(_observation("62292-8", 62, "nmol/L")))
    bundle["entry"][2]["resource"]["valueQuantity"]["value"] = "sixty"
    page = _upload(nurse_client, json.dumps(bundle), kind="fhir_bundle").content.decode()
    assert "not valid FHIR R4" in page
    assert "valueQuantity.value" in page
    page = _upload(nurse_client, '{"resourceType": "Patient"}', kind="fhir_bundle").content.decode()
    assert "not a FHIR Bundle" in page


def test_a_history_upload_previews_by_dry_run_and_imports_once(
    site: Site, nurse: User, nurse_client: Client
) -> None:
    ScannerFactory(site=site, name="S1")
    history = vignette("27-btm-adequate")
    history.pop("bone_therapy")
    before = (snapshot(), Patient.objects.count())
    preview = _upload(nurse_client, json.dumps(history), kind="history_json", site=site.pk)
    page = preview.content.decode()
    born = history["patient"]["birth_date"]
    assert f"no name in the file (new patient, born {born})" in page
    assert "7 lab results" in page
    assert (snapshot(), Patient.objects.count()) == before
    done = _confirm(nurse_client, preview)
    patient = Patient.objects.get(mrn="V27", site=site)
    link = reverse("monitoring:patient", args=[patient.pk])
    assert f'<a href="{link}">V27</a>: 1 aromatase-inhibitor course, ' in done.content.decode()
    assert LabResult.objects.filter(patient=patient).count() == 7
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, patient=patient).count() == 1

    again = _upload(nurse_client, json.dumps(history), kind="history_json", site=site.pk)
    assert "Nothing new: the record has all of it." in again.content.decode()


def test_a_nurse_cannot_import_a_history_with_physician_decisions(
    site: Site, nurse_client: Client, physician: User
) -> None:
    ScannerFactory(site=site, name="S1")
    history = vignette("27-btm-adequate")
    page = _upload(nurse_client, json.dumps(history), kind="history_json", site=site.pk)
    assert (
        "the file would create bone-protective therapy courses, which your role does not record"
        in page.content.decode()
    )
    assert not Patient.objects.exists()
    preview = _upload(login(physician), json.dumps(history), kind="history_json", site=site.pk)
    assert "Confirm the import" in preview.content.decode()
    _confirm(login(physician, preview.client), preview)  # type: ignore[attr-defined]
    assert BoneTherapyCourse.objects.count() == 1


def test_a_history_needs_one_of_the_users_sites(
    site: Site, other_site: Site, nurse_client: Client
) -> None:
    history = vignette("01-baseline-normal-vitd-30")
    page = _upload(nurse_client, json.dumps(history), kind="history_json", site=site.pk)
    assert "scanners not set up at North General: S1 (an administrator adds them" in (
        page.content.decode()
    )
    response = _upload(nurse_client, json.dumps(history), kind="history_json")
    assert "Choose the site the patient history belongs to." in response.content.decode()
    response = _upload(nurse_client, json.dumps(history), kind="history_json", site=other_site.pk)
    assert "Select a valid choice" in response.content.decode()
    assert not Patient.objects.exists()


def test_an_upload_waits_only_so_long(ready: Patient, nurse_client: Client, settings: Any) -> None:
    preview = _upload(nurse_client, results_csv(ROWS))
    settings.IMPORT_PENDING_SECONDS = -1
    assert "No file is waiting" in nurse_client.get(PREVIEW).content.decode()
    response = _confirm(nurse_client, preview)
    assert "Nothing was written" in response.content.decode()
    assert not DexaScan.objects.exists()


def test_vitamin_d3_codes_in_either_unit_are_25_oh_vitamin_d(
    ready: Patient, nurse_client: Client
) -> None:
    first = dict(_observation("1989-3", 30, "ng/mL"))
    later = _observation("14635-7", 74.88, "nmol/L", effective="2025-04-02")
    preview = _upload(nurse_client, _bundle(first, later), kind="fhir_bundle")
    _confirm(nurse_client, preview)
    values = sorted(
        LabResult.objects.filter(analyte="vitamin_d_25oh").values_list("sample_date", "value")
    )
    assert [value for _, value in values] == [30, 30]  # 74.88 nmol/L is 30 ng/mL


def test_a_history_is_read_with_the_limits_of_import_history(
    site: Site, nurse_client: Client
) -> None:
    text = '{"patient": {"mrn": "X1"}, "patient": {"mrn": "X2"}}'
    page = _upload(nurse_client, text, kind="history_json", site=site.pk).content.decode()
    assert "This file is refused" in page
    assert "patient: key appears twice" in page
    assert not Patient.objects.exists()
