"""Saving a record twice, one save after the other: the second is refused by the form, with who
entered the first and when, what was typed kept, and nothing written (no row, no audit event)."""

import importlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaScan,
    FraxResult,
    LabResult,
    Supplements,
)
from monitoring.records.services import labs
from monitoring.records.services.guards import EntryConflictError
from monitoring.records.services.labs import LabEntry, lab_results_record
from patients import services as patient_services
from patients.models import Patient
from tests.conftest import login
from tests.factories import DexaScanFactory, LabResultFactory, ScannerFactory, UserFactory
from tests.html_forms import posted_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# The pre-treatment checks fail without labs: the override a physician or nurse gives with a reason.
OVERRIDE = {"safety_override": "on", "override_reason": "labs checked at the other hospital"}
SAMPLED = TODAY - timedelta(days=3)


def audited(model: type) -> int:
    return AuditEvent.objects.filter(
        object_type=model._meta.label_lower, action=AuditAction.CREATE
    ).count()


def test_a_lab_result_saved_twice_is_refused_with_who_entered_it(
    nurse_client: Client, patient: Patient
) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    data = {
        "sample_date": SAMPLED.isoformat(),
        "vitamin_d_25oh_value": "42",
        "vitamin_d_25oh_unit": "ng/mL",
    }
    assert nurse_client.post(url, data).status_code == 302
    response = nurse_client.post(url, {**data, "vitamin_d_25oh_value": "43.5"})
    assert response.status_code == 200
    error = response.context["form"].errors["vitamin_d_25oh_value"][0]
    assert f"A 25-OH vitamin D result from {SAMPLED:%Y-%m-%d} is already recorded" in error
    assert "(42 ng/mL, entered by nurse at " in error
    assert 'value="43.5"' in response.text  # what was typed is kept
    assert LabResult.objects.count() == 1
    assert audited(LabResult) == 1


def test_one_duplicate_analyte_refuses_the_whole_sample(
    nurse_client: Client, patient: Patient
) -> None:
    url = reverse("monitoring:labs_create", args=[patient.pk])
    calcium = {"calcium_value": "2.3", "calcium_unit": "mmol/L"}
    nurse_client.post(url, {"sample_date": SAMPLED.isoformat(), **calcium})
    response = nurse_client.post(
        url,
        {
            "sample_date": SAMPLED.isoformat(),
            **calcium,
            "egfr_value": "70",
            "egfr_unit": "mL/min/1.73m2",
        },
    )
    assert "already recorded" in response.context["form"].errors["calcium_value"][0]
    assert list(LabResult.objects.values_list("analyte", flat=True)) == ["calcium"]
    assert audited(LabResult) == 1


def test_correcting_a_result_onto_anothers_date_is_refused(
    nurse_client: Client, patient: Patient
) -> None:
    other_day = SAMPLED - timedelta(days=30)
    record = LabResultFactory(patient=patient, sample_date=SAMPLED, analyte="calcium")
    LabResultFactory(patient=patient, sample_date=other_day, analyte="calcium")
    url = reverse("monitoring:lab_update", args=[patient.pk, record.pk])
    response = nurse_client.post(
        url,
        {
            "sample_date": other_day.isoformat(),
            "analyte": "calcium",
            "value": "2.4",
            "unit": "mmol/L",
            "version": record.version,
        },
    )
    assert response.status_code == 200
    assert "already recorded" in response.context["form"].errors["sample_date"][0]
    record.refresh_from_db()
    assert (record.sample_date, record.version) == (SAMPLED, 1)


@pytest.fixture
def denosumab(patient: Patient, physician: User) -> BoneTherapyCourse:
    return BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=TODAY - timedelta(days=200),
        entered_by=physician,
    )


def test_a_dose_saved_twice_is_refused(
    nurse_client: Client, patient: Patient, denosumab: BoneTherapyCourse
) -> None:
    url = reverse("monitoring:dose_create", args=[patient.pk, denosumab.pk])
    given = {"given_on": (TODAY - timedelta(days=10)).isoformat(), **OVERRIDE}
    assert nurse_client.post(url, given).status_code == 302
    response = nurse_client.post(url, given)
    assert response.status_code == 200
    error = response.context["form"].errors["given_on"][0]
    assert "is already recorded for this course (entered by nurse at " in error
    assert given["given_on"] in response.text
    assert BoneTherapyDose.objects.count() == 1
    assert audited(BoneTherapyDose) == 1


