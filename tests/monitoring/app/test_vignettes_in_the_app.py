"""Each vignette, imported and reassessed, gives the alerts that `manage.py assess` gives.

Also: exporting a patient and importing the export elsewhere reproduces the same assessment.
"""

import dataclasses
import json
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from bonehealth.accounts.models import Site
from monitoring.models import Alert, PatientAssessment, ScheduledItem
from patients.models import Patient
from tests.factories import UserFactory
from tests.monitoring.domain.test_vignettes import NAMES, VIGNETTES

pytestmark = pytest.mark.django_db
IMPORT = [
    "--actor",
    "importer",
    "--site",
    "north",
    "--override-reason",
    "test data: checks not under test",
]


def _assess_cli(path: Path) -> dict:  # type: ignore[type-arg]
    out = StringIO()
    call_command("assess", str(path), stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def vignette_site(db: None) -> Site:
    site = Site.objects.create(name="North General", code="north")
    # The commands' --actor; export_history reads only the patients of the actor's sites, and
    # import_history imports only what the actor records: a physician's courses, and the
    # vignettes' scanners, which an administrator sets up (granted here).
    importer = UserFactory(username="importer", role="physician", sites=[site])
    importer.user_permissions.add(
        Permission.objects.get(content_type__app_label="monitoring", codename="add_scanner")
    )
    return site


@pytest.mark.parametrize("name", NAMES)
def test_imported_vignette_gives_the_same_alerts_as_assess(vignette_site: Site, name: str) -> None:
    path = VIGNETTES / f"{name}.history.json"
    expected = _assess_cli(path)
    as_of = json.loads(path.read_text())["as_of"]
    call_command("import_history", *IMPORT, str(path), stdout=StringIO())
    call_command("reassess_all", "--as-of", as_of, "--no-progress", stdout=StringIO())

    patient = Patient.objects.get()
    stored = {
        (a.code, a.severity, a.site or None)
        for a in Alert.objects.filter(patient=patient, cleared_at__isnull=True)
    }
    assert stored == {(a["code"], a["severity"], a["site"]) for a in expected["alerts"]}
    assessment = PatientAssessment.objects.get(patient=patient)
    assert assessment.data == expected
    assert {(s.item, s.due.isoformat()) for s in ScheduledItem.objects.filter(patient=patient)} == {
        (s["item"], s["due"]) for s in expected["schedule"]
    }


@pytest.mark.parametrize("name", NAMES)
def test_export_then_import_reproduces_the_assessment(vignette_site: Site, name: str) -> None:
    path = VIGNETTES / f"{name}.history.json"
    as_of = json.loads(path.read_text())["as_of"]
    call_command("import_history", *IMPORT, str(path), stdout=StringIO())
    out = StringIO()
    mrn = Patient.objects.get().mrn
    call_command("export_history", "--actor", "importer", mrn, stdout=out)
    exported = json.loads(out.getvalue())
    again = dict(exported, as_of=as_of)

    other = Site.objects.create(name="Elsewhere", code="elsewhere")
    from monitoring.records.history_import import history_import

    history_import(data=again, site=other, override_reason="test data")
    from monitoring.assessment.refresh import assessments_refresh

    assessments_refresh(
        Patient.objects.values_list("pk", flat=True), as_of=date.fromisoformat(as_of)
    )
    first, second = (
        PatientAssessment.objects.get(patient__site=site).data for site in (vignette_site, other)
    )
    assert first == second


def test_importing_the_same_file_twice_changes_nothing(vignette_site: Site) -> None:
    path = VIGNETTES / "69-denosumab-egfr-25-zoledronic-planned.history.json"
    call_command("import_history", *IMPORT, str(path), stdout=StringIO())
    from bonehealth.audit.models import AuditEvent

    events = AuditEvent.objects.count()
    out = StringIO()
    call_command("import_history", *IMPORT, str(path), stdout=out)
    assert AuditEvent.objects.count() == events
    assert "nothing new" in out.getvalue()


def test_same_named_scanners_of_two_sites_stay_apart_in_assessment_and_export(
    vignette_site: Site,
) -> None:
    from monitoring.assessment.history import build_history
    from monitoring.assessment.history_document import history_json
    from monitoring.models import DexaMeasurement
    from monitoring.records.selectors import patients_with_records
    from tests.factories import DexaScanFactory, PatientFactory, ScannerFactory

    other = Site.objects.create(name="Elsewhere", code="elsewhere")
    patient = PatientFactory(site=vignette_site)
    here = ScannerFactory(site=vignette_site, name="Lunar")
    there = ScannerFactory(site=other, name="Lunar")
    DexaScanFactory(patient=patient, scanner=there, scan_date=date(2024, 1, 10))
    DexaScanFactory(patient=patient, scanner=here, scan_date=date(2025, 1, 10))
    assert DexaMeasurement.objects.count() == 6

    history = build_history(patient)
    assert [scan.scanner for scan in history.dexa_scans] == ["Lunar [elsewhere]", "Lunar [north]"]
    exported = history_json(patients_with_records([patient.pk]).get())
    assert [scan["scanner"] for scan in exported["dexa_scans"]] == [
        "Lunar [elsewhere]",
        "Lunar [north]",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_the_patient_pages_history_equals_the_reassessments(vignette_site: Site, name: str) -> None:
    """The patient page reads the history from its loaded records, reassessment from the columns:
    both must give the same `History`."""
    from monitoring.assessment.history import build_history
    from monitoring.assessment.history_document import history_from_records
    from monitoring.records.selectors import patients_with_records

    path = VIGNETTES / f"{name}.history.json"
    call_command("import_history", *IMPORT, str(path), stdout=StringIO())
    patient = Patient.objects.get()
    loaded = history_from_records(patients_with_records([patient.pk]).get())
    assert _same_history(loaded, build_history(patient))


def test_the_patient_pages_history_equals_the_reassessments_for_the_showcase() -> None:
    from monitoring.assessment.history import build_history
    from monitoring.assessment.history_document import history_from_records
    from monitoring.records.selectors import patients_with_records

    call_command("seed_demo", "--patients", "5", "--no-progress", stdout=StringIO())
    patients = patients_with_records(Patient.objects.values_list("pk", flat=True))
    assert len(patients) > 17
    for patient in patients:
        assert _same_history(history_from_records(patient), build_history(patient)), patient.mrn


def _same_history(a: Any, b: Any) -> bool:
    """Equal, but that the export leaves out scanners with no LSC of their own (the rules then
    use the default LSC, as for a scanner with an empty one)."""

    def with_lsc(history: Any) -> Any:
        scanners = {name: s for name, s in history.scanners.items() if s.lsc}
        return dataclasses.replace(history, scanners=scanners)

    return bool(with_lsc(a) == with_lsc(b))
