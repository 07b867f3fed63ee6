"""A JSON upload nested deeper than its kind allows is refused at upload, next to the file field.

json.loads recurses once per level, so `[[[...]]]` of a few hundred kilobytes raised RecursionError
in the FHIR reader and the preview answered 500 for as long as the file waited (security7 F1).
"""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from monitoring.domain.document import MAX_DEPTH as HISTORY_MAX_DEPTH
from monitoring.records.imports import fhir
from monitoring.records.imports.files import FileRefusedError
from monitoring.records.imports.pending import SESSION_KEY
from patients.models import Patient
from tests.monitoring.imports.helpers import snapshot

pytestmark = pytest.mark.django_db
UPLOAD = reverse("monitoring:import_upload")
PREVIEW = reverse("monitoring:import_preview")
DEEP = "[" * 100_000 + "]" * 100_000  # 200 kB, well under the size limit


def _upload(client: Client, text: str, kind: str, **extra: Any) -> Any:
    file = SimpleUploadedFile("deep.json", text.encode())
    return client.post(UPLOAD, {"kind": kind, "file": file, **extra})


@pytest.mark.parametrize(
    ("kind", "limit"), [("fhir_bundle", fhir.MAX_DEPTH), ("history_json", HISTORY_MAX_DEPTH)]
)
def test_a_deeply_nested_file_is_refused_at_upload_and_nothing_waits(
    site: Site, patient: Patient, nurse_client: Client, kind: str, limit: int
) -> None:
    before = snapshot()
    response = _upload(nurse_client, DEEP, kind, site=site.pk)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [f"nested deeper than {limit} levels"]
    assert f"nested deeper than {limit} levels" in response.text
    assert SESSION_KEY not in nurse_client.session
    preview = nurse_client.get(PREVIEW)
    assert preview.status_code == 200
    assert "No file is waiting" in preview.text
    assert "is waiting for your confirmation" not in nurse_client.get(UPLOAD).text
    assert snapshot() == before
    assert Patient.objects.count() == 1


def test_a_file_at_the_limit_is_not_refused_for_its_depth(site: Site, nurse_client: Client) -> None:
    bundle = '{"resourceType": "Bundle", "entry": []}'
    nested = "[" * (fhir.MAX_DEPTH - 1) + "]" * (fhir.MAX_DEPTH - 1)
    text = bundle.replace("[]", nested)
    response = _upload(nurse_client, text, "fhir_bundle")
    assert response.status_code == 302
    assert SESSION_KEY in nurse_client.session


def test_the_fhir_reader_refuses_a_deep_bundle_itself() -> None:
    # A file stored before the upload refused such files still previews as a refused file.
    with pytest.raises(FileRefusedError, match=f"nested deeper than {fhir.MAX_DEPTH} levels"):
        fhir.fhir_read(DEEP)
