"""The alert lifecycle (docs/clinical-rules.md), who may acknowledge, reassess_all over time."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring import domain
from monitoring.assessment.forms import NOTE_NEEDED
from monitoring.assessment.refresh import (
    RefreshSummary,
    _sync_alerts,
    assessments_refresh,
    open_alerts_by_key,
)
from monitoring.domain.dates import add_months
from monitoring.models import Alert
from patients.models import Patient
from tests.factories import AromataseInhibitorCourseFactory, DexaScanFactory, LabResultFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def raised(code: str, severity: str, site: str | None = None) -> domain.Alert:
    return domain.Alert(
        code=domain.AlertCode(code),
        severity=domain.Severity(severity),
        message=f"{code} {severity}",
        rules=(domain.RuleId.DMAB_SCHEDULE,),
        sources=("Seed-B",),
        site=domain.Site(site) if site else None,
    )


def sync(patient: Patient, *alerts: domain.Alert, at: datetime) -> None:
    _sync_alerts(
        {patient.pk: tuple(alerts)}, open_alerts_by_key([patient.pk]), at, RefreshSummary()
    )


class TestLifecycle:
    def test_raised_again_stays_the_same_open_alert(self, patient: Patient) -> None:
        sync(patient, raised("DENOSUMAB_DUE", "warning"), at=T0)
        first = Alert.objects.get()
        sync(patient, raised("DENOSUMAB_DUE", "warning"), at=T0 + timedelta(days=1))
        assert Alert.objects.get() == first
        assert first.raised_at == T0

    def test_no_longer_raised_is_closed_with_the_time_it_cleared(self, patient: Patient) -> None:
        sync(patient, raised("DENOSUMAB_DUE", "warning"), at=T0)
        sync(patient, at=T0 + timedelta(days=2))
        alert = Alert.objects.get()
        assert alert.cleared_at == T0 + timedelta(days=2)
        assert not alert.superseded

    def test_rise_in_severity_opens_a_new_alert_needing_acknowledgement(
        self, patient: Patient, nurse
    ) -> None:  # type: ignore[no-untyped-def]
        sync(patient, raised("DENOSUMAB_DUE", "warning"), at=T0)
        Alert.objects.update(
            acknowledged_at=T0, acknowledged_by=nurse, acknowledgement_note="booked"
        )
        sync(patient, raised("DENOSUMAB_DUE", "high"), at=T0 + timedelta(days=30))
        old, new = Alert.objects.order_by("id")
        assert (old.cleared_at, old.superseded) == (T0 + timedelta(days=30), True)
        assert (new.severity, new.cleared_at, new.acknowledged_at) == ("high", None, None)

    def test_fall_in_severity_keeps_the_alert_and_its_acknowledgement(
        self, patient: Patient, physician
    ) -> None:  # type: ignore[no-untyped-def]
        sync(patient, raised("RENAL_CONTRAINDICATION", "critical"), at=T0)
        Alert.objects.update(
            acknowledged_at=T0, acknowledged_by=physician, acknowledgement_note="seen"
        )
        sync(patient, raised("RENAL_CONTRAINDICATION", "high"), at=T0 + timedelta(days=1))
        alert = Alert.objects.get()
        assert (alert.severity, alert.severity_rank, alert.cleared_at) == ("high", 2, None)
        assert alert.acknowledgement_note == "seen"

    def test_one_open_alert_per_site(self, patient: Patient) -> None:
        sync(
            patient,
            raised("SIGNIFICANT_BMD_LOSS", "warning", "lumbar_spine"),
            raised("SIGNIFICANT_BMD_LOSS", "warning", "total_hip"),
            at=T0,
        )
        sync(
            patient,
            raised("SIGNIFICANT_BMD_LOSS", "warning", "total_hip"),
            at=T0 + timedelta(days=1),
        )
        states = {(a.site, a.cleared_at is None) for a in Alert.objects.all()}
        assert states == {("lumbar_spine", False), ("total_hip", True)}

    def test_cleared_then_raised_again_is_a_new_alert(self, patient: Patient) -> None:
        sync(patient, raised("DEXA_OVERDUE", "warning"), at=T0)
        sync(patient, at=T0 + timedelta(days=1))
        sync(patient, raised("DEXA_OVERDUE", "warning"), at=T0 + timedelta(days=2))
        assert Alert.objects.count() == 2
        assert Alert.objects.filter(cleared_at__isnull=True).count() == 1


class TestAcknowledgement:
    def alert(self, patient: Patient, severity: str) -> Alert:
        sync(patient, raised("DENOSUMAB_DUE", severity), at=T0)
        return Alert.objects.get(cleared_at__isnull=True)

    @pytest.mark.parametrize("severity", ["info", "warning"])
    def test_nurse_acknowledges_info_and_warning(
        self, nurse_client: Client, patient: Patient, severity: str
    ) -> None:
        alert = self.alert(patient, severity)
        url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
        response = nurse_client.post(url, {"note": "called the patient"})
        assert response.status_code == 302
        alert.refresh_from_db()
        assert alert.acknowledged_by.username == "nurse"
        assert alert.acknowledgement_note == "called the patient"
        event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="monitoring.alert")
        assert event.changes["acknowledgement_note"] == ["", "called the patient"]

    @pytest.mark.parametrize("severity", ["high", "critical"])
    def test_only_physicians_acknowledge_high_and_critical(
        self, nurse_client: Client, physician_client: Client, patient: Patient, severity: str
    ) -> None:
        alert = self.alert(patient, severity)
        url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
        assert nurse_client.post(url, {"note": "seen"}).status_code == 403
        alert.refresh_from_db()
        assert alert.acknowledged_at is None
        assert physician_client.post(url, {"note": "dose booked"}).status_code == 302
        alert.refresh_from_db()
        assert alert.acknowledged_by.username == "physician"

    def test_a_note_is_required(self, nurse_client: Client, patient: Patient) -> None:
        alert = self.alert(patient, "warning")
        url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
        response = nurse_client.post(url, {"note": ""})
        assert response.status_code == 200
        assert response.context["form"].errors["note"] == [NOTE_NEEDED]
        alert.refresh_from_db()
        assert alert.acknowledged_at is None

    def test_another_sites_alert_is_404(
        self, nurse_client: Client, foreign_patient: Patient
    ) -> None:
        alert = self.alert(foreign_patient, "info")
        url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
        assert nurse_client.post(url, {"note": "seen"}).status_code == 404

    def test_a_cleared_alert_cannot_be_acknowledged(
        self, nurse_client: Client, patient: Patient
    ) -> None:
        alert = self.alert(patient, "warning")
        sync(patient, at=T0 + timedelta(days=1))
        response = nurse_client.post(
            reverse("monitoring:alert_acknowledge", args=[alert.pk]), {"note": "late"}, follow=True
        )
        assert "has cleared" in response.text
        alert.refresh_from_db()
        assert alert.acknowledged_at is None

    def test_a_second_acknowledgement_is_refused_and_shows_the_first(
        self, nurse_client: Client, physician_client: Client, patient: Patient
    ) -> None:
        alert = self.alert(patient, "warning")
        url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
        # Both opened the page before either acknowledged.
        assert nurse_client.get(url).status_code == 200
        assert physician_client.get(url).status_code == 200
        assert nurse_client.post(url, {"note": "called the patient"}).status_code == 302
        response = physician_client.post(url, {"note": "reviewed, no action"})
        assert response.status_code == 409
        assert "nurse acknowledged this alert first" in response.context["form"].errors["note"][0]
        assert "Acknowledged by nurse" in response.text
        assert "called the patient" in response.text
        assert "reviewed, no action" in response.text  # what the physician typed is kept
        assert 'type="submit"' not in response.text.split('id="acknowledgement"')[1]
        alert.refresh_from_db()
        assert (alert.acknowledged_by.username, alert.acknowledgement_note) == (
            "nurse",
            "called the patient",
        )
        events = AuditEvent.objects.filter(object_type="monitoring.alert", object_id=str(alert.pk))
        assert [e.username for e in events] == ["nurse"]

    def test_an_acknowledged_alert_shows_its_acknowledgement_instead_of_the_form(
        self, nurse_client: Client, patient: Patient
    ) -> None:
        alert = self.alert(patient, "warning")
        url = reverse("monitoring:alert_acknowledge", args=[alert.pk])
        nurse_client.post(url, {"note": "called the patient"})
        page = nurse_client.get(url)
        assert page.status_code == 200
        assert "Acknowledged by nurse" in page.text
        assert "<textarea" not in page.text


def test_reassess_all_raises_dexa_overdue_when_the_date_passes_the_due_date(
    patient: Patient,
) -> None:
    patient.birth_date = date(1975, 1, 1)
    patient.save()
    AromataseInhibitorCourseFactory(patient=patient, start_date=date(2024, 1, 1))
    DexaScanFactory(patient=patient, scan_date=date(2024, 1, 10), t=-0.5)  # low risk: +24 months
    LabResultFactory(patient=patient, sample_date=date(2025, 12, 1))
    due = date(2026, 1, 10)

    call_command("reassess_all", "--as-of", due.isoformat(), "--no-progress", stdout=StringIO())
    assert not Alert.objects.filter(code="DEXA_OVERDUE").exists()
    out = StringIO()
    call_command(
        "reassess_all",
        "--as-of",
        (due + timedelta(days=1)).isoformat(),
        "--no-progress",
        stdout=out,
    )
    overdue = Alert.objects.get(code="DEXA_OVERDUE", cleared_at__isnull=True)
    assert overdue.severity == "warning"
    assert "1 patients reassessed" in out.getvalue()
    # A new scan clears it.
    DexaScanFactory(patient=patient, scan_date=date(2026, 1, 12), t=-0.5)
    assessments_refresh([patient.pk], as_of=date(2026, 1, 12))
    overdue.refresh_from_db()
    assert overdue.cleared_at is not None


def test_reassess_all_skips_ended_follow_up_and_rejects_a_bad_date(patient: Patient) -> None:
    patient.follow_up_status = "ended"
    patient.save()
    out = StringIO()
    call_command("reassess_all", "--no-progress", stdout=out)
    assert "0 patients reassessed" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("reassess_all", "--as-of", "2026-13-01", stdout=StringIO())


def test_reassess_all_enqueue_runs_the_tasks(patient: Patient, settings) -> None:  # type: ignore[no-untyped-def]
    # Tests use the immediate backend: the queued tasks run at once.
    AromataseInhibitorCourseFactory(patient=patient, start_date=date(2024, 1, 1))
    out = StringIO()
    call_command("reassess_all", "--enqueue", "--as-of", "2026-01-01", stdout=out)
    assert "queued as tasks: 1 batches" in out.getvalue()
    assert Alert.objects.filter(patient=patient, code="BASELINE_DEXA_MISSING").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_queue_and_its_worker_run_the_nightly_task(settings, site) -> None:  # type: ignore[no-untyped-def]
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    patient = Patient.objects.create(site=site, mrn="Q1", birth_date=date(1960, 1, 1))
    AromataseInhibitorCourseFactory(patient=patient, start_date=date(2024, 1, 1))
    call_command("reassess_all", "--enqueue", "--as-of", "2026-01-01", stdout=StringIO())
    assert not Alert.objects.exists()  # queued, not run
    tasks = DBTaskResult.objects.order_by("-priority")
    assert [(t.task_path.rsplit(".", 1)[1], t.status) for t in tasks] == [
        ("reassess_batch_task", "READY"),
    ]
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    assert {t.status for t in tasks.all()} == {"SUCCESSFUL"}
    assert tasks.all().first().return_value["patients"] == 1  # type: ignore[union-attr]
    assert Alert.objects.filter(patient=patient, code="BASELINE_DEXA_MISSING").exists()


def test_the_assessment_stores_the_worst_open_alert_for_the_dashboard(patient: Patient) -> None:
    from monitoring.models import PatientAssessment

    AromataseInhibitorCourseFactory(patient=patient, start_date=date(2024, 1, 1))
    assessments_refresh([patient.pk], as_of=date(2024, 1, 10), now=T0)
    stored = PatientAssessment.objects.get(patient=patient)
    assert stored.worst_alert_rank == 1  # BASELINE_DEXA_DUE (warning) within the grace period
    assert stored.worst_alert_raised_at == T0
    later = T0 + timedelta(days=200)
    assessments_refresh([patient.pk], as_of=date(2024, 7, 1), now=later)
    stored.refresh_from_db()
    assert stored.worst_alert_rank == 2  # BASELINE_DEXA_MISSING (high) after 3 months
    assert stored.worst_alert_raised_at == later


class TestHypocalcaemiaAfterAStop:
    """The clinician tester's report: calcium 2.01 and eGFR 28, denosumab started against the
    failed checks, a dose given, then the course stopped the same day. The hypocalcaemia alerts
    stay open while that dose acts (6 months), whatever the stop date says."""

    CODES = ("HYPOCALCEMIA", "HYPOCALCEMIA_RISK_RENAL")

    def _open(self, patient: Patient) -> dict[str, tuple[int, str]]:
        return {
            a.code: (a.pk, a.severity)
            for a in Alert.objects.filter(patient=patient, cleared_at=None, code__in=self.CODES)
        }

    @pytest.fixture
    def stopped_after_a_dose(self, patient: Patient, physician, nurse):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        from monitoring.records.services.therapy import (
            bone_therapy_dose_record,
            bone_therapy_start,
            bone_therapy_update,
        )

        today = timezone.localdate()
        for analyte, value, unit in (
            ("calcium", "2.01", "mmol/L"),
            ("egfr", "28", "mL/min/1.73m2"),
        ):
            LabResultFactory(
                patient=patient,
                sample_date=today - timedelta(days=6),
                analyte=analyte,
                value=Decimal(value),
                entered_value=Decimal(value),
                entered_unit=unit,
            )
        reason = "oncology MDT: benefit outweighs the risk; calcium replaced"
        course = bone_therapy_start(
            actor=physician,
            patient=patient,
            values={"drug": "denosumab", "dose": "60 mg", "start_date": today, "stop_date": None},
            override_reason=reason,
        )
        # Against a critical and a high alert: a physician's override (nurse11 F3).
        bone_therapy_dose_record(
            actor=physician, course=course, given_on=today, override_reason=reason
        )
        before = self._open(patient)
        assert {code: severity for code, (_, severity) in before.items()} == {
            "HYPOCALCEMIA": "critical",
            "HYPOCALCEMIA_RISK_RENAL": "high",
        }
        course.refresh_from_db()
        bone_therapy_update(
            actor=physician,
            course=course,
            values={"stop_date": today, "stop_reason": "patient declined"},
            expected_version=course.version,
            stop_confirmed=True,  # no follow-on: the physician confirms the stop
        )
        return course, before, today

    def test_stopping_on_the_day_of_the_dose_keeps_the_same_open_alerts(
        self, patient: Patient, stopped_after_a_dose
    ) -> None:  # type: ignore[no-untyped-def]
        course, before, today = stopped_after_a_dose
        course.refresh_from_db()
        assert course.stop_date == today
        assert self._open(patient) == before  # the same rows, not cleared and raised again
        assert (
            not Alert.objects.filter(patient=patient, cleared_at__isnull=False)
            .filter(code__in=self.CODES)
            .exists()
        )

    def test_they_clear_6_months_and_a_day_after_the_dose(
        self, patient: Patient, stopped_after_a_dose
    ) -> None:  # type: ignore[no-untyped-def]
        _, before, today = stopped_after_a_dose
        assessments_refresh([patient.pk], as_of=add_months(today, 6))
        assert self._open(patient) == before
        # Labs older than 12 months would clear them too: still within 12 months here.
        assessments_refresh([patient.pk], as_of=add_months(today, 6) + timedelta(days=1))
        assert self._open(patient) == {}

    def test_a_course_entered_in_error_never_counts(
        self, patient: Patient, physician, stopped_after_a_dose
    ) -> None:  # type: ignore[no-untyped-def]
        from monitoring.records.services.in_error import entry_mark_in_error

        course, _, _ = stopped_after_a_dose
        entry_mark_in_error(
            actor=physician, entry=course, patient=patient, reason="wrong patient's record"
        )
        assert self._open(patient) == {}
        assert set(
            Alert.objects.filter(patient=patient, code__in=self.CODES).values_list(
                "code", flat=True
            )
        ) == set(self.CODES)  # closed, not deleted
