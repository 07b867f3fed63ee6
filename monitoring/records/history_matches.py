"""When a record of an imported history is one the patient holds: recorded, which the import
skips (or refuses as a conflict when its values differ), or marked entered in error, which it does
not import (`in_error_matches`). One statement of each match, used for both.

The values the rules do not read (a scan's TBS, the total calcium and albumin of a calcium) are
read from the file as written, which `parse_history` checked.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from monitoring import domain
from monitoring.models import BoneTherapyCourse, DexaScan, LabResult
from monitoring.records.services.labs import TotalCalcium
from patients.models import AromataseInhibitorCourse


def same_course[C: (AromataseInhibitorCourse, BoneTherapyCourse)](
    existing: list[C], drug: str, start: date | None
) -> C | None:
    """The recorded course a file's course is: same drug, same start."""
    return next((c for c in existing if c.drug == drug and c.start_date == start), None)


def holds(record: Any, values: Mapping[str, Any]) -> bool:
    """Whether the record holds these values (field: value)."""
    return all(getattr(record, name) == value for name, value in values.items())


def scan_holds(
    scan: DexaScan,
    *,
    wanted: Mapping[str, tuple[Any, ...]],
    vfa: domain.VertebralFractureAssessment | None,
    tbs: Decimal | None,
) -> bool:
    """Whether a recorded scan (same day and scanner) is the file's: the same sites and values.
    A file without a VFA result or a TBS (as exports made before they were carried) leaves the
    recorded one alone; a different one is a conflict, never overwritten."""
    have = {m.site: (m.bmd, m.t_score, m.z_score) for m in scan.measurements.all()}
    return (
        have == wanted
        and (vfa is None or scan.vertebral_fracture_assessment == vfa.value)
        and (tbs is None or scan.trabecular_bone_score == tbs)
    )


def lab_holds(
    lab: LabResult, *, entered: Decimal, unit: str, fasting: bool, source: TotalCalcium | None
) -> bool:
    """Whether a recorded result (same day and analyte) is the file's: the value as entered, its
    unit and fasting; and for a calcium given with the total calcium and albumin it was worked out
    from, those (a file without them, as exports made before they were carried, leaves the
    recorded ones alone)."""
    recorded = (lab.entered_value, domain.normalize_unit(lab.entered_unit), lab.fasting)
    if recorded != (entered, unit, fasting):
        return False
    return source is None or (lab.total_calcium, lab.albumin, lab.albumin_unit) == (
        source.total,
        source.albumin,
        source.albumin_unit,
    )


def calcium_source(raw: Mapping[str, Any]) -> TotalCalcium | None:
    """The total calcium and albumin of a file's calcium (`parse_history` checked them)."""
    if raw.get("total_calcium") is None:
        return None
    return TotalCalcium(
        total=Decimal(str(raw["total_calcium"])),
        albumin=Decimal(str(raw["albumin"])),
        albumin_unit=raw["albumin_unit"],
    )


def file_decimal(raw: Any) -> Decimal | None:
    """A number of the file that `parse_history` checked, as written; None when absent."""
    return None if raw is None else Decimal(str(raw))
