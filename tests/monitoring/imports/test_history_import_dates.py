"""Security test 8 (N6, N3, N4): an imported history is held to its entry forms' rules.

N6: a date the forms refuse in the future (scan, lab, FRAX, dose, dental review, stop, fracture)
is refused in the preview, one line each, and nothing of the file is saved. N3: a future
`plan.set_on` is refused too, and the preview says the plan is recorded as set today. N4: an
import that changes the supplements writes the change row the supplements form writes."""

import html
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import (
    BoneTherapyCourse,
    DexaScan,
    FraxResult,
    LabResult,
    MonitoringPlan,
    Supplements,
)
from patients.models import Patient
from tests.conftest import login
from tests.factories import ScannerFactory
from tests.monitoring.imports.helpers import vignette
from tests.monitoring.imports.test_import_pages import _confirm, _upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()
NEXT_YEAR = (TODAY + timedelta(days=400)).isoformat()


@pytest.fixture
def client_(site: Site, physician: User) -> Client:
    ScannerFactory(site=site, name="S1")
    return login(physician)


def _history(**changes: Any) -> dict[str, Any]:
    history = vignette("01-baseline-normal-vitd-30")
    history.pop("as_of")
    history.update(changes)
    return history


def _preview(client: Client, site: Site, history: dict[str, Any]) -> Any:
    return _upload(client, json.dumps(history), kind="history_json", site=site.pk)


def _nothing_saved() -> None:
    assert not Patient.objects.exists()
    for model in (DexaScan, LabResult, FraxResult, BoneTherapyCourse, MonitoringPlan):
        assert not model.objects.exists()
    written = [AuditAction.CREATE, AuditAction.CHANGE, AuditAction.IMPORT]
    assert not AuditEvent.objects.filter(action__in=written).exists()


def test_future_dates_the_forms_refuse_are_refused_one_line_each(
    site: Site, client_: Client
) -> None:
    history = _history()
    history["dexa_scans"][0]["date"] = NEXT_YEAR
    history["labs"][0]["date"] = NEXT_YEAR
    history["frax"][0]["date"] = TOMORROW
    history["patient"]["risk_factors"]["prior_fracture_date"] = TOMORROW
    history["bone_therapy"] = [
        {
            "drug": "alendronate",
            "start_date": "2025-05-20",
            "stop_date": None,
            "dental_review_date": NEXT_YEAR,
            "doses": [TOMORROW],
        }
    ]
    history["plan"] = {"next_dexa_due": NEXT_YEAR, "reason": "typo", "set_on": NEXT_YEAR}
    page = _preview(client_, site, history).content.decode()
    for line in (
        f"dexa_scans[0].date: {NEXT_YEAR} is after today; the scan date cannot be in the future.",
        f"labs[0].date: {NEXT_YEAR} is after today; the sample date cannot be in the future.",
        f"frax[0].date: {TOMORROW} is after today; the FRAX date cannot be in the future.",
        f"patient.risk_factors.prior_fracture_date: {TOMORROW} is after today; the fracture "
        "date cannot be in the future.",
        f"bone_therapy[0].dental_review_date: {NEXT_YEAR} is after today; the dental review "
        "date cannot be in the future.",
        f"bone_therapy[0].doses[0]: {TOMORROW} is after today; the dose date cannot be in the "
        "future.",
        f"plan.set_on: {NEXT_YEAR} is after today; the day the plan was set cannot be in the "
        "future.",
    ):
        assert line in page
    assert "Confirm the import" not in page
    _nothing_saved()


def test_a_planned_course_start_and_todays_dates_pass(site: Site, client_: Client) -> None:
    """A course's form takes a future start (a planned course), so the file may too; today is
    not the future."""
    history = _history()
    history["dexa_scans"][0]["date"] = TODAY.isoformat()
    history["bone_therapy"] = [
        {"drug": "alendronate", "start_date": TOMORROW, "stop_date": None, "doses": []}
    ]
    preview = _preview(client_, site, history)
    assert "Confirm the import" in preview.content.decode()
    _confirm(client_, preview, override_reason="planned, dental review booked")
    assert DexaScan.objects.get().scan_date == TODAY
    assert BoneTherapyCourse.objects.get().start_date == TODAY + timedelta(days=1)


def test_an_imported_plan_is_said_and_recorded_as_set_today(site: Site, client_: Client) -> None:
    history = _history(plan={"next_dexa_due": NEXT_YEAR, "reason": "r", "set_on": "2025-05-20"})
    preview = _preview(client_, site, history)
    said = (
        f"monitoring plan recorded as set today ({TODAY:%Y-%m-%d}), not on the file's set_on "
        "2025-05-20"
    )
    assert said in html.unescape(preview.content.decode())
    _confirm(client_, preview)
    plan = MonitoringPlan.objects.get()
    assert timezone.localtime(plan.set_at).date() == TODAY
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert said in " ".join(event.changes["notes"])


def test_changed_supplements_write_a_change_row_with_old_and_new(
    site: Site, client_: Client, physician: User
) -> None:
    _confirm(client_, _preview(client_, site, _history()))
    patient = Patient.objects.get(mrn="V01")
    assert (Supplements.objects.get(patient=patient).calcium, AuditEvent.objects.count()) != (
        False,
        0,
    )
    changed = _history(supplements={"calcium": False, "vitamin_d": True})
    preview = _preview(client_, site, changed)
    assert "supplements updated: calcium" in preview.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()  # a dry run
    _confirm(client_, preview)
    supplements = Supplements.objects.get(patient=patient)
    assert (supplements.calcium, supplements.vitamin_d, supplements.version) == (False, True, 2)
    assert supplements.updated_by == physician
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="monitoring.supplements")
    assert event.patient == patient
    assert event.actor == physician
    assert event.object_id == str(supplements.pk)
    assert event.changes == {"calcium": [True, False], "version": [1, 2], "source": ["", "import"]}
