"""A history import passes the pre-treatment gate too (issue 17): a course start or dose whose
checks fail, as of its own day, needs one reason for the file; without it nothing is written, with
it the audit row of each such record keeps the reason as its override."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from monitoring.records.history_import import SafetyOverrideRequiredError, history_import
from patients.models import Patient
from tests.conftest import login
from tests.factories import ScannerFactory
from tests.monitoring.imports.helpers import snapshot, vignette
from tests.monitoring.imports.test_import_pages import _confirm, _upload

pytestmark = pytest.mark.django_db
REASON = "infusion given in another hospital; dental review there"


def _zoledronic_without_dental_review() -> dict[str, Any]:
    """Vignette 27 with zoledronic acid started and given on 2025-02-01, no dental review: the
    DENTAL check fails for the start and for the dose."""
    history = vignette("27-btm-adequate")
    history["bone_therapy"] = [
        {
            "drug": "zoledronic_acid",
            "start_date": "2025-02-01",
            "stop_date": None,
            "doses": ["2025-02-01"],
        }
    ]
    return history


@pytest.fixture
def scanner(site: Site) -> None:
    ScannerFactory(site=site, name="S1")


def _overrides() -> dict[str, dict[str, Any]]:
    return {
        event.object_type: event.changes["safety_override"]
        for event in AuditEvent.objects.filter(action=AuditAction.CREATE)
        if "safety_override" in event.changes
    }


def _nothing_written(before: tuple[int, ...]) -> None:
    assert snapshot() == before
    assert not Patient.objects.exists()
    assert not BoneTherapyCourse.objects.exists()
    written = [AuditAction.CREATE, AuditAction.CHANGE, AuditAction.IMPORT]
    assert not AuditEvent.objects.filter(action__in=written).exists()  # a login's row is not


@pytest.mark.usefixtures("scanner")
class TestService:
    def test_refused_without_a_reason_writing_nothing(self, site: Site) -> None:
        before = snapshot()
        with pytest.raises(SafetyOverrideRequiredError) as refused:
            history_import(data=_zoledronic_without_dental_review(), site=site)
        assert [error.split(":")[0] for error in refused.value.errors] == [
            "bone_therapy[0]",
            "bone_therapy[0].doses[0]",
        ]
        assert "Dental review" in refused.value.errors[0]
        assert "started on 2025-02-01" in refused.value.errors[0]
        _nothing_written(before)

    def test_a_blank_reason_is_no_reason(self, site: Site) -> None:
        before = snapshot()
        with pytest.raises(SafetyOverrideRequiredError):
            history_import(data=_zoledronic_without_dental_review(), site=site, override_reason=" ")
        _nothing_written(before)

    def test_with_a_reason_each_failing_record_audits_it(self, site: Site) -> None:
        report = history_import(
            data=_zoledronic_without_dental_review(), site=site, override_reason=REASON
        )
        assert len(report.failed_checks) == 2
        overrides = _overrides()
        assert set(overrides) == {"monitoring.bonetherapycourse", "monitoring.bonetherapydose"}
        for override in overrides.values():
            assert override["reason"] == REASON
            assert override["as_of"] == "2025-02-01"  # judged on the day, not today
            assert "dental" in {check["check"] for check in override["failed_checks"]}
        assert BoneTherapyDose.objects.count() == 1

    def test_a_course_passing_its_checks_needs_no_reason(self, site: Site) -> None:
        report = history_import(data=vignette("27-btm-adequate"), site=site)
        assert report.failed_checks == []
        assert BoneTherapyCourse.objects.count() == 1
        assert _overrides() == {}


@pytest.mark.usefixtures("scanner")
class TestCommand:
    def _run(self, path: Path, *more: str) -> int:
        try:
            call_command(
                "import_history",
                "--actor",
                "physician",
                "--site",
                "north",
                *more,
                str(path),
                stdout=StringIO(),
                stderr=StringIO(),
            )
        except SystemExit as stop:
            return int(stop.code or 0)
        return 0

    def test_exits_2_writing_nothing_without_override_reason(
        self, physician: User, tmp_path: Path
    ) -> None:
        path = tmp_path / "history.json"
        path.write_text(json.dumps(_zoledronic_without_dental_review()))
        before = snapshot()
        assert self._run(path) == 2
        _nothing_written(before)

    def test_imports_and_audits_the_reason_with_it(self, physician: User, tmp_path: Path) -> None:
        path = tmp_path / "history.json"
        path.write_text(json.dumps(_zoledronic_without_dental_review()))
        assert self._run(path, "--override-reason", REASON) == 0
        assert {o["reason"] for o in _overrides().values()} == {REASON}
        assert len(_overrides()) == 2


@pytest.mark.usefixtures("scanner")
class TestUpload:
    def test_the_preview_lists_the_failed_checks_and_the_confirm_needs_a_reason(
        self, site: Site, physician: User
    ) -> None:
        client: Client = login(physician)
        text = json.dumps(_zoledronic_without_dental_review())
        before = snapshot()
        preview = _upload(client, text, kind="history_json", site=site.pk)
        page = preview.content.decode()
        assert 'id="import-failed-checks"' in page
        assert "bone_therapy[0].doses[0]: Zoledronic acid dose given on 2025-02-01" in page
        assert 'name="override_reason"' in page

        refused = _confirm(client, preview, override_reason="  ")
        assert "Give the reason" in refused.content.decode()
        _nothing_written(before)

        done = _confirm(client, refused, override_reason=REASON)
        assert ">V27</a>:" in done.content.decode()  # the message links to the patient
        assert {o["reason"] for o in _overrides().values()} == {REASON}
        assert len(_overrides()) == 2
        event = AuditEvent.objects.get(action=AuditAction.IMPORT)
        assert event.changes["safety_override"]["reason"] == REASON
        assert len(event.changes["safety_override"]["records"]) == 2

    def test_a_file_passing_its_checks_asks_no_reason(self, site: Site, physician: User) -> None:
        client: Client = login(physician)
        preview = _upload(
            client, json.dumps(vignette("27-btm-adequate")), kind="history_json", site=site.pk
        )
        assert 'name="override_reason"' not in preview.content.decode()
        _confirm(client, preview)
        assert BoneTherapyCourse.objects.count() == 1