def test_a_second_scan_on_the_same_scanner_and_day_is_refused(
    nurse_client: Client, patient: Patient
) -> None:
    scanner = ScannerFactory(site=patient.site, name="Lunar iDXA")
    scanned = TODAY - timedelta(days=5)
    url = reverse("monitoring:scan_create", args=[patient.pk])
    base = {"scan_date": scanned.isoformat(), "scanner": scanner.pk}
    spine = {"lumbar_spine_bmd": "0.912", "lumbar_spine_t_score": "-1.2"}
    assert nurse_client.post(url, {**base, **spine}).status_code == 302
    # Other sites on the same examination belong in a correction of the first scan.
    hip = {"total_hip_bmd": "0.801", "total_hip_t_score": "-1.1"}
    response = nurse_client.post(url, {**base, **hip})
    assert response.status_code == 200
    error = response.context["form"].errors["scan_date"][0]
    assert f"A scan on Lunar iDXA from {scanned:%Y-%m-%d} is already recorded" in error
    assert 'value="0.801"' in response.text
    assert DexaScan.objects.count() == 1
    assert audited(DexaScan) == 1
    # Another scanner the same day is another examination.
    other = ScannerFactory(site=patient.site, name="Hologic Horizon")
    response = nurse_client.post(url, {**base, **hip, "scanner": other.pk})
    assert response.status_code == 302


def test_supplements_first_saved_by_someone_else_are_not_written_over(
    nurse_client: Client, patient: Patient, site: Any
) -> None:
    url = reverse("monitoring:supplements", args=[patient.pk])
    other = login(UserFactory(username="nurse2", role="nurse", sites=[site]))
    assert 'name="version" value="0"' in nurse_client.get(url).text  # opened with no row yet
    assert other.post(url, {"calcium": "no", "vitamin_d": "yes", "version": 0}).status_code == 302
    response = nurse_client.post(url, {"calcium": "yes", "vitamin_d": "no", "version": 0})
    assert response.status_code == 200
    form = response.context["form"]
    assert "changed by someone else" in form.non_field_errors()[0]
    assert "nurse2 changed this to “Yes”" in form.errors["vitamin_d"][0]
    assert 'name="calcium" checked' in response.text or "checked" in response.text
    supplements = Supplements.objects.get()
    assert (supplements.calcium, supplements.vitamin_d, supplements.updated_by) == (
        False,
        True,
        User.objects.get(username="nurse2"),
    )
    assert audited(Supplements) == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()
    # Saved again, now knowing nurse2's values, it replaces them.
    again = nurse_client.post(
        url, {"calcium": "yes", "vitamin_d": "no", "version": form.data["version"]}
    )
    assert again.status_code == 302
    supplements.refresh_from_db()
    assert (supplements.calcium, supplements.vitamin_d) == (True, False)


def test_a_taken_mrn_is_refused_by_the_service_too(nurse: User, patient: Patient) -> None:
    values = {"site": patient.site, "mrn": patient.mrn, "birth_date": TODAY - timedelta(days=9000)}
    with pytest.raises(patient_services.MrnTakenError, match=r"A1001 is already registered"):
        patient_services.patient_create(actor=nurse, values=values)
    assert Patient.objects.count() == 1
    assert audited(Patient) == 0


def test_an_mrn_changed_to_a_taken_one_is_refused_by_the_field(
    nurse_client: Client, patient: Patient
) -> None:
    other = Patient.objects.create(site=patient.site, mrn="B2002", birth_date=patient.birth_date)
    url = reverse("patients:update", args=[other.pk])
    form = nurse_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "ai_drug"}
    response = nurse_client.post(url, {**data, "mrn": "A1001", "version": other.version})
    assert response.status_code == 200
    assert "already registered" in response.context["form"].errors["mrn"][0]
    other.refresh_from_db()
    assert other.mrn == "B2002"


class _SkipFirstCheck:
    """A writer that skipped the duplicate check: the unique index is all that stops it."""

    def __init__(self, check: Any) -> None:
        self.check, self.calls = check, 0

    def __call__(self, **kwargs: Any) -> None:
        self.calls += 1
        if self.calls > 1:
            self.check(**kwargs)


def test_the_unique_index_refusal_becomes_the_same_message(
    monkeypatch: pytest.MonkeyPatch, nurse: User, patient: Patient
) -> None:
    vitamin_d = [LabEntry(analyte="vitamin_d_25oh", value=Decimal(40), unit="nmol/L")]
    lab_results_record(
        actor=nurse, patient=patient, sample_date=SAMPLED, fasting=False, entries=vitamin_d
    )
    monkeypatch.setattr(labs, "_check_lab_free", _SkipFirstCheck(labs._check_lab_free))
    with pytest.raises(EntryConflictError, match="is already recorded") as refused:
        lab_results_record(
            actor=nurse, patient=patient, sample_date=SAMPLED, fasting=False, entries=vitamin_d
        )
    assert refused.value.field == "vitamin_d_25oh"
    # The transaction is still usable, and holds one row and one audit event.
    assert LabResult.objects.count() == 1
    assert audited(LabResult) == 1


