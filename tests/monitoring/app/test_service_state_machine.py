"""Random sequences of nurse and physician writes, through the services as the views call them.

After every step: the stored assessment, open alerts and schedule are those of the records
as they now are; no record that must exist once exists twice; every changed row has its audit
event and every audit event its changed row. Each step also knows which refusal (duplicate,
outdated form, cleared or acknowledged alert, missing permission) the services owe it: any other
outcome fails, and a refused write must leave every row and the audit trail as they were.

One patient per example, in a savepoint rolled back at the end of the example. More examples:
SERVICE_MACHINE_EXAMPLES=500.
"""

import os
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from bonehealth.accounts.models import Site, User
from bonehealth.audit.concurrency import ConcurrentEditError, RecordInErrorError
from monitoring.assessment.alerts import (
    AlertAlreadyAcknowledgedError,
    AlertAlreadySeenError,
    AlertNotOpenError,
    alert_acknowledge,
)
from monitoring.assessment.permissions import (
    DECIDE_THERAPY_PERMISSION,
    THERAPY_DECISION_CODES,
    alert_acknowledge_permission,
)
from monitoring.models import (
    Alert,
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaScan,
    FraxResult,
    LabResult,
    Supplements,
)
from monitoring.records.services.frax import frax_record, frax_update
from monitoring.records.services.guards import EntryConflictError
from monitoring.records.services.in_error import entry_mark_in_error
from monitoring.records.services.labs import LabEntry, lab_result_update, lab_results_record
from monitoring.records.services.plan import monitoring_plan_set, supplements_set
from monitoring.records.services.scans import (
    Measurement,
    dexa_scan_record,
    dexa_scan_sign_off,
    dexa_scan_update,
)
from monitoring.records.services.therapy import (
    bone_therapy_dose_record,
    bone_therapy_start,
    bone_therapy_update,
)
from patients import services as patient_services
from patients.models import PATIENT_RECORD_FIELDS, FollowUpStatus, Patient
from tests.conftest import confirmed_alerts, confirmed_treatments
from tests.factories import ScannerFactory, UserFactory

