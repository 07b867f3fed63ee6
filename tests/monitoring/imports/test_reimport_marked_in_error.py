"""nurse14 #1: importing a file again never brings back a record a colleague marked entered in
error. A record of the file that matches a marked one (the key and the values by which the import
finds a record already recorded) is listed by the preview as not imported, with who marked it,
when and why, and the import skips it: the results CSV, FHIR bundles and history JSON alike."""

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaScan,
    FraxResult,
    LabResult,
)
from monitoring.records.history_import import HistoryImportError, history_import
from monitoring.records.services.in_error import entry_mark_in_error
from patients.in_error import ai_course_mark_in_error
from patients.models import AromataseInhibitorCourse, Patient
from tests.conftest import login
from tests.factories import ScannerFactory, UserFactory
from tests.html_forms import visible_text
from tests.monitoring.imports.helpers import results_csv, snapshot, vignette
from tests.monitoring.imports.test_import_pages import _bundle, _confirm, _observation, _upload

pytestmark = pytest.mark.django_db

SAMPLE = (timezone.localdate() - timedelta(days=4)).isoformat()
REASON = "Wrong patient: sample belonged to another Margaret"
OVERRIDE = "checks made at the other hospital, not under test here"


def _rows(mrn: str, ctx: str = "0.31") -> list[dict[str, Any]]:
    """The tester's file: one sample of four results, the CTX fasting."""
    return [
        {"mrn": mrn, "date": SAMPLE, "measure": "vitamin_d_25oh", "value": "52", "unit": "nmol/L"},
        {"mrn": mrn, "date": SAMPLE, "measure": "egfr", "value": "90", "unit": "mL/min/1.73m2"},
        {"mrn": mrn, "date": SAMPLE, "measure": "calcium", "value": "2.31", "unit": "mmol/L"},
        {"mrn": mrn, "date": SAMPLE, "measure": "ctx", "value": ctx, "unit": "ng/mL",
         "fasting": "yes"},
    ]  # fmt: skip


@pytest.fixture
def colleague(site: Site) -> User:
    return UserFactory(
        username="nora", first_name="Nora", last_name="Nurse", role="nurse", sites=[site]
    )


def _mark_on_the_page(client: Client, patient: Patient, kind: str, entry: Any) -> None:
    url = reverse("monitoring:entry_mark_in_error", args=[patient.pk, kind, entry.pk])
    response = client.post(url, {"reason": REASON, "version": entry.version})
    assert response.status_code == 302, visible_text(response.content.decode())


def _state(record: Model) -> tuple[Any, ...]:
    """What the mark of a record is: kept as it was by the import."""
    record.refresh_from_db()
    return (
        record.entered_in_error,  # type: ignore[attr-defined]
        record.version,  # type: ignore[attr-defined]
        record.error_reason,  # type: ignore[attr-defined]
        record.error_marked_by_id,  # type: ignore[attr-defined]
        record.error_marked_at,  # type: ignore[attr-defined]
    )


def _clinical() -> tuple[int, ...]:
    """The clinical rows an import could add (its own IMPORT audit row aside): scans, their
    measurements and labs."""
    return snapshot()[:3]


def _marked_line(record: Any) -> str:
    day = timezone.localtime(record.error_marked_at).date().isoformat()
    return f"not imported: marked entered in error on {day} by Nora Nurse ({REASON})"


