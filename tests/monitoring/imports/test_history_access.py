"""Who may import a history, on the upload page and with `import_history` alike (sec9 F14, F13,
F10), and the audit row of every import preview (sec9 F3).

`import_history --actor` created patients and denosumab courses with overrides in the names of an
admin and of a nurse of another site, while the upload page refused both: the command now checks
exactly what the page checks (`history_upload.history_import_as`), and a refusal writes nothing,
audit rows included.
"""

import json
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse, BoneTherapyDose, LabResult, Scanner
from monitoring.records.imports.files import FileRefusedError
from monitoring.records.imports.history_upload import history_preview
from patients.models import Patient
from tests.conftest import login
from tests.factories import LabResultFactory, PatientFactory, ScannerFactory, UserFactory
from tests.monitoring.imports.helpers import preview_views, results_csv, vignette
from tests.monitoring.imports.test_history_import_safety import (
    REASON,
    _zoledronic_without_dental_review,
)
from tests.monitoring.imports.test_import_pages import PREVIEW, _confirm, _upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanner(site: Site) -> Scanner:
    return ScannerFactory(site=site, name="S1")


def _file(tmp_path: Path, history: dict[str, Any]) -> str:
    path = tmp_path / "history.json"
    path.write_text(json.dumps(history))
    return str(path)


