"""nurse14 #7: the patient-history files the exports write carry what the record holds, and the
import reads it back. A scan's trabecular bone score and the total calcium and albumin a calcium
was worked out from were dropped (the export page presents the files as full histories); now a
history exported (cohort zip, export_history) and imported into a database without the patient
gives the same record."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from monitoring import domain
from monitoring.assessment.history_document import history_json
from monitoring.models import DexaScan, LabResult
from monitoring.records.history_import import HistoryImportError, history_import
from monitoring.records.selectors import patient_with_records
from patients.models import Patient
from tests.conftest import login
from tests.factories import PatientFactory, ScannerFactory
from tests.html_forms import posted_data, visible_text
from tests.monitoring.imports.test_import_pages import _confirm, _upload

pytestmark = pytest.mark.django_db

SCANNED = (timezone.localdate() - timedelta(days=12)).isoformat()
SAMPLED = (timezone.localdate() - timedelta(days=3)).isoformat()


class _Rollback(Exception):
    """Leaves the block that recorded and exported the patient: the database is as before."""


def _record(client: Client, patient: Patient, scanner_pk: int) -> None:
    """A scan with its TBS, and a calcium entered as total calcium with its albumin, on the
    forms a nurse uses."""
    scan = client.post(
        reverse("monitoring:scan_create", args=[patient.pk]),
        {
            "scan_date": SCANNED,
            "scanner": scanner_pk,
            "trabecular_bone_score": "1.30",
            "vertebral_fracture_assessment": "no_fracture",
            "lumbar_spine_bmd": "0.950",
            "lumbar_spine_t_score": "-0.8",
            "total_hip_bmd": "0.850",
            "total_hip_t_score": "-0.9",
        },
    )
    assert scan.status_code == 302, visible_text(scan.content.decode())
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = posted_data(client.get(url).text, having="sample_date")
    labs = client.post(
        url,
        {
            **data,
            "sample_date": SAMPLED,
            "total_calcium": "2.10",
            "total_calcium_unit": "mmol/L",
            "albumin": "32",
            "albumin_unit": "g/L",
        },
    )
    assert labs.status_code == 302, visible_text(labs.content.decode())


def _zip_history(client: Client) -> dict[str, Any]:
    response = client.post(
        reverse("monitoring:cohort_export"), {"follow_up": "active", "format": "zip"}
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    (name,) = archive.namelist()
    data: dict[str, Any] = json.loads(archive.read(name))
    return data


def test_tbs_and_total_calcium_round_trip_into_a_database_without_the_patient(
    site: Site, nurse: User
) -> None:
    scanner = ScannerFactory(site=site, name="Lunar iDXA")  # the site's set-up, kept
    try:
        with transaction.atomic():
            patient = PatientFactory(site=site, mrn="NB-14-001", name="Margaret O'Brien")
            client = login(nurse)
            _record(client, patient, scanner.pk)
            exported = _zip_history(client)
            out = io.StringIO()
            call_command("export_history", patient.mrn, "--actor", nurse.username, stdout=out)
            assert json.loads(out.getvalue()) == exported
            raise _Rollback
    except _Rollback:
        pass
    assert not Patient.objects.exists()
    assert not DexaScan.objects.exists()
    assert not LabResult.objects.exists()

    (scan,) = exported["dexa_scans"]
    assert scan["trabecular_bone_score"] == 1.3
    (calcium,) = exported["labs"]
    assert {
        k: calcium[k] for k in ("value", "unit", "total_calcium", "albumin", "albumin_unit")
    } == {
        "value": 2.26,
        "unit": "mmol/L",
        "total_calcium": 2.1,
        "albumin": 32,
        "albumin_unit": "g/L",
    }

    client = login(nurse)  # the session went with the rollback
    preview = _upload(client, json.dumps(exported), kind="history_json", site=site.pk)
    assert "Confirm the import" in preview.content.decode()
    _confirm(client, preview)
    imported = Patient.objects.get(mrn="NB-14-001")
    assert history_json(patient_with_records(imported.pk)) == exported
    scan_row = DexaScan.objects.get(patient=imported)
    assert scan_row.trabecular_bone_score == Decimal("1.300")
    lab = LabResult.objects.get(patient=imported)
    assert (lab.entered_value, lab.total_calcium, lab.albumin, lab.albumin_unit) == (
        Decimal("2.26"),
        Decimal("2.1"),
        Decimal(32),
        "g/L",
    )
    assert lab.adjusted_from_words() == "adjusted from total 2.1, albumin 32 g/L"

    again = _upload(client, json.dumps(exported), kind="history_json", site=site.pk)
    assert "Nothing new: the record has all of it." in visible_text(again.content.decode())


def _history(**scan: Any) -> dict[str, Any]:
    return {
        "patient": {"mrn": "T1", "sex": "F", "birth_date": "1958-04-12"},
        "dexa_scans": [
            {
                "date": "2025-01-20",
                "scanner": "S1",
                "sites": {"lumbar_spine": {"bmd": 0.9, "t_score": -1.0}},
                **scan,
            }
        ],
    }


def _lab(**lab: Any) -> dict[str, Any]:
    return {
        "patient": {"mrn": "T1", "sex": "F", "birth_date": "1958-04-12"},
        "labs": [
            {
                "date": "2025-01-20",
                "analyte": "calcium",
                "value": 2.3,
                "unit": "mmol/L",
                **lab,
            }
        ],
    }


SOURCE = {"total_calcium": 2.1, "albumin": 30, "albumin_unit": "g/L"}
VITAMIN_D_WITH_SOURCE = {
    **_lab(),
    "labs": [{"date": "2025-01-20", "analyte": "vitamin_d_25oh", "value": 30, "unit": "ng/mL"}],
}
VITAMIN_D_WITH_SOURCE["labs"][0].update(SOURCE)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            _history(trabecular_bone_score=2.5),
            "dexa_scans[0].trabecular_bone_score: 2.5 is outside",
        ),
        (
            _history(trabecular_bone_score=1.3051),
            "dexa_scans[0].trabecular_bone_score: 1.3051 has more than 3 decimal places",
        ),
        (
            _lab(total_calcium=2.1, albumin=30),
            "labs[0].albumin_unit: is required: total_calcium, albumin and albumin_unit come "
            "together",
        ),
        (
            _lab(**SOURCE, value=2.4),
            "labs[0].value: 2.4 mmol/L is not the adjusted calcium worked out from total calcium "
            "2.1 mmol/L and albumin 30 g/L (2.30 mmol/L)",
        ),
        (_lab(**{**SOURCE, "albumin_unit": "mg/L"}), "labs[0].albumin_unit: 'mg/L' is not one"),
        (_lab(**{**SOURCE, "albumin": 90}), "labs[0].albumin: 90 g/L is not plausible"),
        (
            _lab(**{**SOURCE, "albumin": 30.125}),
            "labs[0].albumin: 30.125 has more than 2 decimal places",
        ),
        (
            VITAMIN_D_WITH_SOURCE,
            "labs[0].total_calcium: only a calcium is worked out from a total calcium and an "
            "albumin",
        ),
    ],
)
def test_the_format_refuses_what_the_forms_refuse(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(domain.HistoryError) as refused:
        domain.parse_history(data)
    assert str(refused.value).startswith(problem), str(refused.value)


def test_a_file_without_them_leaves_the_recorded_ones_alone_and_a_different_one_conflicts(
    site: Site,
) -> None:
    """As the VFA result: an export made before they were carried imports again unchanged."""
    ScannerFactory(site=site, name="S1")
    history_import(data=_history(trabecular_bone_score=1.3), site=site)
    history_import(data=_lab(**SOURCE), site=site)
    assert not history_import(data=_history(), site=site).changed
    assert not history_import(data=_lab(), site=site).changed
    with pytest.raises(HistoryImportError, match=r"dexa_scans\[0\]: conflicts with the scan"):
        history_import(data=_history(trabecular_bone_score=1.25), site=site)
    with pytest.raises(HistoryImportError, match=r"labs\[0\]: conflicts with the calcium"):
        history_import(data=_lab(**{**SOURCE, "total_calcium": 2.2, "albumin": 35}), site=site)


def test_the_nurses_pages_name_no_command(nurse_client: Client) -> None:
    """nurse14 #11: the import and export pages spoke of `export_history` and `import_history`,
    commands a nurse never sees; they name the pages that write and read the files."""
    upload = visible_text(nurse_client.get(reverse("monitoring:import_upload")).content.decode())
    export = visible_text(nurse_client.get(reverse("monitoring:cohort_export")).content.decode())
    for page in (upload, export):
        assert "import_history" not in page
        assert "export_history" not in page
    assert "Patient history (JSON, as Export a cohort writes it)" in upload
    assert "as Export a cohort writes them (one file per patient in its zip)" in upload
    assert "which the Import page reads back" in export
    assert "lab results (a calcium with the total calcium and albumin it was worked out from)" in (
        export
    )


def test_lists_given_as_null_are_none(site: Site) -> None:
    """The format reads a key given as null as absent: the import read the file's raw scans and
    labs beside the parsed ones, and a null list crashed it (a server error on the upload page)."""
    data = {
        "patient": {"mrn": "T9", "sex": "F", "birth_date": "1958-04-12"},
        "dexa_scans": None,
        "labs": None,
    }
    assert history_import(data=data, site=site).patient_created
