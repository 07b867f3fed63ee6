"""Every edit form reachable from a patient page, opened and saved unchanged in Chromium.

The forms are found by following the patient page's links, as a clinician would: any linked page
whose form carries a record version is an edit form, so a new edit form joins this test without
a table to update. For each one the browser must show every saved date (a date input shows only an
ISO value) and read it back in words under its box, and saving it unchanged must change no record,
write no audit change and not reassess (the stored assessment keeps its computed_at and
records_version, which keys the site's caches).
"""

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import pytest
from django.urls import resolve, reverse
from django.utils import timezone
from playwright.sync_api import Page

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.assessment.refresh import patient_assessment_refresh
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    FraxResult,
    MonitoringPlan,
    PatientAssessment,
    Scanner,
    Supplements,
)
from patients.models import Patient
from tests.browser.clinic import BROWSER, log_in, north_general
from tests.factories import (
    AromataseInhibitorCourseFactory,
    DexaScanFactory,
    LabResultFactory,
    PatientFactory,
)
from tests.record_edits import CLINICAL_RECORDS

pytestmark = BROWSER
TODAY = timezone.localdate()
CLINICAL_MODELS = [*CLINICAL_RECORDS, Supplements]
# Derived rows: a save that changes nothing must not rewrite them either (a reassessment raises
# records_version, emptying the cached pages of the patient's site).
DERIVED_MODELS = [PatientAssessment]
# The edit forms the patient page below must lead to, at the least (more may join).
EXPECTED = {
    "nurse": {
        "patients:update",
        "patients:ai_course_update",
        "monitoring:scan_update",
        "monitoring:lab_update",
        "monitoring:frax_update",
        "monitoring:supplements",
        "monitoring:dental_review",
    },
    "physician": {
        "patients:update",
        "patients:ai_course_update",
        "monitoring:scan_update",
        "monitoring:lab_update",
        "monitoring:frax_update",
        "monitoring:supplements",
        "monitoring:therapy_update",
        "monitoring:dental_review",
    },
}


def _days(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def recorded(roles: None) -> Patient:
    """A patient with one record of every kind, each date field filled in."""
    site = north_general("nurse", "physician")
    patient: Patient = PatientFactory(
        site=site,
        mrn="FORMS-1",
        name="Form Patient",
        birth_date=dt.date(1962, 5, 14),
        breast_cancer_diagnosis_date=_days(1200),
        prior_fragility_fracture=True,
        prior_fracture_date=_days(3000),
    )
    AromataseInhibitorCourseFactory(
        patient=patient, start_date=_days(1100), stop_date=_days(30), stop_reason="completed"
    )
    Scanner.objects.create(site=site, name="Hologic Horizon A", lsc_lumbar_spine="0.028")
    scan = DexaScanFactory(patient=patient, scan_date=_days(400), t=-1.4)
    scan.trabecular_bone_score = Decimal("1.250")
    scan.vertebral_fracture_assessment = "no_fracture"
    scan.save()
    LabResultFactory(patient=patient, sample_date=_days(60), value=42, entered_value=42)
    FraxResult.objects.create(
        patient=patient, assessed_on=_days(380), major_osteoporotic_pct="12.0", hip_pct="2.1"
    )
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="zoledronic_acid",
        dose="4 mg every 6 months",
        start_date=_days(300),
        dental_review_date=_days(320),
    )
    BoneTherapyDose.objects.create(course=course, given_on=_days(300))
    Supplements.objects.create(patient=patient, calcium=True, vitamin_d=True)
    MonitoringPlan.objects.create(
        patient=patient,
        next_dexa_due=TODAY + dt.timedelta(days=200),
        reason="Repeat DEXA in six months",
    )
    patient_assessment_refresh(patient=patient)
    return patient


def _row(row: Any) -> dict[str, Any]:
    """Every stored value of `row` (also those no form edits: computed_at, updated_at), by pk."""
    return {
        **{field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields},
        "id": row.pk,
    }


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model.__name__: [_row(row) for row in model.objects.order_by("pk")]
        for model in CLINICAL_MODELS + DERIVED_MODELS
    }


def _differences(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> list[tuple[str, Any, str, Any, Any]]:
    """(model, pk, field, before, after) of every value that differs; rows added or removed too."""
    found = []
    for model, rows in after.items():
        old = {row["id"]: row for row in before[model]}
        new = {row["id"]: row for row in rows}
        for pk in old.keys() | new.keys():
            a, b = old.get(pk, {}), new.get(pk, {})
            found += [
                (model, pk, f, a.get(f), b.get(f))
                for f in a.keys() | b.keys()
                if a.get(f) != b.get(f)
            ]
    return found


def _is_edit_form(page: Page) -> bool:
    """A form that saves the record's fields with its version; an in-error mark also carries the
    version it showed (sec11 #1) but changes no field: it is no edit form."""
    if page.url.rstrip("/").endswith("/entered-in-error"):
        return False
    return page.locator("form[method=post] input[name=version]").count() > 0


@pytest.mark.parametrize("role", ["nurse", "physician"])
def test_every_edit_form_shows_saved_dates_and_saves_unchanged_without_a_change(
    page: Page, live_server: Any, recorded: Patient, role: str
) -> None:
    page.set_default_timeout(10_000)
    base = live_server.url
    log_in(page, base, role)
    page.goto(f"{base}{reverse('monitoring:patient', args=[recorded.pk])}")
    hrefs = page.eval_on_selector_all(
        "main a[href]:not([download])", "links => links.map(a => a.href)"
    )
    paths = sorted(
        {urlparse(h).path for h in hrefs if urlparse(h).netloc in ("", urlparse(base).netloc)}
    )
    tested: set[str] = set()
    for path in paths:
        name = resolve(path).view_name
        page.goto(f"{base}{path}")
        if not _is_edit_form(page):
            continue
        form = page.locator("form[method=post]", has=page.locator("input[name=version]"))
        dates = form.locator("input[type=date]")
        assert dates.count() or name in {"monitoring:supplements"}, name
        for i in range(dates.count()):
            date_input = dates.nth(i)
            attribute = date_input.get_attribute("value") or ""
            shown = date_input.evaluate("el => el.value")
            assert shown == attribute, (name, date_input.get_attribute("name"), attribute)
            # Read back in words under the box (nurse14 #16): the saved date, or nothing.
            words = page.locator(f"#{date_input.get_attribute('id')}-words")
            saved = dt.date.fromisoformat(attribute) if attribute else None
            expected = f"{saved.day} {saved:%B %Y}" if saved else ""
            assert words.inner_text() == expected, (name, date_input.get_attribute("name"))
        before, changes = _snapshot(), AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
        form.locator("[type=submit]").first.click()
        page.wait_for_load_state()
        assert urlparse(page.url).path == reverse("monitoring:patient", args=[recorded.pk]), (
            name,
            page.locator(".invalid-feedback, .alert-danger").all_inner_texts(),
        )
        assert _differences(before, _snapshot()) == [], name
        assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == changes, name
        tested.add(name)
    assert tested >= EXPECTED[role], EXPECTED[role] - tested
