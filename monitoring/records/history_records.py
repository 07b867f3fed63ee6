"""The records of one imported history: courses, scans, labs, FRAX, therapy (supplements and
plan: history_care_plan).

Each section creates what the database lacks and records, as a `path: problem` error, a record
present with different values (a conflict); `history_import` rolls the file back on any error.
A record of the file that the patient holds marked entered in error, with the same values, is not
imported: the report lists it with the mark (`in_error_matches`).
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.db.models import Prefetch

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from bonehealth.audit.services import audit_event
from monitoring import domain
from monitoring.assessment.versions import patient_records_changed
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    FraxResult,
    LabResult,
    Scanner,
)
from monitoring.models.choices import MeasuredSite
from monitoring.models.labs import canonical_value
from monitoring.models.scans import LSC_FIELD_BY_SITE
from monitoring.records.history_matches import (
    calcium_source,
    file_decimal,
    holds,
    lab_holds,
    same_course,
    scan_holds,
)
from monitoring.records.in_error_matches import marked_by_key, marked_match, not_imported_line
from monitoring.records.regimens import unsupported_regimen
from monitoring.records.score_checks import history_scans_errors
from monitoring.records.services.frax import frax_kind
from monitoring.records.services.scans import Measurement
from monitoring.records.z_scores import Z_POPULATION_WORDS, z_scores_read
from patients.ai_overlap import ai_courses_overlapping
from patients.models import AromataseInhibitorCourse, Patient


class HistoryImportError(Exception):
    """The file was not imported; `errors` are `path: problem` lines."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass
class ImportReport:
    mrn: str
    site: str = ""  # the name of the site imported into
    patient_created: bool = False
    created: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    # The scanners the file's scans name that the site lacks (created with the file's LSC).
    created_scanners: list[str] = field(default_factory=list)
    # Each course start or dose of the file whose pre-treatment checks fail, with the checks:
    # importing them needs an override reason (history_safety); `overridden` counts them by
    # model name ("bonetherapycourse", "bonetherapydose"), for the permission of the override.
    failed_checks: list[str] = field(default_factory=list)
    overridden: Counter[str] = field(default_factory=Counter)
    # What the preview warns of and the import still writes (a history records what was done
    # elsewhere): a scan with no Z-score for a patient read on Z-scores (physician10 F7).
    warnings: list[str] = field(default_factory=list)
    # The file's records the patient holds marked entered in error, with the mark: not imported.
    in_error: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return (
            self.patient_created
            or bool(self.created)
            or any(not note.startswith("scanner") for note in self.notes)
        )


@dataclass(frozen=True)
class GivenTherapy:
    """A course start or a dose the file creates, for the pre-treatment gate: `day` is the start
    or the dose, `event` its audit row, not yet written, `record` the course or the dose
    created."""

    path: str
    course: BoneTherapyCourse
    day: date
    is_dose: bool
    event: AuditEvent
    record: BoneTherapyCourse | BoneTherapyDose