from . import service_steps as steps

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
# The pre-treatment gate is tested in test_safety_checks; here every failed check is overridden.
OVERRIDE = "state machine: checks overridden"
settings.register_profile(
    "service-state-machine",
    max_examples=int(os.environ.get("SERVICE_MACHINE_EXAMPLES", "20")),
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
Expected = type[Exception] | None  # the refusal a write is owed, or None: it must be saved


def _owed(*, taken: bool, outdated: bool) -> Expected:
    """A correction's refusal: the duplicate check runs before the version check."""
    return EntryConflictError if taken else ConcurrentEditError if outdated else None


def _span(start: date | None, stop: date | None) -> tuple[date, date]:
    """The days a course runs: from its start (a planned one, from today) until its stop."""
    return (start or TODAY, stop or date.max)


def _runs_with(pk: int, start: date | None, stop: date | None, exclude: int = 0) -> set[int]:
    """The other courses that would run at the same time (two antiresorptives: refused)."""
    begin, end = _span(start, stop)
    courses = BoneTherapyCourse.objects.filter(patient_id=pk, entered_in_error=False)
    return {
        course.pk
        for course in courses
        if course.pk != exclude
        and _span(course.start_date, course.stop_date)[0] < end
        and begin < _span(course.start_date, course.stop_date)[1]
    }


class ServiceMachine(RuleBasedStateMachine):
    world: ClassVar[steps.World]

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def patient(self) -> Patient:
        """The patient as a view reads them, afresh on every request."""
        return Patient.objects.get(pk=self.patient_pk)

    def attempt(self, write: Callable[[], Any], expected: Expected, *, twice: bool = False) -> None:
        """Run a write: it must be saved, or refused with `expected` and nothing written.

        `twice` submits it again (a double click, a resent form): the duplicate must be refused.
        """
        if expected is None:
            write()
        else:
            before = (steps.fingerprint(), steps.last_audit_pk())
            with pytest.raises(expected):
                write()
            assert (steps.fingerprint(), steps.last_audit_pk()) == before
        if twice:
            self.attempt(write, EntryConflictError)

    @initialize(birth=st.dates(date(1940, 1, 1), date(1975, 12, 31)), ai_years=st.integers(0, 6))
    def register_patient(self, birth: date, ai_years: int) -> None:
        patient = patient_services.patient_create(
            actor=self.world.nurse,
            values={"site": self.world.site, "mrn": "SM1", "birth_date": birth, "sex": "F"},
            ai_course={
                "drug": "anastrozole",
                "start_date": TODAY - timedelta(days=365 * ai_years),
                "planned_duration_months": 60,
            },
        )
        self.patient_pk = patient.pk
        self.snapshot, self.audit_mark = steps.fingerprint(), steps.last_audit_pk()
        self.verified = False

    # --- Scans ------------------------------------------------------------------------------

    def _scan(self, values: dict[str, Any]) -> dict[str, Any]:
        return {**values, "scanner": self.world.scanners[values["scanner"]]}

    @rule(values=steps.scan_values(TODAY), measurements=steps.MEASUREMENTS, twice=st.booleans())
    def record_scan(
        self, values: dict[str, Any], measurements: dict[str, Measurement], twice: bool
    ) -> None:
        values = self._scan(values)
        taken = steps.scan_taken(self.patient_pk, values, list(measurements))
        self.attempt(
            lambda: dexa_scan_record(
                actor=self.world.nurse,
                patient=self.patient(),
                values=values,
                measurements=measurements,
            ),
            EntryConflictError if taken else None,
            twice=twice,
        )

    @rule(
        data=st.data(),
        values=steps.scan_values(TODAY),
        measurements=steps.MEASUREMENTS,
        outdated=st.booleans(),
    )
    def correct_scan(
        self,
        data: st.DataObject,
        values: dict[str, Any],
        measurements: dict[str, Measurement],
        outdated: bool,
    ) -> None:
        if (scan := steps.pick(data, steps.valid(DexaScan, self.patient_pk))) is None:
            return
        values = self._scan(values)
        taken = steps.scan_taken(self.patient_pk, values, list(measurements), exclude=scan.pk)
        self.attempt(
            lambda: dexa_scan_update(
                actor=self.world.nurse,
                scan=scan,
                values=values,
                measurements=measurements,
                expected_version=steps.form_version(scan.version, outdated),
            ),
            _owed(taken=taken, outdated=outdated),
        )

    @rule(data=st.data())
    def sign_off_scan(self, data: st.DataObject) -> None:
        unsigned = [scan for scan in steps.valid(DexaScan, self.patient_pk) if not scan.reviewed_at]
        if (scan := steps.pick(data, unsigned)) is not None:
            self.attempt(lambda: dexa_scan_sign_off(actor=self.world.physician, scan=scan), None)

    @rule(data=st.data())
    def sign_off_scan_marked_in_error(self, data: st.DataObject) -> None:
        """A Sign off button drawn before the scan was marked in error: refused, nothing written."""
        marked = DexaScan.objects.filter(patient_id=self.patient_pk, entered_in_error=True)
        if (scan := steps.pick(data, list(marked.order_by("pk")))) is not None:
            self.attempt(
                lambda: dexa_scan_sign_off(actor=self.world.physician, scan=scan),
                EntryConflictError,
            )

    # --- Labs and FRAX ----------------------------------------------------------------------

    @rule(
        day=steps.days_ago(TODAY),
        fasting=st.booleans(),
        labs=steps.LAB_ENTRIES,
        twice=st.booleans(),
    )
    def record_labs(
        self, day: date, fasting: bool, labs: tuple[LabEntry, ...], twice: bool
    ) -> None:
        taken = steps.lab_taken(self.patient_pk, day, [lab.analyte for lab in labs])
        self.attempt(
            lambda: lab_results_record(
                actor=self.world.nurse,
                patient=self.patient(),
                sample_date=day,
                fasting=fasting,
                entries=labs,
            ),
            EntryConflictError if taken else None,
            twice=twice,
        )

    @rule(
        data=st.data(),
        day=steps.days_ago(TODAY),
        fasting=st.booleans(),
        lab=steps.lab_entry(),
        outdated=st.booleans(),
    )
    def correct_lab(
        self, data: st.DataObject, day: date, fasting: bool, lab: LabEntry, outdated: bool
    ) -> None:
        if (result := steps.pick(data, steps.valid(LabResult, self.patient_pk))) is None:
            return
        taken = steps.lab_taken(self.patient_pk, day, [lab.analyte], exclude=result.pk)
        self.attempt(
            lambda: lab_result_update(
                actor=self.world.nurse,
                result=result,
                sample_date=day,
                fasting=fasting,
                entry=lab,
                expected_version=steps.form_version(result.version, outdated),
            ),
            _owed(taken=taken, outdated=outdated),
        )

    def _frax_taken(self, values: dict[str, Any], exclude: int = 0) -> bool:
        """A valid result of the day and kind (with or without BMD) is there: one of each a day."""
        return (
            FraxResult.objects.filter(
                patient_id=self.patient_pk,
                assessed_on=values["assessed_on"],
                with_bmd=values["with_bmd"],
                entered_in_error=False,
            )
            .exclude(pk=exclude)
            .exists()
        )

    @rule(values=steps.frax_values(TODAY))
    def record_frax(self, values: dict[str, Any]) -> None:
        taken = self._frax_taken(values)
        self.attempt(
            lambda: frax_record(actor=self.world.nurse, patient=self.patient(), values=values),
            EntryConflictError if taken else None,
        )

    @rule(data=st.data(), values=steps.frax_values(TODAY), outdated=st.booleans())
    def correct_frax(self, data: st.DataObject, values: dict[str, Any], outdated: bool) -> None:
        if (frax := steps.pick(data, steps.valid(FraxResult, self.patient_pk))) is None:
            return
        self.attempt(
            lambda: frax_update(
                actor=self.world.nurse,
                frax=frax,
                values=values,
                expected_version=steps.form_version(frax.version, outdated),
            ),
            _owed(taken=self._frax_taken(values, exclude=frax.pk), outdated=outdated),
        )

    @rule(
        data=st.data(),
        day=steps.days_ago(TODAY),
        lab=steps.lab_entry(),
        frax=steps.frax_values(TODAY),
        outdated=st.booleans(),
    )
    def correct_entry_marked_in_error(
        self, data: st.DataObject, day: date, lab: LabEntry, frax: dict[str, Any], outdated: bool
    ) -> None:
        """An edit form opened before the entry was marked in error: refused as marked (before
        any duplicate or version check), nothing written."""
        marked = [
            *LabResult.objects.filter(patient_id=self.patient_pk, entered_in_error=True),
            *FraxResult.objects.filter(patient_id=self.patient_pk, entered_in_error=True),
        ]
        if (entry := steps.pick(data, sorted(marked, key=str))) is None:
            return
        version = steps.form_version(entry.version, outdated)
        if isinstance(entry, LabResult):
            self.attempt(
                lambda: lab_result_update(
                    actor=self.world.nurse,
                    result=entry,
                    sample_date=day,
                    fasting=False,
                    entry=lab,
                    expected_version=version,
                ),
                RecordInErrorError,
            )
        else:
            self.attempt(
                lambda: frax_update(
                    actor=self.world.nurse, frax=entry, values=frax, expected_version=version
                ),
                RecordInErrorError,
            )

    # --- Therapy and doses ------------------------------------------------------------------

    @rule(values=steps.therapy_values(TODAY))
    def start_therapy(self, values: dict[str, Any]) -> None:
        # The same drug from the same start, or planned again while a plan stands: a double submit.
        same = BoneTherapyCourse.objects.filter(
            patient_id=self.patient_pk, drug=values["drug"], entered_in_error=False
        )
        if values["start_date"] is None:
            same = same.filter(start_date=None, stop_date=None)
        else:
            same = same.filter(start_date=values["start_date"])
        together = _runs_with(self.patient_pk, values["start_date"], values["stop_date"])
        self.attempt(
            lambda: bone_therapy_start(
                actor=self.world.physician,
                patient=self.patient(),
                values=values,
                override_reason=OVERRIDE,
                # As the override: a denosumab stop with no follow-on is confirmed.
                stop_confirmed=True,
            ),
            EntryConflictError if same.exists() or together else None,
        )

    @rule(data=st.data(), values=steps.therapy_values(TODAY), outdated=st.booleans())
    def change_therapy(self, data: st.DataObject, values: dict[str, Any], outdated: bool) -> None:
        if (course := steps.pick(data, steps.valid(BoneTherapyCourse, self.patient_pk))) is None:
            return
        doses = course.doses.filter(entered_in_error=False).order_by("given_on")
        given, last = doses.first(), doses.last()
        # The form and the service refuse a course that does not hold its doses: no start, a
        # start after the first dose, a stop before the last; the model asks for what they take.
        if given and (values["start_date"] is None or given.given_on < values["start_date"]):
            values["start_date"] = given.given_on
        if last and values["stop_date"] and values["stop_date"] < last.given_on:
            values["stop_date"] = last.given_on
        # A change is refused when it makes the course run at the same time as another.
        before = _runs_with(self.patient_pk, course.start_date, course.stop_date, course.pk)
        after = _runs_with(self.patient_pk, values["start_date"], values["stop_date"], course.pk)
        self.attempt(
            lambda: bone_therapy_update(
                actor=self.world.physician,
                course=course,
                values=values,
                expected_version=steps.form_version(course.version, outdated),
                override_reason=OVERRIDE,
                stop_confirmed=True,
            ),
            _owed(taken=bool(after - before), outdated=outdated),
        )

    @rule(data=st.data(), twice=st.booleans())
    def record_dose(self, data: st.DataObject, twice: bool) -> None:
        started = [
            course
            for course in steps.valid(BoneTherapyCourse, self.patient_pk)
            if course.start_date and course.start_date <= TODAY
        ]
        if (course := steps.pick(data, started)) is None or course.start_date is None:
            return
        first = max(course.start_date, self.patient().birth_date)
        day = data.draw(st.sampled_from([first, TODAY]) | st.dates(first, TODAY))
        taken = course.doses.filter(given_on=day, entered_in_error=False).exists()
        # A day after this course stopped may be a day another course runs: never two at once.
        beside = any(
            other.pk != course.pk
            and other.start_date is not None
            and other.start_date <= day
            and (other.stop_date is None or other.stop_date > day)
            for other in steps.valid(BoneTherapyCourse, self.patient_pk)
        )
        # A day after the course stopped: refused by the service too (a stop saved since the
        # form opened), not only by the form.
        outside = course.stop_date is not None and day > course.stop_date
        self.attempt(
            lambda: bone_therapy_dose_record(
                # A physician: overriding a too-early dose or a high or critical check is
                # a physician's (the safety gate), and every check is overridden here.
                actor=self.world.physician,
                course=course,
                given_on=day,
                override_reason=OVERRIDE,
            ),
            EntryConflictError if taken or beside or outside else None,
            twice=twice,
        )

    @rule(data=st.data())
    def record_dose_under_course_marked_in_error(self, data: st.DataObject) -> None:
        """A dose form opened before its course was marked in error: refused, nothing written."""
        marked = BoneTherapyCourse.objects.filter(patient_id=self.patient_pk, entered_in_error=True)
        if (course := steps.pick(data, list(marked.order_by("pk")))) is None:
            return
        self.attempt(
            lambda: bone_therapy_dose_record(
                actor=self.world.nurse, course=course, given_on=TODAY, override_reason=OVERRIDE
            ),
            RecordInErrorError,
        )

    @rule(
        data=st.data(), kind=st.sampled_from([DexaScan, LabResult, FraxResult, BoneTherapyCourse])
    )
    def mark_in_error(self, data: st.DataObject, kind: type[Any]) -> None:
        valid: list[Any] = steps.valid(kind, self.patient_pk)
        if kind is BoneTherapyCourse and data.draw(st.booleans(), label="a dose of a course"):
            valid = list(BoneTherapyDose.objects.filter(course__in=valid, entered_in_error=False))
        if (entry := steps.pick(data, valid)) is not None:
            self.attempt(
                lambda: entry_mark_in_error(
                    actor=self.world.nurse,
                    entry=entry,
                    patient=self.patient(),
                    reason="entered on the wrong patient",
                ),
                None,
            )

    # --- Alerts, follow-up, patient, supplements, plan --------------------------------------

    @rule(data=st.data(), role=st.sampled_from(["physician", "nurse", "onlooker"]))
    def acknowledge_alert(self, data: st.DataObject, role: str) -> None:
        # Any alert the patient ever had: a page opened before it cleared or was acknowledged.
        alerts = list(Alert.objects.filter(patient_id=self.patient_pk).order_by("pk"))
        if (alert := steps.pick(data, alerts)) is None:
            return
        actor = User.objects.get(pk=getattr(self.world, role).pk)  # permissions read afresh
        expected: Expected = None
        if not actor.has_perm(alert_acknowledge_permission(alert.severity)):
            expected = PermissionDenied
        elif alert.cleared_at is not None:
            expected = AlertNotOpenError
        elif alert.acknowledged_at is not None:
            expected = AlertAlreadyAcknowledgedError
        # A therapy decision alert: only one who may decide therapy acknowledges it; anyone
        # else's note marks it seen, once (phys9 F15).
        decides = alert.code not in THERAPY_DECISION_CODES or actor.has_perm(
            DECIDE_THERAPY_PERMISSION
        )
        if expected is None and not decides and alert.seen_at is not None:
            expected = AlertAlreadySeenError
        self.attempt(
            lambda: alert_acknowledge(actor=actor, alert=alert, note="Discussed with the patient"),
            expected,
        )
        if expected is None:
            alert.refresh_from_db()
            written = alert.acknowledged_by_id if decides else alert.seen_by_id
            assert written == actor.pk
            assert (alert.acknowledged_at is None) is not decides

    @rule(ended=st.none() | steps.days_ago(TODAY))
    def end_or_resume_follow_up(self, ended: date | None) -> None:
        actor, patient = self.world.physician, self.patient()
        already_ended = ended is not None and patient.follow_up_status == FollowUpStatus.ENDED
        self.attempt(
            lambda: (
                patient_services.patient_resume_follow_up(actor=actor, patient=patient)
                if ended is None
                else patient_services.patient_end_follow_up(
                    actor=actor,
                    patient=patient,
                    ended_on=ended,
                    reason="moved away",
                    alerts_confirmed=confirmed_alerts(patient),
                    treatments_confirmed=confirmed_treatments(patient),
                )
            ),
            patient_services.FollowUpAlreadyEndedError if already_ended else None,
        )

    @rule(data=st.data(), outdated=st.booleans())
    def update_patient(self, data: st.DataObject, outdated: bool) -> None:
        patient = self.patient()
        changes = data.draw(steps.patient_changes(TODAY, patient.birth_date))
        values = {name: getattr(patient, name) for name in PATIENT_RECORD_FIELDS} | changes
        self.attempt(
            lambda: patient_services.patient_update(
                actor=self.world.nurse,
                patient=patient,
                values=values,
                expected_version=steps.form_version(patient.version, outdated),
            ),
            _owed(taken=False, outdated=outdated),
        )

    @rule(calcium=st.booleans(), vitamin_d=st.booleans(), outdated=st.booleans())
    def set_supplements(self, calcium: bool, vitamin_d: bool, outdated: bool) -> None:
        current = Supplements.objects.filter(patient_id=self.patient_pk).first()
        version = current.version if current else 0  # 0: the form was opened with no row yet
        # Outdated: opened before someone's first save (0), or before their last change.
        stale = outdated and current is not None
        self.attempt(
            lambda: supplements_set(
                actor=self.world.nurse,
                patient=self.patient(),
                calcium=calcium,
                vitamin_d=vitamin_d,
                expected_version=version - 1 if stale else version,
            ),
            _owed(taken=False, outdated=stale),
        )

    @rule(due=st.none() | steps.planned_dates(TODAY))
    def set_plan(self, due: date | None) -> None:
        self.attempt(
            lambda: monitoring_plan_set(
                actor=self.world.physician, patient=self.patient(), next_dexa_due=due, reason="MDT"
            ),
            None,
        )

    @invariant()
    def record_is_whole(self) -> None:
        now = steps.fingerprint()
        changed = {
            key
            for key in now.keys() | self.snapshot.keys()
            if now.get(key) != self.snapshot.get(key)
        }
        assert changed == steps.audited_since(self.audit_mark)
        if changed or not self.verified:
            # Rows unchanged since the last check leave what it verified as it was.
            assert steps.duplicates() == []
            steps.assert_assessment_is_fresh(self.patient(), TODAY)
            self.verified = True
        self.snapshot, self.audit_mark = now, steps.last_audit_pk()


def test_any_sequence_of_writes_keeps_the_record_whole(
    site: Site, nurse: User, physician: User
) -> None:
    onlooker = UserFactory(username="onlooker", role="nurse", sites=[site])
    onlooker.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="monitoring", codename="acknowledge_high_alert"
        )
    )
    ServiceMachine.world = steps.World(
        site=site,
        nurse=nurse,
        physician=physician,
        onlooker=onlooker,
        scanners=[
            ScannerFactory(site=site, name="Hologic Horizon A", lsc_lumbar_spine="0.025"),
            ScannerFactory(site=site, name="Lunar iDXA"),
        ],
    )
    run_state_machine_as_test(
        ServiceMachine, settings=settings.get_profile("service-state-machine")
    )