def test_a_results_csv_imported_again_leaves_out_the_lab_marked_in_error(
    patient: Patient, nurse_client: Client, colleague: User
) -> None:
    csv_text = results_csv(_rows(patient.mrn))
    _confirm(nurse_client, _upload(nurse_client, csv_text))
    ctx = LabResult.objects.get(patient=patient, analyte="ctx")
    _mark_on_the_page(login(colleague), patient, "lab", ctx)
    marked = _state(ctx)
    before = (_clinical(), LabResult.objects.filter(patient=patient).count())

    preview = _upload(nurse_client, csv_text)
    page = visible_text(preview.content.decode())
    assert "Will be added" not in page
    assert "Not imported: marked entered in error" in page
    assert f"row 5: CTX 0.31 ng/mL of {SAMPLE}: {_marked_line(ctx)}" in page
    assert (
        "Nothing new: 3 rows are already recorded and 1 row is marked entered in error (not "
        "imported). Confirming writes nothing." in page
    )
    done = _confirm(nurse_client, preview)
    assert "nothing new, 3 rows are already recorded and 1 row is marked entered in error" in (
        visible_text(done.content.decode())
    )
    assert (_clinical(), LabResult.objects.filter(patient=patient).count()) == before
    assert not LabResult.objects.filter(patient=patient, analyte="ctx", entered_in_error=False)
    assert _state(ctx) == marked


def test_a_different_value_than_the_one_marked_is_imported_as_a_new_result(
    patient: Patient, nurse_client: Client, colleague: User
) -> None:
    """The mark hides the value entered; the file's other value (a corrected result) is new."""
    _confirm(nurse_client, _upload(nurse_client, results_csv(_rows(patient.mrn))))
    ctx = LabResult.objects.get(patient=patient, analyte="ctx")
    _mark_on_the_page(login(colleague), patient, "lab", ctx)
    marked = _state(ctx)

    preview = _upload(nurse_client, results_csv(_rows(patient.mrn, ctx="0.29")))
    page = visible_text(preview.content.decode())
    assert f"Labs {SAMPLE}: CTX 0.29 ng/mL (fasting)" in page
    assert "not imported" not in page
    _confirm(nurse_client, preview)
    again = LabResult.objects.get(patient=patient, analyte="ctx", entered_in_error=False)
    assert again.entered_value == Decimal("0.29")
    assert _state(ctx) == marked


def test_the_rest_of_the_file_is_imported_and_the_audit_names_what_was_left_out(
    patient: Patient, nurse_client: Client, colleague: User
) -> None:
    first = _rows(patient.mrn)[3:]  # the CTX only
    _confirm(nurse_client, _upload(nurse_client, results_csv(first)))
    ctx = LabResult.objects.get(patient=patient, analyte="ctx")
    _mark_on_the_page(login(colleague), patient, "lab", ctx)

    preview = _upload(nurse_client, results_csv(_rows(patient.mrn)))
    page = visible_text(preview.content.decode())
    assert (
        "Confirming will add: 0 DEXA scans and 3 lab results for 1 patient; 0 rows already "
        "recorded; 1 row marked entered in error, not imported (skipped)." in page
    )
    _confirm(nurse_client, preview)
    assert set(
        LabResult.objects.filter(patient=patient, entered_in_error=False).values_list(
            "analyte", flat=True
        )
    ) == {"vitamin_d_25oh", "egfr", "calcium"}
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT, patient__isnull=True).latest("pk")
    assert event.changes["not_imported_marked_in_error"] == [
        f"row 5: CTX 0.31 ng/mL of {SAMPLE}: {_marked_line(ctx)}"
    ]


def test_a_scan_marked_in_error_is_not_imported_again_from_the_results_csv(
    patient: Patient, nurse_client: Client, colleague: User
) -> None:
    ScannerFactory(site=patient.site, name="Lunar")
    rows = [
        {"mrn": patient.mrn, "date": SAMPLE, "measure": "lumbar_spine", "value": "0.912",
         "scanner": "Lunar", "t_score": "-1.2"},
        {"mrn": patient.mrn, "date": SAMPLE, "measure": "total_hip", "value": "0.850",
         "scanner": "Lunar", "t_score": "-0.9"},
    ]  # fmt: skip
    _confirm(nurse_client, _upload(nurse_client, results_csv(rows)))
    scan = DexaScan.objects.get(patient=patient)
    _mark_on_the_page(login(colleague), patient, "scan", scan)
    marked = _state(scan)
    before = _clinical()

    preview = _upload(nurse_client, results_csv(rows))
    page = visible_text(preview.content.decode())
    assert f"row 2: Lumbar spine (L1-L4) {SAMPLE} on Lunar: {_marked_line(scan)}" in page
    assert f"row 3: Total hip {SAMPLE} on Lunar: {_marked_line(scan)}" in page
    _confirm(nurse_client, preview)
    assert _clinical() == before
    assert _state(scan) == marked