def _command(*argv: str) -> tuple[int, str, str]:
    """Run import_history; return (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_history", *argv, stdout=out, stderr=err)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _nothing_written() -> None:
    assert not Patient.objects.exists()
    assert not BoneTherapyCourse.objects.exists()
    assert not LabResult.objects.exists()
    assert not AuditEvent.objects.exists()


def _no_therapy() -> dict[str, Any]:
    history = vignette("27-btm-adequate")
    history.pop("bone_therapy")
    return history


@pytest.mark.usefixtures("scanner")
class TestCommandActor:
    def test_an_admin_is_refused_before_any_file_is_read(
        self, admin_user: User, tmp_path: Path
    ) -> None:
        path = _file(tmp_path, _zoledronic_without_dental_review())
        with pytest.raises(CommandError, match="admin may not import records") as caught:
            _command("--actor", "admin", "--site", "north", "--override-reason", REASON, path)
        assert caught.value.returncode == 2
        _nothing_written()

    def test_a_nurse_of_another_site_is_refused_its_patients(
        self, site: Site, other_site: Site, tmp_path: Path
    ) -> None:
        UserFactory(username="nurse.elsewhere", role="nurse", sites=[other_site])
        path = _file(tmp_path, _no_therapy())
        with pytest.raises(
            CommandError, match=r"--site: nurse\.elsewhere works at no site named 'north'"
        ) as caught:
            _command("--actor", "nurse.elsewhere", "--site", "north", path)
        assert caught.value.returncode == 2
        _nothing_written()

        # The site named by the file itself, and a patient of that site already recorded.
        history = _no_therapy()
        history["patient"]["site"] = "north"
        recorded = PatientFactory(
            site=site, mrn="V27", birth_date="1961-09-15", sex="F", name="Recorded Name"
        )
        status, out, err = _command("--actor", "nurse.elsewhere", _file(tmp_path, history))
        assert status == 2
        assert "patient.site: no site named 'north' among your sites" in err
        assert "Recorded" not in err
        assert len(err.splitlines()) == 1
        assert "0 of 1 files imported" in out
        assert not LabResult.objects.filter(patient=recorded).exists()
        assert not AuditEvent.objects.exists()
        assert list(Patient.objects.all()) == [recorded]

    def test_a_nurse_may_not_start_therapy_with_an_override(
        self, nurse: User, physician: User, tmp_path: Path
    ) -> None:
        path = _file(tmp_path, _zoledronic_without_dental_review())
        argv = ("--site", "north", "--override-reason", REASON, path)
        status, _, err = _command("--actor", "nurse", *argv)
        assert status == 2
        assert (
            "the file would create bone-protective therapy courses, which your role does not "
            "record" in err
        )
        _nothing_written()

        # The physician may (the file's two overrides audited in their name).
        assert _command("--actor", "physician", *argv)[0] == 0
        course = BoneTherapyCourse.objects.get()
        assert course.patient.created_by == physician
        overridden = AuditEvent.objects.filter(changes__safety_override__reason=REASON)
        assert {(e.actor_id, e.username) for e in overridden} == {(physician.pk, "physician")}
        assert overridden.count() == 2

    def test_overriding_a_start_needs_the_therapy_forms_permission(
        self, site: Site, tmp_path: Path
    ) -> None:
        """One who may add a course record but not decide therapy (manage_bone_therapy) may not
        override its failed checks: the therapy form would not let them."""
        user = UserFactory(username="recorder", role="nurse", sites=[site])
        user.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="monitoring", codename="add_bonetherapycourse"
            )
        )
        path = _file(tmp_path, _zoledronic_without_dental_review())
        status, _, err = _command(
            "--actor", "recorder", "--site", "north", "--override-reason", REASON, path
        )
        assert status == 2
        assert "override the failed pre-treatment checks of therapy starts" in err
        _nothing_written()

    def test_a_nurse_may_not_override_a_critical_check_of_a_dose(
        self, nurse: User, physician: User, tmp_path: Path
    ) -> None:
        """nurse11 F3: as on the dose form, a dose against a high or critical alert is a
        physician's override. The course and its first infusion are the physician's; the nurse's
        file adds the next infusion, on time, after a low calcium (HYPOCALCEMIA, critical)."""
        first = _zoledronic_without_dental_review()
        argv = ("--site", "north", "--override-reason", REASON)
        assert _command("--actor", "physician", *argv, _file(tmp_path, first))[0] == 0
        later = _zoledronic_without_dental_review()
        later["labs"].append(
            {"date": "2025-07-25", "analyte": "calcium", "value": 2.0, "unit": "mmol/L"}
        )
        later["bone_therapy"][0]["doses"].append("2025-08-01")
        path = _file(tmp_path, later)
        status, _, err = _command("--actor", "nurse", *argv, path)
        assert status == 2
        assert (
            "Zoledronic acid dose given on 2025-08-01: failed pre-treatment checks "
            "(Albumin-adjusted calcium); only a physician may override Albumin-adjusted calcium"
            in err
        )
        # The upload page's preview says so before the nurse gives a reason.
        with pytest.raises(FileRefusedError) as preview:
            history_preview(later, site=Site.objects.get(code="north"), actor=nurse)
        assert [problem.message for problem in preview.value.problems] == [
            "the file would override the failed pre-treatment checks of therapy doses given too "
            "early or against a high or critical alert, which your role does not"
        ]
        doses = BoneTherapyDose.objects.values_list("given_on", flat=True)
        assert list(doses) == [date(2025, 2, 1)]
        assert not LabResult.objects.filter(sample_date=date(2025, 7, 25)).exists()
        assert _command("--actor", "physician", *argv, path)[0] == 0
        dose = BoneTherapyDose.objects.get(given_on=date(2025, 8, 1))
        assert "calcium" in dose.safety_checks_failed

    def test_a_physician_imports_at_their_site(self, physician: User, tmp_path: Path) -> None:
        status, _, err = _command(
            "--actor", "physician", "--site", "north", _file(tmp_path, _no_therapy())
        )
        assert (status, err) == (0, "")
        patient = Patient.objects.get(mrn="V27")
        assert patient.created_by == physician
        assert LabResult.objects.filter(patient=patient).count() == 7


@pytest.mark.usefixtures("scanner")
class TestRecordLimit:
    """A history is bounded as a CSV or FHIR file is (IMPORT_MAX_ROWS): a 12,500-result file
    took 17 s to preview and its confirm hit the web server's 30 s timeout."""

    def test_the_preview_refuses_a_history_past_the_limit(
        self, site: Site, nurse: User, settings: Any
    ) -> None:
        settings.IMPORT_MAX_ROWS = 5
        client = login(nurse)
        page = _upload(client, json.dumps(_no_therapy()), kind="history_json", site=site.pk)
        text = page.content.decode()
        assert "the history holds 10 records" in text
        assert "at most 5 are accepted in one file" in text
        assert "Confirm the import" not in text
        assert not Patient.objects.exists()
        settings.IMPORT_MAX_ROWS = 10
        page = _upload(client, json.dumps(_no_therapy()), kind="history_json", site=site.pk)
        assert "Confirm the import" in page.content.decode()

    def test_the_command_refuses_it_unless_told_a_larger_limit(
        self, physician: User, tmp_path: Path, settings: Any
    ) -> None:
        settings.IMPORT_MAX_ROWS = 5
        path = _file(tmp_path, _no_therapy())
        status, _, err = _command("--actor", "physician", "--site", "north", path)
        assert status == 2
        assert "at most 5 are accepted in one file" in err
        _nothing_written()
        status, _, err = _command(
            "--actor", "physician", "--site", "north", "--max-records", "10", path
        )
        assert (status, err) == (0, "")
        assert LabResult.objects.count() == 7
        with pytest.raises(CommandError, match="--max-records: 0 is below 1"):
            _command("--actor", "physician", "--site", "north", "--max-records", "0", path)


