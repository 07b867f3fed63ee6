"""nurse11 F3 and F10: who may override a failed pre-treatment check, and the rule ids of the
checklist.

A nurse overrode a zoledronic acid infusion 151 days early on her own. The conservative reading
(`records/services/safety_gate.py`): a dose too early, or a check failed by a high or critical
alert, is overridden only by one who may decide therapy (a physician); a nurse still overrides
the warnings of her routine doses. The checklist says who may; the gate refuses a forged POST.
The zoledronic acid interval row named the schedule item `zoledronic_acid_dose`: its rule is
DMAB-SCHEDULE, and every rule id links to its entry on the Rules page."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.domain.dates import add_months
from monitoring.models import BoneTherapyCourse, BoneTherapyDose
from patients.models import Patient
from tests.factories import LabResultFactory, results_in_range

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REASON = "infusion brought forward before surgery; agreed with oncology"


def _course(patient: Patient, drug: str, *doses: date) -> BoneTherapyCourse:
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug=drug,
        start_date=TODAY - timedelta(days=400),
        dental_review_date=TODAY - timedelta(days=420),
    )
    for day in doses:
        dose = BoneTherapyDose.objects.create(course=course, given_on=day)
        # Entered when given, long ago: an early dose, not a possible double entry.
        BoneTherapyDose.objects.filter(pk=dose.pk).update(
            entered_at=timezone.now() - timedelta(days=30)
        )
    return course


def _url(course: BoneTherapyCourse) -> str:
    return reverse("monitoring:dose_create", args=[course.patient_id, course.pk])


def _state(course: BoneTherapyCourse) -> tuple[list[date], int]:
    """The course's doses and the dose creations audited: what a refusal must leave alone."""
    doses = list(course.doses.order_by("given_on").values_list("given_on", flat=True))
    created = AuditEvent.objects.filter(
        object_type="monitoring.bonetherapydose", action=AuditAction.CREATE
    ).count()
    return doses, created


def _override(day: date) -> dict[str, str]:
    return {"given_on": day.isoformat(), "safety_override": "on", "override_reason": REASON}


@pytest.fixture
def zoledronic(patient: Patient) -> BoneTherapyCourse:
    """SHOW-11's case: an infusion 30 days ago, every other check passing."""
    results_in_range(patient, TODAY - timedelta(days=40))
    return _course(patient, "zoledronic_acid", TODAY - timedelta(days=30))


class TestAnEarlyInfusion:
    def test_a_nurse_sees_who_may_override_and_cannot_tick_it(
        self, nurse_client: Client, zoledronic: BoneTherapyCourse
    ) -> None:
        page = nurse_client.get(_url(zoledronic)).text
        row = re.search(r'<tr data-check="dose_interval"[^>]*>(.*?)</tr>', page, re.S)
        assert row is not None
        assert "days early" in row.group(1)
        assert "Override: a physician only." in row.group(1)
        assert "Only a physician may override Time since the previous dose" in page
        assert 'name="safety_override" disabled' in page
        assert 'name="override_reason" cols="40" rows="2" maxlength="500" disabled' in page

    def test_a_nurses_forged_override_is_refused_and_nothing_saved(
        self, nurse_client: Client, zoledronic: BoneTherapyCourse
    ) -> None:
        before = _state(zoledronic)
        refused = nurse_client.post(_url(zoledronic), _override(TODAY))
        assert refused.status_code == 200
        (error,) = refused.context["form"].errors["safety_override"]
        assert error.startswith("Failed pre-treatment checks (Time since the previous dose).")
        assert "Only a physician may override Time since the previous dose" in error
        assert _state(zoledronic) == before
        assert not BoneTherapyDose.objects.filter(safety_override_reason=REASON).exists()

    def test_a_physician_overrides_it_with_a_reason(
        self, physician_client: Client, zoledronic: BoneTherapyCourse
    ) -> None:
        page = physician_client.get(_url(zoledronic)).text
        assert "Only a physician may override" not in page
        assert 'name="safety_override" disabled' not in page
        assert physician_client.post(_url(zoledronic), _override(TODAY)).status_code == 302
        dose = zoledronic.doses.get(given_on=TODAY)
        assert (dose.safety_override_reason, dose.safety_checks_failed) == (
            REASON,
            ["dose_interval"],
        )
        assert dose.safety_override_by.username == "physician"


