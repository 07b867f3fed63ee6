"""Two confirms of one upload at once (a double click, two tabs) on two database connections:
exactly one writes; the other is shown the new preview and writes nothing."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from bonehealth.accounts.models import Site
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import DexaScan, LabResult
from patients.models import Patient
from tests.conftest import login
from tests.factories import PatientFactory, ScannerFactory, SiteFactory, UserFactory
from tests.monitoring.imports.helpers import results_csv, vignette
from tests.races import POSTGRESQL_ONLY, at_once

pytestmark = POSTGRESQL_ONLY

ROWS = [
    {"mrn": "A1001", "date": "2025-03-01", "measure": "lumbar_spine", "value": "0.912",
     "scanner": "Lunar", "t_score": "-1.2"},
    {"mrn": "A1001", "date": "2025-03-02", "measure": "ctx", "value": "0.4", "unit": "ng/mL",
     "fasting": "no"},
]  # fmt: skip


def test_two_confirms_at_once_write_once(roles: None) -> None:
    site: Site = SiteFactory(name="North General", code="north")
    patient = PatientFactory(site=site, mrn="A1001")
    ScannerFactory(site=site, name="Lunar")
    first = login(UserFactory(username="nurse", role="nurse", sites=[site]))
    upload = SimpleUploadedFile("r.csv", results_csv(ROWS).encode())
    preview = first.post(
        reverse("monitoring:import_upload"), {"kind": "results_csv", "file": upload}, follow=True
    )
    waiting = preview.context["upload"]
    second = Client()
    second.cookies = first.cookies  # the same session, as a second tab has
    data = {"token": waiting.token, "sha256": waiting.sha256}
    url = reverse("monitoring:import_confirm")

    responses = at_once([lambda: first.post(url, data), lambda: second.post(url, data)])

    assert sorted(r.status_code for r in responses) == [200, 302]
    loser = next(r for r in responses if r.status_code == 200)
    assert "The records changed since the preview" in loser.content.decode()
    assert DexaScan.objects.filter(patient=patient).count() == 1
    assert LabResult.objects.filter(patient=patient).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, patient=patient).count() == 1


def test_two_confirms_of_a_new_patients_history_at_once_import_once(roles: None) -> None:
    """The new patient's MRN is taken by the winner while the loser's dry run or write creates the
    same patient: the loser is told so (a 200 page), never a 500 (security7 F6)."""
    site: Site = SiteFactory(name="North General", code="north")
    ScannerFactory(site=site, name="S1")
    history = vignette("27-btm-adequate")
    history.pop("bone_therapy")
    nurse = UserFactory(username="nurse", role="nurse", sites=[site])
    first = login(nurse)
    upload = SimpleUploadedFile("history.json", json.dumps(history).encode())
    preview = first.post(
        reverse("monitoring:import_upload"),
        {"kind": "history_json", "site": site.pk, "file": upload},
        follow=True,
    )
    assert "new patient" in preview.content.decode()
    waiting = preview.context["upload"]
    second = Client()
    second.cookies = first.cookies  # the same session, as a second tab has
    data = {"token": waiting.token, "sha256": waiting.sha256}
    url = reverse("monitoring:import_confirm")

    responses = at_once([lambda: first.post(url, data), lambda: second.post(url, data)])

    assert sorted(r.status_code for r in responses) == [200, 302]
    loser = next(r for r in responses if r.status_code == 200).content.decode()
    assert (
        "MRN V27 is already registered at North General" in loser
        or "The records changed since the preview" in loser
    ), loser
    patient = Patient.objects.get(site=site, mrn="V27")
    assert Patient.objects.filter(mrn="V27").count() == 1
    assert LabResult.objects.filter(patient=patient).count() == 7
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, patient=patient).count() == 1
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, patient=patient)
    assert created.filter(object_type="patients.patient").count() == 1
    assert created.filter(object_type="monitoring.labresult").count() == 7
