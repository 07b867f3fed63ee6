"""Readings checked against the patients a user may see and their records: the import's plan.

The plan says, per patient, which scans and lab samples would be created, which rows are
already recorded with the same values (skipped: importing a file twice changes nothing) and which
rows hold a record marked entered in error (not imported: `marked_rows`). Every
reading that cannot be imported is a problem naming its row: an MRN the user may not see (never
told apart from one that does not exist), a date in the future or before birth, a scanner the
patient's site lacks, a duplicate within the file, or a value that contradicts the record.

Building a plan only reads: `writing` builds it again under the patients' locks and writes it.
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.forms import EARLIEST_DATE
from monitoring.models import DexaScan, LabResult, Scanner
from monitoring.models.choices import Analyte, MeasuredSite
from monitoring.records.imports.files import Problem
from monitoring.records.imports.marked_rows import (
    lab_row_marked,
    marked_labs,
    marked_scans,
    same_lab,
    scan_readings_not_marked,
)
from monitoring.records.imports.readings import LabReading, Reading, SiteReading
from monitoring.records.score_checks import IF_RIGHT, added_scans_score_problems
from monitoring.records.services.labs import LabEntry
from monitoring.records.services.scans import Measurement
from patients.models import Patient
from patients.selectors import patients_for_user

# The column of a scan's row holding the value an entry check asks about (`Question.part`).
SCAN_COLUMN_OF = {"bmd": "value", "t_score": "t_score"}


@dataclass
class PlannedScan:
    date: date
    scanner: Scanner
    measurements: dict[str, Measurement]
    rows: list[int]

    def __str__(self) -> str:
        sites = "; ".join(
            f"{MeasuredSite(site).label} {m.bmd} g/cm², T {m.t_score}"
            + (f", Z {m.z_score}" if m.z_score is not None else "")
            for site, m in sorted(self.measurements.items())
        )
        return f"DEXA scan {self.date:%Y-%m-%d} on {self.scanner.name}: {sites}"


@dataclass
class PlannedSample:
    date: date
    fasting: bool
    entries: list[LabEntry]
    rows: list[int]

    def __str__(self) -> str:
        results = "; ".join(
            f"{Analyte(e.analyte).label} {e.value.normalize():f} {e.unit}{self._fasting(e)}"
            for e in self.entries
        )
        return f"Labs {self.date:%Y-%m-%d}: {results}"

    def _fasting(self, entry: LabEntry) -> str:
        """Said of the CTX alone, the one result whose fasting is recorded (nurse14 #11: the
        whole sample was headed "(fasting)")."""
        if entry.analyte != Analyte.CTX:
            return ""
        return " (fasting)" if self.fasting else " (not fasting)"


@dataclass
class PatientPlan:
    patient: Patient
    scans: list[PlannedScan] = field(default_factory=list)
    samples: list[PlannedSample] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)  # rows already recorded, as shown
    # Rows holding a record marked entered in error, with the mark: not imported.
    in_error: list[str] = field(default_factory=list)

    @property
    def creates(self) -> list[str]:
        return [str(scan) for scan in self.scans] + [str(sample) for sample in self.samples]

    @property
    def changes(self) -> bool:
        return bool(self.scans or self.samples)


@dataclass
class ImportPlan:
    patients: list[PatientPlan]
    problems: list[Problem]
    rows: int
    # Every patient the file's MRNs named among the user's, whose records the plan read (its
    # problems may quote them): the preview's audit row names them.
    consulted: list[int] = field(default_factory=list)

    @property
    def created_scans(self) -> int:
        return sum(len(p.scans) for p in self.patients)

    @property
    def created_labs(self) -> int:
        return sum(len(s.entries) for p in self.patients for s in p.samples)

    @property
    def skipped(self) -> int:
        return sum(len(p.existing) for p in self.patients)

    @property
    def not_imported(self) -> int:
        """The rows holding a record marked entered in error."""
        return sum(len(p.in_error) for p in self.patients)

    @property
    def summary(self) -> str:
        """What the plan creates, for people: 1 DEXA scan and 2 lab results for 1 patient."""
        patients = sum(1 for p in self.patients if p.changes)
        marked = (
            f"; {counted(self.not_imported, 'row')} marked entered in error, not imported"
            if self.not_imported
            else ""
        )
        return (
            f"{counted(self.created_scans, 'DEXA scan')} and "
            f"{counted(self.created_labs, 'lab result')} for {counted(patients, 'patient')}; "
            f"{counted(self.skipped, 'row')} already recorded{marked}"
        )

    @property
    def changes(self) -> bool:
        """Whether confirming would write anything."""
        return any(p.changes for p in self.patients)

    def digest(self) -> str:
        """A fingerprint of what the plan would write and leave out: a confirm checks it is what
        was shown."""
        shown = [(p.patient.pk, p.creates, p.in_error) for p in self.patients]
        return hashlib.sha256(repr(shown).encode()).hexdigest()


def counted(count: int, one: str, many: str = "") -> str:
    """`count` with its noun: 1 DEXA scan, 2 DEXA scans."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def _problem(reading: Reading, column: str, message: str, row_name: str) -> Problem:
    return Problem(message, row=reading.row, column=column, row_name=row_name)