def test_a_fhir_bundle_leaves_out_the_lab_marked_in_error(
    site: Site, patient: Patient, nurse_client: Client, colleague: User
) -> None:
    bundle = _bundle(_observation("62292-8", 62, "nmol/L"))
    _confirm(nurse_client, _upload(nurse_client, bundle, kind="fhir_bundle"))
    vitamin_d = LabResult.objects.get(patient=patient)
    _mark_on_the_page(login(colleague), patient, "lab", vitamin_d)
    before = _clinical()

    preview = _upload(nurse_client, bundle, kind="fhir_bundle")
    page = visible_text(preview.content.decode())
    day = vitamin_d.sample_date.isoformat()
    assert f"entry 3: 25-OH vitamin D 62 nmol/L of {day}: {_marked_line(vitamin_d)}" in page
    _confirm(nurse_client, preview)
    assert _clinical() == before
    assert _state(vitamin_d)[0]


def _history(patient: Patient) -> dict[str, Any]:
    """Vignette 27 as the record of the fixture's patient, with a FRAX result."""
    history = vignette("27-btm-adequate")
    history["patient"].update(
        mrn=patient.mrn, name=patient.name, birth_date=patient.birth_date.isoformat()
    )
    history["frax"] = [
        {"date": "2025-01-20", "major_osteoporotic_pct": 12.5, "hip_pct": 2.1, "with_bmd": True}
    ]
    return history


def test_a_history_imported_again_leaves_out_every_kind_of_record_marked_in_error(
    site: Site, patient: Patient, physician: User, colleague: User
) -> None:
    ScannerFactory(site=site, name="S1")
    client = login(physician)
    text = json.dumps(_history(patient))
    _confirm(client, _upload(client, text, kind="history_json", site=site.pk))
    ctx = LabResult.objects.get(patient=patient, analyte="ctx", sample_date="2025-01-25")
    _mark_on_the_page(login(colleague), patient, "lab", ctx)
    scan = DexaScan.objects.get(patient=patient)
    frax = FraxResult.objects.get(patient=patient)
    course = BoneTherapyCourse.objects.get(patient=patient)
    for entry in (scan, frax, course):
        entry_mark_in_error(actor=colleague, entry=entry, patient=patient, reason=REASON)
    ai_course = AromataseInhibitorCourse.objects.get(patient=patient)
    ai_course_mark_in_error(actor=physician, course=ai_course, reason=REASON)
    # The AI course's mark is a physician's (it was running): named as such below.
    marked = [ctx, scan, frax, course, ai_course]
    states = [_state(record) for record in marked]
    before = (
        _clinical(),
        FraxResult.objects.count(),
        BoneTherapyCourse.objects.count(),
        AromataseInhibitorCourse.objects.count(),
    )

    preview = _upload(client, text, kind="history_json", site=site.pk)
    page = visible_text(preview.content.decode())
    assert (
        "Nothing new: the record has the rest of it. 5 records marked entered in error are not "
        "imported (below)." in page
    )
    assert f"labs[3]: CTX 0.6 ng/mL (sample of 2025-01-25): {_marked_line(ctx)}" in page
    assert f"dexa_scans[0]: DEXA 2025-01-20: {_marked_line(scan)}" in page
    assert f"frax[0]: FRAX 2025-01-20: 12.5 % / 2.1 %: {_marked_line(frax)}" in page
    assert f"bone_therapy[0]: Alendronate from 2025-02-01: {_marked_line(course)}" in page
    day = timezone.localtime(ai_course.error_marked_at).date().isoformat()
    assert (
        f"aromatase_inhibitors[0]: Anastrozole from 2025-01-05: not imported: marked entered in "
        f"error on {day} by {physician} ({REASON})" in page
    )
    done = _confirm(client, preview)
    assert "nothing new; 5 records marked entered in error not imported" in visible_text(
        done.content.decode()
    )
    after = (
        _clinical(),
        FraxResult.objects.count(),
        BoneTherapyCourse.objects.count(),
        AromataseInhibitorCourse.objects.count(),
    )
    assert after == before
    assert [_state(record) for record in marked] == states
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT, patient=patient).latest("pk")
    assert len(event.changes["not_imported_marked_in_error"]) == 5