def test_a_critical_alert_is_a_physicians_override(
    nurse_client: Client, physician_client: Client, patient: Patient
) -> None:
    """Hypocalcaemia (critical: do not give the drug now) before a denosumab dose on time."""
    results_in_range(patient, TODAY - timedelta(days=5), calcium="2.01")
    course = _course(patient, "denosumab", add_months(TODAY, -6))
    page = nurse_client.get(_url(course)).text
    assert 'data-check="calcium" data-status="failed"' in page
    assert "Only a physician may override Albumin-adjusted calcium" in page
    before = _state(course)
    assert nurse_client.post(_url(course), _override(TODAY)).status_code == 200
    assert _state(course) == before
    assert physician_client.post(_url(course), _override(TODAY)).status_code == 302
    assert course.doses.get(given_on=TODAY).safety_checks_failed == ["calcium"]


def test_a_nurse_still_overrides_the_warnings_of_a_routine_dose(
    nurse: object, nurse_client: Client, patient: Patient
) -> None:
    """Not blocked: a denosumab dose on time with the calcium and kidney function of the last 12
    months not on file (warnings) and vitamin D never measured; she gives her reason."""
    course = _course(patient, "denosumab", add_months(TODAY, -6))
    page = nurse_client.get(_url(course)).text
    for check in ("vitamin_d", "calcium", "renal"):
        assert f'data-check="{check}" data-status="failed"' in page
    assert "Override: with a reason." in page
    assert "Only a physician may override" not in page
    assert 'name="safety_override" disabled' not in page
    assert nurse_client.post(_url(course), _override(TODAY)).status_code == 302
    dose = course.doses.get(given_on=TODAY)
    assert set(dose.safety_checks_failed) == {"vitamin_d", "calcium", "renal"}
    assert dose.safety_override_by == nurse


def test_a_deficient_vitamin_d_at_a_start_is_a_physicians_override(
    nurse_client: Client, patient: Patient
) -> None:
    """VITAMIN_D_DEFICIENT is high with the drug started within 3 months: the first infusion."""
    LabResultFactory(
        patient=patient,
        sample_date=TODAY - timedelta(days=5),
        value=Decimal(15),
        entered_value=Decimal(15),
    )
    course = BoneTherapyCourse.objects.create(
        patient=patient,
        drug="zoledronic_acid",
        start_date=TODAY,
        dental_review_date=TODAY - timedelta(days=20),
    )
    page = nurse_client.get(_url(course)).text
    assert "Only a physician may override 25-OH vitamin D" in page
    before = _state(course)
    assert nurse_client.post(_url(course), _override(TODAY)).status_code == 200
    assert _state(course) == before


class TestRuleIds:
    def test_the_zoledronic_acid_interval_cites_dmab_schedule(
        self, nurse_client: Client, zoledronic: BoneTherapyCourse
    ) -> None:
        page = nurse_client.get(_url(zoledronic)).text
        row = re.search(r'<tr data-check="dose_interval"[^>]*>(.*?)</tr>', page, re.S)
        assert row is not None
        assert '<a href="/rules/#DMAB-SCHEDULE">DMAB-SCHEDULE</a>' in row.group(1)
        assert "zoledronic_acid_dose" not in page

    def test_every_checklist_rule_links_to_its_entry_on_the_rules_page(
        self, nurse_client: Client, zoledronic: BoneTherapyCourse
    ) -> None:
        page = nurse_client.get(_url(zoledronic)).text
        section = page.split('data-testid="safety-checklist"', 1)[1].split("</section>")[0]
        rows = re.findall(r"<tr data-check=.*?</tr>", section, re.S)
        cells = [re.search(r'<td data-label="Rule">(.*?)</td>', row, re.S) for row in rows]
        anchors = [re.findall(r'<a href="/rules/#([\w-]+)">\1</a>', c.group(1)) for c in cells if c]
        assert len(anchors) == len(rows) == 5
        assert all(anchors), anchors
        rules_page = nurse_client.get(reverse("rules")).text
        for anchor in (each for row in anchors for each in row):
            assert f'id="{anchor}"' in rules_page, anchor
        assert 'id="DMAB-SCHEDULE"' in rules_page
        assert "Denosumab and zoledronic acid doses" in rules_page