class _Planner:
    def __init__(self, *, user: User, site: Site | None, row_name: str) -> None:
        self.user = user
        self.site = site
        self.row_name = row_name
        self.problems: list[Problem] = []
        self.consulted: list[int] = []

    def problem(self, reading: Reading, column: str, message: str) -> None:
        self.problems.append(_problem(reading, column, message, self.row_name))

    def patients(self, readings: Sequence[Reading]) -> dict[str, Patient]:
        """The one patient each MRN names among those the user may see."""
        visible = patients_for_user(user=self.user).filter(mrn__in={r.mrn for r in readings})
        if self.site is not None:
            visible = visible.filter(site=self.site)
        by_mrn: dict[str, list[Patient]] = defaultdict(list)
        for patient in visible.order_by("pk"):
            by_mrn[patient.mrn].append(patient)
            self.consulted.append(patient.pk)
        found = {}
        where = f" at {self.site.name}" if self.site is not None else ""
        for reading in readings:
            candidates = by_mrn.get(reading.mrn, [])
            if not candidates:
                self.problem(
                    reading, "mrn", f"no patient with MRN {reading.mrn} among your patients{where}"
                )
            elif len(candidates) > 1:
                sites = ", ".join(sorted(p.site.code for p in candidates))
                self.problem(
                    reading,
                    "mrn",
                    f"MRN {reading.mrn} is at several of your sites ({sites}): choose the site",
                )
            else:
                found[reading.mrn] = candidates[0]
        return found

    def dated(self, reading: Reading, patient: Patient) -> bool:
        if reading.date < EARLIEST_DATE:  # as the entry forms say it (a typo such as 0202)
            self.problem(
                reading, "date", f"{reading.date.isoformat()} is before {EARLIEST_DATE:%Y-%m-%d}"
            )
            return False
        if reading.date > timezone.localdate():
            self.problem(reading, "date", f"{reading.date:%Y-%m-%d} is in the future")
            return False
        if reading.date < patient.birth_date:
            self.problem(
                reading, "date", f"{reading.date:%Y-%m-%d} is before the patient's date of birth"
            )
            return False
        return True


def _shown(value: Decimal | None) -> str:
    return "-" if value is None else f"{value.normalize():f}"