def test_a_dose_marked_in_error_is_not_imported_again_with_its_course(
    site: Site, physician: User, colleague: User
) -> None:
    ScannerFactory(site=site, name="S1")
    history = vignette("24-denosumab-47-days-late")
    history_import(data=history, site=site, actor=physician, override_reason=OVERRIDE)
    patient = Patient.objects.get(mrn="V24")
    dose = BoneTherapyDose.objects.get(course__patient=patient, given_on="2024-04-16")
    entry_mark_in_error(actor=colleague, entry=dose, patient=patient, reason=REASON)
    marked = _state(dose)

    report = history_import(data=history, site=site, actor=physician, override_reason=OVERRIDE)
    assert report.in_error == [
        f"bone_therapy[0].doses[1]: Denosumab dose 2024-04-16: {_marked_line(dose)}"
    ]
    assert not report.changed
    assert BoneTherapyDose.objects.filter(course__patient=patient).count() == 3
    assert _state(dose) == marked


def test_a_course_marked_in_error_is_left_out_with_its_doses(
    site: Site, physician: User, colleague: User
) -> None:
    ScannerFactory(site=site, name="S1")
    history = vignette("24-denosumab-47-days-late")
    history_import(data=history, site=site, actor=physician, override_reason=OVERRIDE)
    patient = Patient.objects.get(mrn="V24")
    course = BoneTherapyCourse.objects.get(patient=patient)
    entry_mark_in_error(actor=colleague, entry=course, patient=patient, reason=REASON)

    report = history_import(data=history, site=site, actor=physician, override_reason=OVERRIDE)
    assert report.in_error == [
        f"bone_therapy[0] with its 3 doses: Denosumab from 2023-10-15: {_marked_line(course)}"
    ]
    assert BoneTherapyCourse.objects.filter(patient=patient).count() == 1
    assert BoneTherapyDose.objects.filter(course__patient=patient).count() == 3


def test_a_history_of_a_patient_marked_in_error_is_refused_naming_the_mark(
    site: Site, physician: User, colleague: User
) -> None:
    ScannerFactory(site=site, name="S1")
    history = vignette("24-denosumab-47-days-late")
    history_import(data=history, site=site, actor=physician, override_reason=OVERRIDE)
    marked_at = timezone.now()
    Patient.objects.filter(mrn="V24").update(
        entered_in_error=True,
        error_marked_at=marked_at,
        error_marked_by=colleague,
        error_reason=REASON,
    )
    before = (snapshot(), Patient.objects.count())
    with pytest.raises(HistoryImportError) as refused:
        history_import(data=history, site=site, actor=physician, override_reason=OVERRIDE)
    assert refused.value.errors == [
        f"patient.mrn: V24 at North General: not imported: marked entered in error on "
        f"{timezone.localdate(marked_at).isoformat()} by Nora Nurse ({REASON}); nothing of this "
        "file is imported. If the mark was a mistake, a physician restores the patient (Marked "
        "entered in error, on the patient list), then the file can be imported."
    ]
    assert (snapshot(), Patient.objects.count()) == before

    # Another woman given the MRN (the mark freed it) is no match: she is registered.
    history["patient"]["birth_date"] = "1960-01-01"
    history_import(data=history, site=site, actor=physician, override_reason=OVERRIDE)
    assert Patient.objects.filter(mrn="V24", entered_in_error=False).count() == 1
