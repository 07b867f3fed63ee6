"""F1 (phys10): a FRAX result without BMD and one with BMD from the same day are both kept, and
the one with BMD decides TX-FRAX (spec §2). One result per patient, day and kind: a second of the
same kind is refused (a form names the kind already there) or, from a history file, skipped as a
copy or refused as a conflict."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import Alert, FraxResult, PatientAssessment
from monitoring.records.history_import import HistoryImportError, history_import
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
ASSESSED = TODAY - timedelta(days=5)
WITHOUT_BMD = {
    "assessed_on": ASSESSED.isoformat(),
    "major_osteoporotic_pct": "20.0",
    "hip_pct": "3.0",
}
WITH_BMD = {**WITHOUT_BMD, "major_osteoporotic_pct": "19.9", "hip_pct": "2.9", "with_bmd": "on"}


@pytest.fixture
def on_ai(patient: Patient) -> Patient:
    AromataseInhibitorCourseFactory(patient=patient, start_date=TODAY - timedelta(days=400))
    return patient


def _create(client: Client, patient: Patient, data: dict[str, str]) -> Any:
    return client.post(reverse("monitoring:frax_create", args=[patient.pk]), data)


def _triggers(patient: Patient) -> list[str]:
    triggers: list[str] = PatientAssessment.objects.get(patient=patient).data["therapy_triggers"]
    return triggers


def _therapy_indicated_open(patient: Patient) -> bool:
    return Alert.objects.filter(
        patient=patient, code="BONE_THERAPY_INDICATED", cleared_at__isnull=True
    ).exists()


def _created_events() -> int:
    return AuditEvent.objects.filter(
        object_type="monitoring.fraxresult", action=AuditAction.CREATE
    ).count()


@pytest.mark.parametrize("with_bmd_first", [False, True])
def test_both_kinds_on_one_day_are_kept_and_the_one_with_bmd_decides(
    nurse_client: Client, on_ai: Patient, with_bmd_first: bool
) -> None:
    entries = [WITH_BMD, WITHOUT_BMD] if with_bmd_first else [WITHOUT_BMD, WITH_BMD]
    for data in entries:
        assert _create(nurse_client, on_ai, data).status_code == 302
    stored = {(f.with_bmd, f.major_osteoporotic_pct, f.hip_pct) for f in FraxResult.objects.all()}
    assert stored == {
        (False, Decimal("20.0"), Decimal("3.0")),
        (True, Decimal("19.9"), Decimal("2.9")),
    }
    # 20.0 % / 3.0 % without BMD would fire TX-FRAX; 19.9 % / 2.9 % with BMD that day does not.
    assert "TX-FRAX" not in _triggers(on_ai)
    assert not _therapy_indicated_open(on_ai)


def test_the_result_with_bmd_decides_also_when_it_is_the_higher(
    nurse_client: Client, on_ai: Patient
) -> None:
    low = {**WITHOUT_BMD, "major_osteoporotic_pct": "12.0", "hip_pct": "1.5"}
    high = {**WITH_BMD, "major_osteoporotic_pct": "22.0", "hip_pct": "3.5"}
    assert _create(nurse_client, on_ai, high).status_code == 302
    assert _create(nurse_client, on_ai, low).status_code == 302
    assert FraxResult.objects.count() == 2
    assert "TX-FRAX" in _triggers(on_ai)
    assert _therapy_indicated_open(on_ai)


@pytest.mark.parametrize(("first", "kind"), [(WITHOUT_BMD, "without BMD"), (WITH_BMD, "with BMD")])
def test_a_second_result_of_the_same_kind_is_refused_naming_the_kind(
    nurse_client: Client, patient: Patient, first: dict[str, str], kind: str
) -> None:
    assert _create(nurse_client, patient, first).status_code == 302
    response = _create(nurse_client, patient, {**first, "hip_pct": "1.0"})
    assert response.status_code == 200
    error = response.context["form"].errors["assessed_on"][0]
    assert f"A FRAX result {kind} from {ASSESSED:%Y-%m-%d} is already recorded" in error
    assert "correct that one instead" in error
    assert "entered by nurse at" in error
    assert FraxResult.objects.count() == 1
    assert FraxResult.objects.get().hip_pct == Decimal(first["hip_pct"])
    assert _created_events() == 1


def _edit(client: Client, frax: FraxResult, data: dict[str, str]) -> Any:
    url = reverse("monitoring:frax_update", args=[frax.patient_id, frax.pk])
    return client.post(url, {**data, "version": str(frax.version)})


def test_ticking_with_bmd_onto_a_day_that_has_one_is_refused_next_to_the_box(
    nurse_client: Client, patient: Patient
) -> None:
    for data in (WITHOUT_BMD, WITH_BMD):
        assert _create(nurse_client, patient, data).status_code == 302
    without = FraxResult.objects.get(with_bmd=False)
    response = _edit(nurse_client, without, {**WITHOUT_BMD, "with_bmd": "on"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["with_bmd"]
    assert (
        f"A FRAX result with BMD from {ASSESSED:%Y-%m-%d} is already recorded"
        in errors["with_bmd"][0]
    )
    without.refresh_from_db()
    assert (without.with_bmd, without.version) == (False, 1)
    assert FraxResult.objects.filter(with_bmd=True).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()


def test_moving_a_result_onto_a_day_with_one_of_its_kind_is_refused_next_to_the_date(
    nurse_client: Client, patient: Patient
) -> None:
    earlier = {**WITHOUT_BMD, "assessed_on": (ASSESSED - timedelta(days=30)).isoformat()}
    for data in (WITHOUT_BMD, earlier):
        assert _create(nurse_client, patient, data).status_code == 302
    moved = FraxResult.objects.get(assessed_on=ASSESSED - timedelta(days=30))
    response = _edit(nurse_client, moved, {**earlier, "assessed_on": ASSESSED.isoformat()})
    error = response.context["form"].errors["assessed_on"][0]
    assert f"A FRAX result without BMD from {ASSESSED:%Y-%m-%d} is already recorded" in error
    moved.refresh_from_db()
    assert (moved.assessed_on, moved.version) == (ASSESSED - timedelta(days=30), 1)


def test_ticking_with_bmd_on_a_day_with_no_such_result_is_a_correction(
    nurse_client: Client, on_ai: Patient
) -> None:
    assert _create(nurse_client, on_ai, WITHOUT_BMD).status_code == 302
    assert "TX-FRAX" in _triggers(on_ai)
    frax = FraxResult.objects.get()
    assert _edit(nurse_client, frax, WITH_BMD).status_code == 302
    frax.refresh_from_db()
    assert (frax.with_bmd, frax.version) == (True, 2)
    assert FraxResult.objects.count() == 1
    assert "TX-FRAX" not in _triggers(on_ai)


# --- History import --------------------------------------------------------------------------


def _history(*frax: dict[str, Any]) -> dict[str, Any]:
    return {
        "patient": {"mrn": "F1001", "sex": "F", "birth_date": "1960-02-02"},
        "frax": list(frax),
    }


def _frax(major: float, hip: float, *, with_bmd: bool) -> dict[str, Any]:
    return {
        "date": ASSESSED.isoformat(),
        "major_osteoporotic_pct": major,
        "hip_pct": hip,
        "with_bmd": with_bmd,
    }


def _imported() -> set[tuple[bool, Decimal, Decimal]]:
    return {
        (f.with_bmd, f.major_osteoporotic_pct, f.hip_pct)
        for f in FraxResult.objects.filter(patient__mrn="F1001")
    }


def test_a_history_with_both_kinds_on_one_day_imports_both(site: Site, nurse: User) -> None:
    history = _history(_frax(20.0, 3.0, with_bmd=False), _frax(19.9, 2.9, with_bmd=True))
    history_import(data=history, site=site, actor=nurse)
    assert _imported() == {
        (False, Decimal("20.0"), Decimal("3.0")),
        (True, Decimal("19.9"), Decimal("2.9")),
    }
    assessment = PatientAssessment.objects.get(patient__mrn="F1001")
    assert "TX-FRAX" not in assessment.data["therapy_triggers"]
    # Importing the file again changes nothing.
    history_import(data=history, site=site, actor=nurse)
    assert FraxResult.objects.count() == 2


def test_a_history_repeating_one_kind_of_a_day_stores_it_once(site: Site, nurse: User) -> None:
    same = _frax(20.0, 3.0, with_bmd=True)
    history_import(data=_history(same, same), site=site, actor=nurse)
    assert _imported() == {(True, Decimal("20.0"), Decimal("3.0"))}
    assert _created_events() == 1


@pytest.mark.parametrize("in_database", [False, True])
def test_a_history_with_two_different_results_of_one_kind_on_a_day_is_refused(
    site: Site, nurse: User, in_database: bool
) -> None:
    first, second = _frax(20.0, 3.0, with_bmd=True), _frax(19.0, 2.5, with_bmd=True)
    if in_database:
        history_import(data=_history(first), site=site, actor=nurse)
        history, index = _history(second), 0
    else:
        history, index = _history(first, second), 1
    with pytest.raises(HistoryImportError) as refused:
        history_import(data=history, site=site, actor=nurse)
    assert refused.value.errors == [
        f"frax[{index}]: conflicts with the FRAX with BMD of {ASSESSED.isoformat()}"
    ]
    assert _imported() == ({(True, Decimal("20.0"), Decimal("3.0"))} if in_database else set())
