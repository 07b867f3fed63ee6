"""The rows of a results file (CSV or FHIR) that hold a record marked entered in error.

A row is matched with the patient's marked scans and lab results as the plan matches it with the
recorded ones (`in_error_matches`): a lab by sample date and analyte, then its value as entered,
unit and fasting (`same_lab`, the one statement of both); a scan's site by day and scanner, then
its BMD and scores. Such a row is not imported: the plan lists it with the mark.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from functools import partial

from monitoring import domain
from monitoring.models import DexaScan, LabResult, Scanner
from monitoring.models.choices import Analyte, MeasuredSite
from monitoring.records.imports.readings import LabReading, SiteReading
from monitoring.records.in_error_matches import marked_by_key, marked_match, not_imported_line
from monitoring.records.services.scans import Measurement

ScanKey = tuple[int, date, int]  # patient, day, scanner
LabKey = tuple[int, date, str]  # patient, sample date, analyte


def same_lab(recorded: LabResult, reading: LabReading) -> bool:
    """Whether a result of the reading's patient, sample date and analyte holds its values."""
    return (
        recorded.entered_value == reading.value
        and domain.normalize_unit(recorded.entered_unit) == reading.unit
        and (reading.analyte != Analyte.CTX or recorded.fasting == reading.fasting)
    )


def marked_scans(patient_ids: Sequence[int]) -> defaultdict[ScanKey, list[DexaScan]]:
    """The patients' scans marked entered in error, by patient, day and scanner."""
    return marked_by_key(
        DexaScan.objects.filter(patient_id__in=list(patient_ids)).prefetch_related("measurements"),
        lambda scan: (scan.patient_id, scan.scan_date, scan.scanner_id),
    )


def marked_labs(patient_ids: Sequence[int]) -> defaultdict[LabKey, list[LabResult]]:
    """The patients' results marked entered in error, by patient, sample date and analyte."""
    return marked_by_key(
        LabResult.objects.filter(patient_id__in=list(patient_ids)),
        lambda lab: (lab.patient_id, lab.sample_date, lab.analyte),
    )


def _holds(scan: DexaScan, reading: SiteReading) -> bool:
    wanted = Measurement(reading.bmd, reading.t_score, reading.z_score)
    return any(
        m.site == reading.site and Measurement(m.bmd, m.t_score, m.z_score) == wanted
        for m in scan.measurements.all()
    )


def scan_readings_not_marked(
    members: list[tuple[SiteReading, Scanner]], marked: list[DexaScan], row_name: str
) -> tuple[list[tuple[SiteReading, Scanner]], list[str]]:
    """The readings of a scan not recorded (one day and scanner) that no scan marked entered in
    error holds with the same values; and a line for each other one, naming the mark."""
    kept, lines = [], []
    for reading, scanner in members:
        hidden = marked_match(marked, partial(_holds, reading=reading))
        if hidden is None:
            kept.append((reading, scanner))
            continue
        what = (
            f"{row_name} {reading.row}: {MeasuredSite(reading.site).label} "
            f"{reading.date:%Y-%m-%d} on {scanner.name}"
        )
        lines.append(not_imported_line(what, hidden))
    return kept, lines


def lab_row_marked(marked: list[LabResult], reading: LabReading, row_name: str) -> str | None:
    """The line naming the mark of a result marked entered in error that the reading's row holds
    (its patient, sample date and analyte: `marked`), if one does."""
    hidden = marked_match(marked, lambda lab: same_lab(lab, reading))
    if hidden is None:
        return None
    what = (
        f"{row_name} {reading.row}: {Analyte(reading.analyte).label} "
        f"{reading.value.normalize():f} {reading.unit} of {reading.date:%Y-%m-%d}"
    )
    return not_imported_line(what, hidden)
