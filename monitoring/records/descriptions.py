"""A clinical entry described in one line with its date and values, enough to recognise it on a
page that acts on it (marking it entered in error: nurse11 #2), and to say what it reads now when
a colleague changed it after the page was shown (sec11 #1)."""

from django.utils import timezone

from bonehealth.audit.decimals import plain
from monitoring.models import (
    BoneTherapyCourse,
    BoneTherapyDose,
    DexaMeasurement,
    DexaScan,
    FraxResult,
    LabResult,
)
from monitoring.models.choices import Analyte, MeasuredSite
from patients.templatetags.patient_display import started

type Entry = DexaScan | LabResult | FraxResult | BoneTherapyCourse | BoneTherapyDose

# The order of the scan form and the patient's page, not the sites' alphabetical one.
SITE_ORDER = {site.value: index for index, site in enumerate(MeasuredSite)}


def entry_description(entry: Entry) -> str:
    """The entry with its date and values, as the patient's page shows them."""
    if isinstance(entry, DexaScan):
        return _scan(entry)
    if isinstance(entry, FraxResult):
        bmd = " with BMD" if entry.with_bmd else " without BMD"
        return (
            f"FRAX of {entry.assessed_on:%Y-%m-%d}{bmd}: major osteoporotic fracture "
            f"{plain(entry.major_osteoporotic_pct)} %, hip fracture {plain(entry.hip_pct)} %"
        )
    if isinstance(entry, BoneTherapyCourse):
        return _course(entry)
    if isinstance(entry, BoneTherapyDose):
        course = entry.course
        return (
            f"{course.get_drug_display()} dose given on {entry.given_on:%Y-%m-%d}, of the course "
            f"{started(course.start_date)}"
        )
    return _lab(entry)


def _lab(lab: LabResult) -> str:
    """The analyte, the value and unit as entered, the sample's date (and for CTX, whether the
    sample was fasting, which the response check reads)."""
    if lab.analyte == Analyte.CTX:
        return f"{lab}, {'fasting' if lab.fasting else 'not fasting'}"
    return str(lab)


def _measurement(m: DexaMeasurement) -> str:
    z = f", Z {m.z_score}" if m.z_score is not None else ""
    return f"{m.get_site_display()} {m.bmd} g/cm² (T {m.t_score}{z})"


def _scan(scan: DexaScan) -> str:
    sites = sorted(scan.measurements.all(), key=lambda m: SITE_ORDER.get(m.site, len(SITE_ORDER)))
    parts = [f"DEXA of {scan.scan_date:%Y-%m-%d} on {scan.scanner.name}"]
    parts.append("; ".join(_measurement(m) for m in sites) or "no site measured")
    extra = []
    if scan.trabecular_bone_score is not None:
        extra.append(f"TBS {scan.trabecular_bone_score}")
    if scan.vertebral_fracture_assessment:
        extra.append(scan.get_vertebral_fracture_assessment_display())
    if scan.reviewed_at is not None:
        extra.append(
            f"signed off by {scan.reviewed_by} on {timezone.localtime(scan.reviewed_at):%Y-%m-%d}"
        )
    else:
        extra.append("awaiting review")
    return ": ".join(parts) + f"; {', '.join(extra)}"


def _course(course: BoneTherapyCourse) -> str:
    drug = f"{course.get_drug_display()}{f' {course.dose}' if course.dose else ''}"
    text = f"{drug} {started(course.start_date)}"
    if course.stop_date:
        reason = f" ({course.stop_reason})" if course.stop_reason else ""
        text += f", stopped on {course.stop_date:%Y-%m-%d}{reason}"
    if course.dental_review_date:
        text += f", dental review {course.dental_review_date:%Y-%m-%d}"
    doses = list(course.doses.filter(entered_in_error=False).values_list("given_on", flat=True))
    if doses:
        count = f"{len(doses)} dose{'s' if len(doses) > 1 else ''}"
        text += f"; {count} recorded, the last on {max(doses):%Y-%m-%d}"
    return text
