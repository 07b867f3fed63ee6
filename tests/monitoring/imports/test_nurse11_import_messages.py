"""What the import pages say (nurse11 F14): an import that adds nothing says so (not "for 0
patients ... Each patient is reassessed"), an import that adds links to the patients it added to,
and a history's preview names its patient and counts in good English ("1 aromatase-inhibitor
course")."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from monitoring.models import DexaScan, LabResult
from patients.models import AromataseInhibitorCourse, Patient
from tests.factories import ScannerFactory
from tests.monitoring.imports.helpers import results_csv, snapshot, vignette

pytestmark = pytest.mark.django_db
ROWS = [
    {"mrn": "A1001", "date": "2025-03-01", "measure": "lumbar_spine", "value": "0.912",
     "scanner": "Lunar", "t_score": "-1.2"},
    {"mrn": "A1001", "date": "2025-03-02", "measure": "vitamin_d_25oh", "value": "62",
     "unit": "nmol/L"},
]  # fmt: skip


def _upload(client: Client, text: str, kind: str = "results_csv", **extra: Any) -> Any:
    name = "results.csv" if kind == "results_csv" else "history.json"
    return client.post(
        reverse("monitoring:import_upload"),
        {"kind": kind, "file": SimpleUploadedFile(name, text.encode()), **extra},
        follow=True,
    )


def _confirm(client: Client, preview: Any) -> Any:
    upload = preview.context["upload"]
    return client.post(
        reverse("monitoring:import_confirm"),
        {"token": upload.token, "sha256": upload.sha256},
        follow=True,
    )


def test_an_import_links_to_the_patient_it_added_to(nurse_client: Client, patient: Patient) -> None:
    ScannerFactory(site=patient.site, name="Lunar")
    done = _confirm(nurse_client, _upload(nurse_client, results_csv(ROWS))).content.decode()
    link = reverse("monitoring:patient", args=[patient.pk])
    assert (
        "results.csv imported: 1 DEXA scan and 1 lab result for 1 patient; 0 rows already "
        f'recorded. Added to <a href="{link}">Jane Example (A1001)</a>. The patient is reassessed.'
    ) in done
    assert DexaScan.objects.filter(patient=patient).count() == 1
    assert LabResult.objects.filter(patient=patient).count() == 1


def test_an_import_of_nothing_new_says_so(nurse_client: Client, patient: Patient) -> None:
    ScannerFactory(site=patient.site, name="Lunar")
    _confirm(nurse_client, _upload(nurse_client, results_csv(ROWS)))
    before = snapshot()

    preview = _upload(nurse_client, results_csv(ROWS))
    page = preview.content.decode()
    assert "Nothing new: all 2 rows are already recorded. Confirming writes nothing." in page
    assert "Confirming will add" not in page
    assert "0 patients" not in page
    done = _confirm(nurse_client, preview).content.decode()
    assert "results.csv: nothing new, all 2 rows are already recorded. Nothing was written." in done
    assert "0 patients" not in done
    assert "reassessed" not in done
    assert snapshot()[:3] == before[:3]  # no record (the audit trail notes the views)
    assert DexaScan.objects.filter(patient=patient).count() == 1


def test_a_history_preview_names_its_new_patient_and_counts_in_english(
    site: Site, nurse_client: Client
) -> None:
    ScannerFactory(site=site, name="S1")
    history = vignette("27-btm-adequate")
    history.pop("bone_therapy")
    history["patient"]["name"] = "Ada Lovelace"
    preview = _upload(nurse_client, json.dumps(history), kind="history_json", site=site.pk)
    page = preview.content.decode()
    born = history["patient"]["birth_date"]
    assert f"Ada Lovelace (new patient, born {born})" in page
    assert "1 aromatase-inhibitor course<" in page
    assert "courses" not in page
    assert not Patient.objects.filter(mrn="V27").exists()

    done = _confirm(nurse_client, preview).content.decode()
    patient = Patient.objects.get(mrn="V27", site=site)
    link = reverse("monitoring:patient", args=[patient.pk])
    assert (
        f'history.json: <a href="{link}">Ada Lovelace (V27)</a>: 1 aromatase-inhibitor course,'
        in (done)
    )
    assert AromataseInhibitorCourse.objects.filter(patient=patient).count() == 1