def test_the_mrn_index_refusal_becomes_the_same_message(
    monkeypatch: pytest.MonkeyPatch, nurse: User, patient: Patient
) -> None:
    skip = _SkipFirstCheck(patient_services._check_mrn_free)
    monkeypatch.setattr(patient_services, "_check_mrn_free", skip)
    values = {"site": patient.site, "mrn": patient.mrn, "birth_date": patient.birth_date}
    with pytest.raises(patient_services.MrnTakenError, match="already registered"):
        patient_services.patient_create(actor=nurse, values=values)
    assert Patient.objects.count() == 1


# --- Migration 0009 on a database that already holds duplicates ----------------------------------

MIGRATION = importlib.import_module("monitoring.migrations.0009_one_entry_per_sample_dose_and_scan")


def _without_unique_indexes() -> None:
    # Inside the test's transaction: rolled back with it.
    with connection.cursor() as cursor:
        for name in (
            "lab_result_once_per_sample",
            "dose_once_per_course_day",
            "scan_once_per_scanner_day",
        ):
            cursor.execute(f"DROP INDEX {name}")


def test_the_migration_marks_later_exact_copies_entered_in_error(
    patient: Patient, nurse: User, denosumab: BoneTherapyCourse
) -> None:
    _without_unique_indexes()
    labs = [
        LabResultFactory(patient=patient, sample_date=SAMPLED, analyte="calcium") for _ in range(3)
    ]
    doses = [
        BoneTherapyDose.objects.create(course=denosumab, given_on=SAMPLED, entered_by=nurse)
        for _ in range(2)
    ]
    scans = [DexaScanFactory(patient=patient, scan_date=SAMPLED, t=-1.2) for _ in range(2)]
    DexaScan.objects.filter(pk=scans[1].pk).update(scanner=scans[0].scanner)
    MIGRATION.mark_exact_duplicates(apps, None)
    for first, *copies in (labs, doses, scans):
        first.refresh_from_db()
        assert not first.entered_in_error
        for copy in copies:
            copy.refresh_from_db()
            assert copy.entered_in_error
            assert f"#{first.pk}" in copy.error_reason
            assert copy.version == 2
    marks = AuditEvent.objects.filter(action=AuditAction.MARK_ERROR, username="migration")
    assert marks.count() == 4
    assert {event.patient_id for event in marks} == {patient.pk}


def test_the_migration_stops_on_copies_whose_values_differ(patient: Patient) -> None:
    _without_unique_indexes()
    first = LabResultFactory(patient=patient, sample_date=SAMPLED, analyte="calcium")
    second = LabResultFactory(
        patient=patient, sample_date=SAMPLED, analyte="calcium", entered_value=Decimal("2.9")
    )
    with pytest.raises(RuntimeError, match=rf"lab results #{first.pk} and #{second.pk}"):
        MIGRATION.mark_exact_duplicates(apps, None)
    assert not LabResult.objects.filter(entered_in_error=True).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.MARK_ERROR).exists()


def test_a_frax_result_saved_twice_is_refused(nurse_client: Client, patient: Patient) -> None:
    url = reverse("monitoring:frax_create", args=[patient.pk])
    data = {"assessed_on": SAMPLED.isoformat(), "major_osteoporotic_pct": "12.0", "hip_pct": "2.0"}
    assert nurse_client.post(url, data).status_code == 302
    response = nurse_client.post(url, {**data, "hip_pct": "2.5"})
    assert response.status_code == 200
    error = response.context["form"].errors["assessed_on"][0]
    assert f"A FRAX result without BMD from {SAMPLED:%Y-%m-%d} is already recorded" in error
    assert "entered by nurse at" in error
    assert response.context["form"]["hip_pct"].value() == "2.5"
    assert FraxResult.objects.count() == 1
    assert audited(FraxResult) == 1


@pytest.mark.parametrize("start", [None, SAMPLED])
def test_a_therapy_course_saved_twice_is_refused(
    physician_client: Client, patient: Patient, start: object
) -> None:
    url = reverse("monitoring:therapy_create", args=[patient.pk])
    data = {"drug": "denosumab", "dose": "60 mg", **OVERRIDE}
    if start is not None:
        data["start_date"] = SAMPLED.isoformat()
    assert physician_client.post(url, data).status_code == 302
    response = physician_client.post(url, data)
    assert response.status_code == 200
    assert "is already recorded" in response.context["form"].errors["drug"][0]
    assert BoneTherapyCourse.objects.count() == 1
    assert audited(BoneTherapyCourse) == 1