def build_plan(
    readings: Sequence[Reading],
    *,
    user: User,
    site: Site | None = None,
    row_name: str = "row",
    problems: Sequence[Problem] = (),
) -> ImportPlan:
    """Check the readings against the patients `user` may see (at `site`) and their records.

    `problems` are those found reading the file; the plan lists them with its own, by row.
    """
    planner = _Planner(user=user, site=site, row_name=row_name)
    patients = planner.patients(readings)
    usable = [r for r in readings if r.mrn in patients and planner.dated(r, patients[r.mrn])]
    site_readings = [r for r in usable if isinstance(r, SiteReading)]
    lab_readings = [r for r in usable if isinstance(r, LabReading)]
    plans = {p.pk: PatientPlan(patient=p) for p in patients.values()}

    scanners = {
        (s.site_id, s.name): s
        for s in Scanner.objects.filter(
            site_id__in={p.site_id for p in patients.values()},
            name__in={r.scanner for r in site_readings},
        )
    }
    _plan_scans(planner, patients, scanners, site_readings, plans)
    _plan_labs(planner, patients, lab_readings, plans)
    touched = sorted(
        (p for p in plans.values() if p.changes or p.existing or p.in_error),
        key=lambda p: p.patient.mrn,
    )
    found = sorted([*problems, *planner.problems], key=lambda p: p.row or 0)
    return ImportPlan(
        patients=touched,
        problems=found,
        rows=len(readings) + len(problems),
        consulted=planner.consulted,
    )


def _plan_scans(
    planner: _Planner,
    patients: dict[str, Patient],
    scanners: dict[tuple[int, str], Scanner],
    readings: list[SiteReading],
    plans: dict[int, PatientPlan],
) -> None:
    seen: dict[tuple[int, date, str], SiteReading] = {}
    groups: dict[tuple[int, date, int], list[tuple[SiteReading, Scanner]]] = defaultdict(list)
    read_as: dict[int, dict[str, SiteReading]] = {}  # each planned scan's readings, by site
    for reading in readings:
        patient = patients[reading.mrn]
        scanner = scanners.get((patient.site_id, reading.scanner))
        if scanner is None:
            planner.problem(
                reading,
                "scanner",
                f"no scanner named {reading.scanner!r} at {patient.site.name} (an administrator "
                "adds it under Scanners)",
            )
            continue
        key = (patient.pk, reading.date, reading.site)
        first = seen.get(key)
        if first is not None:
            same = "a duplicate of" if first.scanner == reading.scanner else "also measured in"
            planner.problem(
                reading,
                "measure",
                f"{MeasuredSite(reading.site).label} on {reading.date:%Y-%m-%d}: {same} row "
                f"{first.row}",
            )
            continue
        seen[key] = reading
        groups[(patient.pk, reading.date, scanner.pk)].append((reading, scanner))

    recorded = {
        (scan.patient_id, scan.scan_date, scan.scanner_id): scan
        for scan in DexaScan.objects.filter(patient_id__in=list(plans), entered_in_error=False)
        .select_related("scanner")
        .prefetch_related("measurements")
    }
    measured = {
        (scan.patient_id, scan.scan_date, m.site): scan
        for scan in recorded.values()
        for m in scan.measurements.all()
    }
    marked = marked_scans(list(plans))
    for (patient_id, day, scanner_id), group in groups.items():
        scanner = group[0][1]
        plan = plans[patient_id]
        scan = recorded.get((patient_id, day, scanner_id))
        members = group
        if scan is None:
            members, hidden = scan_readings_not_marked(
                group, marked[(patient_id, day, scanner_id)], planner.row_name
            )
            plan.in_error += hidden
            if not members:
                continue
        if scan is not None:
            have = {
                m.site: Measurement(bmd=m.bmd, t_score=m.t_score, z_score=m.z_score)
                for m in scan.measurements.all()
            }
            for reading, _ in members:
                wanted = Measurement(reading.bmd, reading.t_score, reading.z_score)
                current = have.get(reading.site)
                if current == wanted:
                    plan.existing.append(
                        f"{planner.row_name} {reading.row}: {MeasuredSite(reading.site).label} "
                        f"{day:%Y-%m-%d} on {scanner.name}"
                    )
                elif current is None:
                    planner.problem(
                        reading,
                        "measure",
                        f"the scan of {day:%Y-%m-%d} on {scanner.name} is recorded without this "
                        "site; add it by correcting that scan on the patient page",
                    )
                else:
                    planner.problem(
                        reading,
                        "value",
                        f"differs from the recorded {MeasuredSite(reading.site).label} of "
                        f"{day:%Y-%m-%d} (BMD {_shown(current.bmd)}, T {_shown(current.t_score)}, "
                        f"Z {_shown(current.z_score)}); correct that scan on the patient page",
                    )
            continue
        clash = [r for r, _ in members if (patient_id, day, r.site) in measured]
        for reading in clash:
            other = measured[(patient_id, day, reading.site)]
            planner.problem(
                reading,
                "scanner",
                f"{MeasuredSite(reading.site).label} of {day:%Y-%m-%d} is recorded already from "
                f"another scanner ({other.scanner.name})",
            )
        if clash:
            continue
        planned = PlannedScan(
            date=day,
            scanner=scanner,
            measurements={
                r.site: Measurement(bmd=r.bmd, t_score=r.t_score, z_score=r.z_score)
                for r, _ in members
            },
            rows=[r.row for r, _ in members],
        )
        plan.scans.append(planned)
        read_as[id(planned)] = {r.site: r for r, _ in members}
    for plan in plans.values():
        plan.scans.sort(key=lambda s: (s.date, s.scanner.name))
        _check_scores(planner, plan, read_as)