def test_the_scanner_refusal_names_only_the_missing_scanners(
    site: Site, scanner: Scanner, nurse: User
) -> None:
    history = _no_therapy()
    history["scanners"] = {
        "S1": {"lsc": {"lumbar_spine": 0.05}},  # set up, with other LSC values: kept, noted
        "Evil Scanner": {"lsc": {"lumbar_spine": 0.03}},
    }
    extra = dict(history["dexa_scans"][0], date="2025-03-01", scanner="Evil Scanner")
    history["dexa_scans"].append(extra)
    page = _upload(login(nurse), json.dumps(history), kind="history_json", site=site.pk)
    text = page.content.decode()
    assert "scanners not set up at North General: Evil Scanner (an administrator" in text
    assert "Evil Scanner, S1" not in text
    assert list(Scanner.objects.all()) == [scanner]
    assert not Patient.objects.exists()


class TestPreviewAudit:
    """The preview shows each MRN's patient and what is recorded (a conflicting row quotes the
    recorded value): one audit row per preview shown names the patients it read."""

    @pytest.fixture
    def recorded(self, site: Site) -> tuple[Patient, Patient]:
        ScannerFactory(site=site, name="Lunar")
        first = PatientFactory(site=site, mrn="A1001", name="Jane Example")
        LabResultFactory(
            patient=first,
            sample_date="2026-04-01",
            analyte="vitamin_d_25oh",
            entered_value="38.8",
            value="96.9",
            entered_unit="ng/mL",
        )
        return first, PatientFactory(site=site, mrn="A1002", name="Eszter Zielinski")

    def test_a_refused_preview_quoting_a_record_is_audited(
        self,
        recorded: tuple[Patient, Patient],
        foreign_patient: Patient,
        nurse: User,
    ) -> None:
        first, second = recorded
        rows = [
            {"mrn": "A1001", "date": "2026-04-01", "measure": "vitamin_d_25oh", "value": "1",
             "unit": "ng/mL"},
            {"mrn": "A1002", "date": "2026-04-01", "measure": "calcium", "value": "2.3",
             "unit": "mmol/L"},
            {"mrn": foreign_patient.mrn, "date": "2026-04-01", "measure": "calcium",
             "value": "2.3", "unit": "mmol/L"},
        ]  # fmt: skip
        client = login(nurse)
        page = _upload(client, results_csv(rows)).content.decode()
        assert "differs from the recorded 25-OH vitamin D of 2026-04-01 (38.8 ng/mL" in page
        (event,) = preview_views()
        assert (event.action, event.actor_id, event.username) == (
            AuditAction.VIEW,
            nurse.pk,
            "nurse",
        )
        assert event.patient_id is None
        assert event.changes["patients"] == sorted([first.pk, second.pk])  # not the foreign one
        assert event.changes["kind"] == "results_csv"
        assert event.changes["file"] == "results.csv"
        assert len(event.changes["sha256"]) == 64
        assert event.changes["refused"] is True
        assert event.client_address == "127.0.0.1"
        assert LabResult.objects.count() == 1  # the preview wrote nothing else

        # Once per preview shown: opening it again is another view.
        client.get(PREVIEW)
        assert len(preview_views()) == 2

    def test_a_preview_and_its_confirm(
        self, recorded: tuple[Patient, Patient], nurse: User
    ) -> None:
        first, _ = recorded
        rows = [
            {"mrn": "A1001", "date": "2026-04-02", "measure": "calcium", "value": "2.3",
             "unit": "mmol/L"},
        ]  # fmt: skip
        client = login(nurse)
        preview = _upload(client, results_csv(rows))
        assert "Jane Example" in preview.content.decode()
        (event,) = preview_views()
        assert event.changes["patients"] == [first.pk]
        assert "refused" not in event.changes
        _confirm(client, preview)
        assert len(preview_views()) == 1  # the confirm writes the import's row, no view
        assert AuditEvent.objects.filter(action=AuditAction.IMPORT, patient=first).count() == 1

    def test_a_history_preview_names_the_recorded_patient(
        self, site: Site, scanner: Scanner, nurse: User
    ) -> None:
        recorded = PatientFactory(site=site, mrn="V27", birth_date="1961-09-15", sex="F")
        client: Client = login(nurse)
        _upload(client, json.dumps(_no_therapy()), kind="history_json", site=site.pk)
        (event,) = preview_views()
        assert event.changes["patients"] == [recorded.pk]
        assert event.changes["kind"] == "history_json"

        # A history refused for its identity (a birth date differing from the record) read the
        # record too.
        history = _no_therapy()
        history["patient"]["birth_date"] = "1960-01-01"
        page = _upload(client, json.dumps(history), kind="history_json", site=site.pk)
        assert "differs from the birth date recorded for MRN V27" in page.content.decode()
        assert preview_views()[-1].changes["patients"] == [recorded.pk]
        assert preview_views()[-1].changes["refused"] is True
        assert LabResult.objects.count() == 0