class RecordImporter:
    """Import the records of one parsed history for one patient (the caller holds a transaction)."""

    def __init__(
        self,
        *,
        raw: Mapping[str, Any],
        history: domain.History,
        site: Site,
        actor: User | None,
        username: str = "",
        host: str = "",
    ) -> None:
        self.raw = raw
        self.history = history
        self.site = site
        self.actor = actor
        # Who and where, for the audit rows: the command's --actor (or its demo name) and host.
        self.username = username
        self.origin = {"host": host} if host else {}
        self.errors: list[str] = []
        self.report = ImportReport(mrn=history.patient.mrn, site=site.name)
        # A file's audit rows are inserted together (`audit_written`): one INSERT, and the
        # patient's records_version raised once, instead of both for each of its records.
        self.events: list[AuditEvent] = []
        # The course starts and doses created, which the pre-treatment gate judges.
        self.given: list[GivenTherapy] = []

    def audit_create(self, obj: Any, patient: Patient, changes: Mapping[str, Any]) -> AuditEvent:
        event = audit_event(
            action=AuditAction.CREATE,
            actor=self.actor,
            username=self.username,
            obj=obj,
            patient=patient,
            changes={"source": "import", **self.origin, **changes},
        )
        self.events.append(event)
        self.report.created[obj._meta.model_name] += 1
        return event

    def audit_change(self, obj: Any, patient: Patient, changes: Mapping[str, Any]) -> None:
        """Audit a recorded row the file changed, as the entry forms' services do (each field
        [old, new] and the version), marked as the import's."""
        self.events.append(
            audit_event(
                action=AuditAction.CHANGE,
                actor=self.actor,
                username=self.username,
                obj=obj,
                patient=patient,
                changes={**changes, "source": ["", "import"], **self.origin},
            )
        )

    def audit_written(self, patient: Patient) -> None:
        """Insert the file's audit rows; raise the patient's records_version (the key of their
        cached patient-page fragments; the import's reassessment raises it too)."""
        if self.events:
            AuditEvent.objects.bulk_create(self.events)
            patient_records_changed([patient.pk])

    def not_imported(self, path: str, marked: Any) -> None:
        """List a record of the file that the patient holds marked entered in error."""
        self.report.in_error.append(not_imported_line(f"{path}: {marked}", marked))

    def ai_courses(self, patient: Patient) -> None:
        existing = list(patient.ai_courses.filter(entered_in_error=False))
        marked = list(
            patient.ai_courses.filter(entered_in_error=True).select_related("error_marked_by")
        )
        for index, course in enumerate(self.history.aromatase_inhibitors):
            match = same_course(existing, course.drug, course.start_date)
            values = {
                "stop_date": course.stop_date,
                "stop_reason": course.stop_reason or "",
                "planned_duration_months": course.planned_duration_months,
            }
            key = {"drug": course.drug.value, "start_date": course.start_date}
            hidden = marked_match(marked, partial(holds, values={**key, **values}))
            if match is None and hidden is not None:
                self.not_imported(f"aromatase_inhibitors[{index}]", hidden)
                continue
            if match is None:
                created = AromataseInhibitorCourse.objects.create(
                    patient=patient,
                    drug=course.drug.value,
                    start_date=course.start_date,
                    created_by=self.actor,
                    **values,
                )
                self.audit_create(created, patient, {"drug": created.drug})
                # One aromatase inhibitor at a time, as the entry form's service refuses
                # (courses of this file created before it count: the transaction sees them).
                other = ai_courses_overlapping(
                    patient_id=patient.pk,
                    start=created.start_date,
                    stop=created.stop_date,
                    exclude_pk=created.pk,
                ).first()
                if other is not None:
                    self.errors.append(
                        f"aromatase_inhibitors[{index}]: runs at the same time as the {other} "
                        f"(one aromatase inhibitor at a time; a switch stops one course on the "
                        f"day the next starts)"
                    )
            elif any(getattr(match, k) != v for k, v in values.items()):
                self.errors.append(
                    f"aromatase_inhibitors[{index}]: conflicts with the {match} already recorded"
                )

    def scanners(self) -> dict[str, Scanner]:
        by_name: dict[str, Scanner] = {}
        for name in sorted({scan.scanner for scan in self.history.dexa_scans}):
            file_lsc = self.history.scanners.get(name)
            lsc_values = {
                LSC_FIELD_BY_SITE[MeasuredSite(site)]: value
                for site, value in (file_lsc.lsc if file_lsc else {}).items()
            }
            scanner = Scanner.objects.filter(site=self.site, name=name).first()
            if scanner is None:
                scanner = Scanner.objects.create(site=self.site, name=name, **lsc_values)
                self.report.notes.append(
                    f"scanner {name!r} created at {self.site} with the file's LSC"
                )
                self.report.created["scanner"] += 1
                self.report.created_scanners.append(name)
            elif lsc_values and any(getattr(scanner, k) != v for k, v in lsc_values.items()):
                self.report.notes.append(
                    f"scanner {name!r} exists at {self.site}: it keeps its own LSC values, "
                    "the file's were not used"
                )
            by_name[name] = scanner
        return by_name

    def scans(self, patient: Patient) -> None:
        scanners = self.scanners()
        existing = {
            (scan.scan_date, scan.scanner_id): scan
            for scan in DexaScan.objects.filter(
                patient=patient, entered_in_error=False
            ).prefetch_related("measurements")
        }
        measured_on = {
            (scan.scan_date, m.site) for scan in existing.values() for m in scan.measurements.all()
        }
        marked = marked_by_key(
            DexaScan.objects.filter(patient=patient).prefetch_related("measurements"),
            lambda scan: (scan.scan_date, scan.scanner_id),
        )
        added: list[tuple[str, date, int, dict[str, Measurement]]] = []
        # A list given as null is none (`parse_history`): `or`, not a default.
        raw_scans = self.raw.get("dexa_scans") or []
        for index, (scan, raw) in enumerate(zip(self.history.dexa_scans, raw_scans, strict=True)):
            scanner = scanners[scan.scanner]
            wanted = {site.value: (m.bmd, m.t_score, m.z_score) for site, m in scan.sites.items()}
            vfa = scan.vertebral_fracture_assessment
            tbs = file_decimal(raw.get("trabecular_bone_score"))
            same = partial(scan_holds, wanted=wanted, vfa=vfa, tbs=tbs)
            match = existing.get((scan.date, scanner.pk))
            if match is not None:
                if not same(match):
                    self.errors.append(
                        f"dexa_scans[{index}]: conflicts with the scan of {scan.date} on "
                        f"{scanner.name} already recorded"
                    )
                continue
            hidden = marked_match(marked[(scan.date, scanner.pk)], same)
            if hidden is not None:
                self.not_imported(f"dexa_scans[{index}]", hidden)
                continue
            clash = sorted(site for site in wanted if (scan.date, site) in measured_on)
            if clash:
                self.errors.append(
                    f"dexa_scans[{index}].sites.{clash[0]}: already measured on {scan.date}"
                )
                continue
            created = DexaScan.objects.create(
                patient=patient,
                scan_date=scan.date,
                scanner=scanner,
                vertebral_fracture_assessment=vfa.value if vfa is not None else "",
                trabecular_bone_score=tbs,
                entered_by=self.actor,
            )
            DexaMeasurement.objects.bulk_create(
                DexaMeasurement(scan=created, site=site, bmd=bmd, t_score=t, z_score=z)
                for site, (bmd, t, z) in wanted.items()
            )
            added.append(
                (
                    f"dexa_scans[{index}]",
                    scan.date,
                    scanner.pk,
                    {site: Measurement(*m) for site, m in wanted.items()},
                )
            )
            self._warn_missing_z_scores(index, patient, scan.date, wanted)
            self.audit_create(
                created,
                patient,
                {
                    "scan_date": scan.date,
                    "sites": sorted(wanted),
                    "vertebral_fracture_assessment": created.vertebral_fracture_assessment,
                    **({"trabecular_bone_score": tbs} if tbs is not None else {}),
                },
            )
        # The scan form's T-score checks: a file's scan failing one is refused, naming it.
        self.errors += history_scans_errors(patient=patient, added=added)

    def _warn_missing_z_scores(
        self, index: int, patient: Patient, day: date, wanted: Mapping[str, tuple[Any, ...]]
    ) -> None:
        """Warn of a new scan's sites with no Z-score for a patient read on Z-scores: the scan
        form requires it, the history format (z_score optional) does not, and a history already
        recorded elsewhere is imported as it is."""
        if not z_scores_read(patient, day):
            return
        sites = [MeasuredSite(site).label.lower() for site, m in wanted.items() if m[2] is None]
        if sites:
            self.report.warnings.append(
                f"dexa_scans[{index}]: the scan of {day} has no Z-score at the {', '.join(sites)}; "
                f"for a {Z_POPULATION_WORDS} the Z-score is the one read (imported as recorded)"
            )

    def labs(self, patient: Patient) -> None:
        existing: dict[tuple[Any, str], LabResult] = {
            (lab.sample_date, lab.analyte): lab
            for lab in LabResult.objects.filter(patient=patient, entered_in_error=False)
        }
        marked = marked_by_key(
            LabResult.objects.filter(patient=patient), lambda lab: (lab.sample_date, lab.analyte)
        )
        for index, (parsed, raw) in enumerate(
            zip(self.history.labs, self.raw.get("labs") or [], strict=True)
        ):
            unit = domain.normalize_unit(raw["unit"])
            entered = Decimal(str(raw["value"]))
            source = calcium_source(raw)
            same = partial(
                lab_holds, entered=entered, unit=unit, fasting=parsed.fasting, source=source
            )
            key = (parsed.date, parsed.analyte.value)
            match = existing.get(key)
            if match is not None:
                if not same(match):
                    self.errors.append(
                        f"labs[{index}]: conflicts with the {parsed.analyte.value} of "
                        f"{parsed.date} already recorded"
                    )
                continue
            hidden = marked_match(marked[key], same)
            if hidden is not None:
                self.not_imported(f"labs[{index}]", hidden)
                continue
            created = LabResult.objects.create(
                patient=patient,
                sample_date=parsed.date,
                analyte=parsed.analyte.value,
                value=canonical_value(parsed.analyte, entered, unit),
                entered_value=entered,
                entered_unit=unit,
                fasting=parsed.fasting,
                total_calcium=source.total if source else None,
                albumin=source.albumin if source else None,
                albumin_unit=source.albumin_unit if source else "",
                entered_by=self.actor,
            )
            existing[(parsed.date, parsed.analyte.value)] = created
            self.audit_create(created, patient, {"analyte": created.analyte})

    def frax(self, patient: Patient) -> None:
        existing = {
            (f.assessed_on, f.with_bmd): f
            for f in FraxResult.objects.filter(patient=patient, entered_in_error=False)
        }
        marked = marked_by_key(
            FraxResult.objects.filter(patient=patient), lambda f: (f.assessed_on, f.with_bmd)
        )
        for index, frax in enumerate(self.history.frax):
            values = {
                "major_osteoporotic_pct": frax.major_osteoporotic_pct,
                "hip_pct": frax.hip_pct,
            }
            key = (frax.date, frax.with_bmd)
            match = existing.get(key)
            if match is not None:
                if not holds(match, values):
                    self.errors.append(
                        f"frax[{index}]: conflicts with the FRAX {frax_kind(frax.with_bmd)} of "
                        f"{frax.date}"
                    )
                continue
            hidden = marked_match(marked[key], partial(holds, values=values))
            if hidden is not None:
                self.not_imported(f"frax[{index}]", hidden)
                continue
            created = FraxResult.objects.create(
                patient=patient,
                assessed_on=frax.date,
                with_bmd=frax.with_bmd,
                major_osteoporotic_pct=frax.major_osteoporotic_pct,
                hip_pct=frax.hip_pct,
                entered_by=self.actor,
            )
            # One result per day and kind within the file too: a second is a copy or a conflict.
            existing[(frax.date, frax.with_bmd)] = created
            self.audit_create(created, patient, {"assessed_on": frax.date})

    def therapy(self, patient: Patient) -> None:
        doses = Prefetch("doses", BoneTherapyDose.objects.select_related("error_marked_by"))
        existing = list(
            BoneTherapyCourse.objects.filter(
                patient=patient, entered_in_error=False
            ).prefetch_related(doses)
        )
        marked = list(
            BoneTherapyCourse.objects.filter(patient=patient, entered_in_error=True).select_related(
                "error_marked_by"
            )
        )
        for index, course in enumerate(self.history.bone_therapy):
            match = same_course(existing, course.drug, course.start_date)
            values = {
                "dose": course.dose or "",
                "stop_date": course.stop_date,
                "stop_reason": course.stop_reason or "",
                "dental_review_date": course.dental_review_date,
            }
            key = {"drug": course.drug.value, "start_date": course.start_date}
            hidden = marked_match(marked, partial(holds, values={**key, **values}))
            if match is None and hidden is not None:
                # Its doses are hidden with it (as on the patient page): none is imported.
                count = len(course.doses)
                with_doses = f" with its {count} dose{'s' * (count > 1)}" if count else ""
                self.not_imported(f"bone_therapy[{index}]{with_doses}", hidden)
                continue
            if match is None and (refusal := unsupported_regimen(course.drug, course.dose)):
                self.errors.append(f"bone_therapy[{index}].dose: {refusal}")
                continue
            if match is None:
                match = BoneTherapyCourse.objects.create(
                    patient=patient,
                    drug=course.drug.value,
                    start_date=course.start_date,
                    entered_by=self.actor,
                    **values,
                )
                existing.append(match)
                event = self.audit_create(match, patient, {"drug": match.drug})
                # A course planned without a start is judged when its start is recorded
                # (`services.safety_gate.course_starts_a_drug`, phys11 F12).
                if match.start_date is not None:
                    path = f"bone_therapy[{index}]"
                    self.given.append(
                        GivenTherapy(path, match, match.start_date, False, event, match)
                    )
            elif any(getattr(match, k) != v for k, v in values.items()):
                self.errors.append(
                    f"bone_therapy[{index}]: conflicts with the {match} already recorded"
                )
                continue
            given = {d.given_on for d in match.doses.all() if not d.entered_in_error}
            hidden_doses = [d for d in match.doses.all() if d.entered_in_error]
            for day in course.doses:
                hidden_dose = marked_match(hidden_doses, partial(holds, values={"given_on": day}))
                if day not in given and hidden_dose is not None:
                    path = f"bone_therapy[{index}].doses[{course.doses.index(day)}]"
                    self.not_imported(path, hidden_dose)
                    continue
                if day not in given:
                    dose = BoneTherapyDose.objects.create(
                        course=match, given_on=day, entered_by=self.actor
                    )
                    given.add(day)
                    event = self.audit_create(dose, patient, {"given_on": day})
                    path = f"bone_therapy[{index}].doses[{course.doses.index(day)}]"
                    self.given.append(GivenTherapy(path, match, day, True, event, dose))