def _check_scores(
    planner: _Planner, plan: PatientPlan, read_as: dict[int, dict[str, SiteReading]]
) -> None:
    """The scan form's entry checks of each scan the file adds (`score_checks`: its T-scores,
    and a BMD change of at least the LSC within days): each is a problem of its row, in the
    column of the value asked about, as an implausible value is."""
    found = added_scans_score_problems(
        patient=plan.patient,
        scans=[(scan.date, scan.scanner.pk, scan.measurements) for scan in plan.scans],
    )
    for scan, problems in zip(plan.scans, found, strict=True):
        for site, questions in problems.items():
            for part, words in questions:
                column = SCAN_COLUMN_OF[part]
                planner.problem(read_as[id(scan)][site], column, f"{words} {IF_RIGHT}")


def _plan_labs(
    planner: _Planner,
    patients: dict[str, Patient],
    readings: list[LabReading],
    plans: dict[int, PatientPlan],
) -> None:
    recorded = {
        (lab.patient_id, lab.sample_date, lab.analyte): lab
        for lab in LabResult.objects.filter(patient_id__in=list(plans), entered_in_error=False)
    }
    marked = marked_labs(list(plans))
    seen: dict[tuple[int, date, str], LabReading] = {}
    samples: dict[tuple[int, date], PlannedSample] = {}
    for reading in readings:
        patient = patients[reading.mrn]
        key = (patient.pk, reading.date, reading.analyte)
        label = Analyte(reading.analyte).label
        first = seen.get(key)
        if first is not None:
            planner.problem(
                reading,
                "measure",
                f"{label} of {reading.date:%Y-%m-%d}: a duplicate of {planner.row_name} "
                f"{first.row}",
            )
            continue
        seen[key] = reading
        existing = recorded.get(key)
        if existing is not None:
            if same_lab(existing, reading):
                plans[patient.pk].existing.append(
                    f"{planner.row_name} {reading.row}: {label} {reading.date:%Y-%m-%d}"
                )
            else:
                planner.problem(
                    reading,
                    "value",
                    f"differs from the recorded {label} of {reading.date:%Y-%m-%d} "
                    f"({_shown(existing.entered_value)} {existing.entered_unit}"
                    f"{', fasting' if existing.fasting else ''}); correct it on the patient page",
                )
            continue
        hidden = lab_row_marked(marked[key], reading, planner.row_name)
        if hidden is not None:
            plans[patient.pk].in_error.append(hidden)
            continue
        sample = samples.get((patient.pk, reading.date))
        if sample is None:
            sample = samples[(patient.pk, reading.date)] = PlannedSample(
                date=reading.date, fasting=False, entries=[], rows=[]
            )
            plans[patient.pk].samples.append(sample)
        sample.entries.append(LabEntry(reading.analyte, reading.value, reading.unit))
        sample.rows.append(reading.row)
        sample.fasting = sample.fasting or reading.fasting
    for plan in plans.values():
        plan.samples.sort(key=lambda s: s.date)
