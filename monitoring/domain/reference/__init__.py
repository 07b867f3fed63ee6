"""What each rule checks, in words a clinician reads, with the numbers of `thresholds.py`.

The rules reference (`manage.py rules_reference`, docs/clinical-rules.md and the in-app Rules
page) is built from this package; every number in it is read from `thresholds.py`, never retyped.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from .. import thresholds as th
from ..types import RuleId
from . import assessment, denosumab, high_labs, safety
from .model import Output, RuleEntry, Section

__all__ = [
    "ALERT_LIFECYCLE",
    "CONVENTIONS",
    "SECTIONS",
    "SOURCES",
    "Output",
    "RuleEntry",
    "Section",
    "entries",
]

# The project's own denosumab rules (phys14) follow DMAB-STOP; the high results (nurse13 #1) close
# the labs and drug safety section.
_LABS_AND_SAFETY, *_AFTER = safety.SECTIONS
_STOP = next(n for n, entry in enumerate(_LABS_AND_SAFETY.rules) if entry.rule is RuleId.DMAB_STOP)
SECTIONS: Final[tuple[Section, ...]] = (
    *assessment.SECTIONS,
    replace(
        _LABS_AND_SAFETY,
        rules=(
            *_LABS_AND_SAFETY.rules[: _STOP + 1],
            *denosumab.ENTRIES,
            *_LABS_AND_SAFETY.rules[_STOP + 1 :],
            *high_labs.ENTRIES,
        ),
    ),
    *_AFTER,
)

SOURCES: Final = {
    "WHO 1994": "World Health Organization study group: assessment of fracture risk and its "
    "application to screening for postmenopausal osteoporosis (1994).",
    "ISCD": "International Society for Clinical Densitometry, official positions (precision "
    "studies and least significant change; Z-scores before the menopause and in men under 50).",
    "Hadji 2017": "Hadji et al., joint position statement on aromatase-inhibitor associated bone "
    "loss, J Bone Oncol 2017;7:1-12.",
    "ASCO 2019": "Shapiro et al., management of osteoporosis in survivors of adult cancers, "
    "ASCO guideline, J Clin Oncol 2019;37:2916.",
    "ESMO 2020": "Coleman et al., bone health in cancer, ESMO guideline, Ann Oncol 2020;31:1650.",
    "AACE 2020": "American Association of Clinical Endocrinologists, postmenopausal "
    "osteoporosis guideline (2020).",
    "BHOF 2022": "Bone Health and Osteoporosis Foundation, clinician's guide (2022).",
    "ASBMR 2016": "Adler et al., managing osteoporosis in patients on long-term bisphosphonate "
    "treatment, report of a task force of the ASBMR, J Bone Miner Res 2016;31:16-35.",
    "IOF-ECTS 2017": "Diez-Perez et al., bone turnover markers to monitor treatment (IOF and "
    "ECTS; least significant changes from the TRIO study), 2017.",
    "IOF 2012": "Diez-Perez et al., treatment failure in osteoporosis (working group of the IOF "
    "Committee of Scientific Advisors), Osteoporos Int 2012;23:2769-2774.",
    "ECTS 2021": "Tsourdi et al., fracture risk and management of discontinuation of "
    "denosumab therapy, systematic review and position statement of the ECTS, J Clin Endocrinol "
    "Metab 2021;106:264.",
    "Lyu 2020": "Lyu et al., delay of denosumab doses and fracture risk, Ann Intern Med "
    "2020;173:516.",
    "ATAC": "Eastell et al., bone loss on anastrozole in the ATAC trial (2006 and 2008).",
    "Endocrine Society 2011": "Holick et al., Endocrine Society guideline on vitamin D "
    "deficiency (2011).",
    "Society for Endocrinology 2016": "Walsh, Gittoes and Selby, Society for Endocrinology "
    "emergency guidance: emergency management of acute hypercalcaemia in adult patients, "
    "Endocr Connect 2016;5:G9-G11.",
    "drug labels": "Product labels of zoledronic acid, alendronate, risedronate, ibandronate "
    "and denosumab.",
    "labels of zoledronic acid and denosumab": "Product labels of zoledronic acid and denosumab.",
    # nurse9 F1: a reader looked for these. The two articles name no author, journal or date.
    "Seed-A": "The first of the two articles the project's rules started from: an unsigned web "
    "article on monitoring bone health while taking anastrozole (no author, journal or date "
    "given). It is not a guideline; where a published one says the same, it is cited beside it.",
    "Seed-B": "The second of the two articles the project's rules started from: an unsigned "
    "web article on anastrozole's effect on bone and its assessment (no author, journal or date "
    "given). It is not a guideline; where a published one says the same, it is cited beside it.",
    "design choice": "A number or reading no source fixes, chosen by the project and marked so.",
}

CONVENTIONS: Final = (
    "Every judgement is made for one date, the assessment date, passed in; nothing reads a "
    "clock. Scans, labs, FRAX results and doses dated after it are ignored, and a fracture "
    "dated after it counts as absent. A field missing from the history means absent.",
    "Each site's current value is its latest measurement on or before the assessment date. The "
    "lowest T-score is the lowest current T-score of lumbar spine, total hip and femoral neck "
    "(the 1/3 radius only when none of the three was ever measured); a tie goes to the spine, "
    "then the hip, then the neck.",
    "Arithmetic is decimal on the values as entered, rounded half away from zero before any "
    "comparison: T-scores, FRAX, BMI and percentages to 0.1, BMD differences to 0.001 g/cm², "
    "lab values (after unit conversion) to 0.01. A 25-OH vitamin D is judged in the unit it was "
    "entered in, against the limits as written in that unit, with no conversion and so no "
    "rounding (VITD).",
    "Age is in completed years. 'N months after' a date keeps the day of the month, or the "
    "month's last day when it has no such day; 5 years are 60 months and a week 7 days. "
    "'Within' and 'until' include their end date.",
    f"For VITD, CA-LOW and RENAL a lab result counts for {th.LAB_VALID_MONTHS} months; an older "
    "one is treated as not on file. The bone-turnover rules use their own windows.",
    "A course (aromatase inhibitor or bone therapy) is planned (no start date yet, or a start "
    "after the assessment date), active (started, not stopped) or stopped. 'Planned or started "
    f"within {th.RECENT_START_MONTHS} months' means planned, or started at most "
    f"{th.RECENT_START_MONTHS} months before the assessment date. Antiresorptives are the oral "
    "bisphosphonates (alendronate, risedronate, ibandronate), zoledronic acid and denosumab.",
    "Severity, highest first: critical (a safety block: do not give the drug now), high (act "
    "now), warning (review soon), info.",
)

# What the application does with the alerts of successive assessments (monitoring/services).
ALERT_LIFECYCLE: Final = (
    "Each assessment raises a code at most once, except the two loss alerts, which are raised "
    "once per site.",
    "The application keeps at most one open alert per patient, code and site. A code raised "
    "again stays the same open alert; a code no longer raised is closed, with the time it "
    "cleared.",
    "A higher severity opens a new alert, which needs acknowledging again; a lower severity "
    "updates the open alert and keeps its acknowledgement.",
    "Nurses acknowledge info and warning alerts; high and critical alerts need a physician. Every "
    "acknowledgement carries a note. No alert is ever deleted: raised, acknowledged and cleared "
    "times all stay on the record.",
    "An alert asking for a therapy decision (BONE_THERAPY_INDICATED, "
    "DENOSUMAB_STOPPED_NO_FOLLOW_ON, DENOSUMAB_REVIEW_AI_ENDED, BISPHOSPHONATE_DURATION_REVIEW, "
    "BTM_RESPONSE_INADEQUATE, FRACTURE_ON_THERAPY, RENAL_CONTRAINDICATION: cancel or switch the "
    "drug, HYPOCALCEMIA: hold the dose) is acknowledged only by one who may decide "
    "bone-protective therapy (a physician): a nurse's note records that she has seen it, and the "
    "alert stays unacknowledged, on the physician's worklist, until a physician acknowledges it.",
)


def entries() -> tuple[RuleEntry, ...]:
    """Return every rule entry, in reference order."""
    return tuple(entry for section in SECTIONS for entry in section.rules)