def test_a_new_course_of_the_same_drug_after_a_stop_is_not_a_duplicate(
    physician_client: Client, patient: Patient
) -> None:
    BoneTherapyCourse.objects.create(
        patient=patient,
        drug="denosumab",
        start_date=SAMPLED - timedelta(days=400),
        stop_date=SAMPLED - timedelta(days=10),
    )
    url = reverse("monitoring:therapy_create", args=[patient.pk])
    response = physician_client.post(
        url, {"drug": "denosumab", "start_date": SAMPLED.isoformat(), **OVERRIDE}
    )
    assert response.status_code == 302


def test_the_same_plan_submitted_twice_is_stored_once(
    physician_client: Client, patient: Patient
) -> None:
    url = reverse("monitoring:plan", args=[patient.pk])
    data = {"next_dexa_due": (TODAY + timedelta(days=90)).isoformat(), "reason": "MDT decision"}
    first = physician_client.post(url, data, follow=True)
    assert "Monitoring plan set." in first.text
    again = physician_client.post(url, data, follow=True)
    assert "Nothing was changed: the record is as it was." in again.text  # not "set" twice
    assert patient.plans.count() == 1
    assert physician_client.post(url, {**data, "reason": "Changed"}).status_code == 302
    assert patient.plans.count() == 2


def test_the_plan_form_opens_with_the_plan_in_force(
    physician_client: Client, patient: Patient
) -> None:
    url = reverse("monitoring:plan", args=[patient.pk])
    due = (TODAY + timedelta(days=200)).isoformat()
    physician_client.post(url, {"next_dexa_due": due, "reason": "MDT decision", "in_force": "0"})
    data = posted_data(physician_client.get(url).text, having="in_force")
    assert (data["next_dexa_due"], data["reason"]) == (due, "MDT decision")
    assert physician_client.post(url, data).status_code == 302  # saved unchanged
    assert patient.plans.count() == 1


def test_a_plan_set_by_a_colleague_after_the_form_opened_is_not_replaced_silently(
    physician_client: Client, patient: Patient, site: Any
) -> None:
    url = reverse("monitoring:plan", args=[patient.pk])
    colleague = login(UserFactory(username="dr.colleague", role="physician", sites=[site]))
    mine = posted_data(physician_client.get(url).text, having="in_force")
    theirs = posted_data(colleague.get(url).text, having="in_force")
    # Both within the 3 months after the rules' baseline date that need no tick (plan_margin).
    due = (TODAY + timedelta(days=50)).isoformat()
    assert (
        colleague.post(url, theirs | {"next_dexa_due": due, "reason": "Theirs"}).status_code == 302
    )
    mine |= {"next_dexa_due": (TODAY + timedelta(days=80)).isoformat(), "reason": "Mine"}
    response = physician_client.post(url, mine)
    assert response.status_code == 200
    assert f"dr.colleague set the next DEXA to {due} (Theirs)" in response.text
    assert patient.plans.count() == 1
    again = posted_data(response.text, having="in_force")
    assert again["reason"] == "Mine"
    assert physician_client.post(url, again).status_code == 302  # a deliberate second save
    assert patient.plans.order_by("-id").first().reason == "Mine"  # type: ignore[union-attr]


def test_a_dose_given_today_as_the_form_opens_says_it_was_recorded(
    nurse_client: Client, patient: Patient, denosumab: BoneTherapyCourse, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The dose form opens with today's date: saved as opened (every check passed, so no
    override field), it records the dose, and the page says so (a tester was told "Nothing was
    changed" while the dose was stored)."""
    import monitoring.records.forms.therapy as dose_form
    import monitoring.records.services.therapy as dose_service
    from monitoring.records.safety import Checklist

    def passed(**kwargs):  # type: ignore[no-untyped-def]
        return Checklist(drug="denosumab", as_of=kwargs["given_on"], checks=())

    monkeypatch.setattr(dose_form, "dose_checklist", passed)
    monkeypatch.setattr(dose_service, "dose_checklist", passed)
    url = reverse("monitoring:dose_create", args=[patient.pk, denosumab.pk])
    response = nurse_client.post(url, {"given_on": TODAY.isoformat()}, follow=True)
    assert "Dose recorded; the assessment is updated." in response.text
    assert "Nothing was changed" not in response.text
    assert BoneTherapyDose.objects.filter(course=denosumab, given_on=TODAY).count() == 1
