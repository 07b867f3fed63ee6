"""`export_history` and `import_history` name the user running them (--actor) and the host in
their audit rows; without a valid --actor they refuse (one line, exit 2) and write nothing."""

import json
import socket
from pathlib import Path

import pytest
from django.test import override_settings

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.commands import DEMO_ACTOR
from patients.models import Patient
from tests.factories import ScannerFactory, UserFactory
from tests.test_commands import manage

pytestmark = pytest.mark.django_db


def _history_file(tmp_path: Path) -> Path:
    from tests.monitoring.test_bad_history_files import _good_text

    path = tmp_path / "history.json"
    path.write_text(_good_text())
    return path


def test_export_history_audits_one_export_naming_actor_host_and_patient(
    patient: Patient,
    nurse: User,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    status, out, err = manage(
        ["export_history", "--actor", "nurse", patient.mrn], capsys, monkeypatch
    )
    assert (status, err) == (0, "")
    assert json.loads(out)["patient"]["mrn"] == patient.mrn
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.username) == (AuditAction.EXPORT, nurse.pk, "nurse")
    assert event.changes["host"] == socket.gethostname()
    assert event.changes["patients"] == [patient.pk]


@pytest.mark.parametrize("actor", [[], ["--actor", "nobody"], ["--actor", "retired"]])
def test_export_history_without_an_active_actor_is_refused_and_writes_nothing(
    patient: Patient,
    actor: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    UserFactory(username="retired", is_active=False)
    status, out, err = manage(["export_history", *actor, patient.mrn], capsys, monkeypatch)
    assert (status, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert "--actor" in err
    assert not AuditEvent.objects.exists()


@override_settings(DEBUG=True)
def test_a_debug_demo_install_defaults_to_the_demo_actor(
    patient: Patient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, _ = manage(["export_history", patient.mrn], capsys, monkeypatch)
    assert status == 0
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.username) == (None, DEMO_ACTOR)


def test_import_history_audits_its_rows_with_actor_and_host(
    site: Site,
    physician: User,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ScannerFactory(site=site, name="Lunar")  # set up by an administrator, as the file needs
    path = _history_file(tmp_path)
    status, _, err = manage(
        [
            "import_history",
            "--actor",
            "physician",
            "--site",
            "north",
            "--override-reason",
            "test data: checks not under test",
            str(path),
        ],
        capsys,
        monkeypatch,
    )
    assert (status, err) == (0, "")
    events = list(AuditEvent.objects.all())
    assert events
    assert {(e.action, e.actor_id, e.username) for e in events} == {
        (AuditAction.CREATE, physician.pk, "physician")
    }
    assert {e.changes["host"] for e in events} == {socket.gethostname()}


def test_import_history_without_actor_is_refused_and_writes_nothing(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _history_file(tmp_path)
    status, out, err = manage(["import_history", "--site", "north", str(path)], capsys, monkeypatch)
    assert (status, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert not Patient.objects.exists()
    assert not AuditEvent.objects.exists()
