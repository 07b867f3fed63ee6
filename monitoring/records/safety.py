"""The pre-treatment checklist: what the rules' gates would say if the drug were started or the
dose given.

A what-if assessment: the patient's history with the planned course (or dose) as its only bone
therapy, run through `domain.assess` unchanged, then the gate alerts read back, one check each:
vitamin D (VITD), albumin-adjusted calcium (CA-LOW), kidney function (RENAL) and the dental review
(DENTAL); for a dose of denosumab or zoledronic acid, also the time since the previous dose
(`domain.dose_interval`, checked in `dose_safety.py`). The rules stay the one statement of each
threshold; this module only decides which of their alerts stop a save until someone overrides
them with a reason, and which only a physician may override.

Kidney function with none of the last 12 months on file fails for every drug: the spec names
RENAL_FUNCTION_UNKNOWN for zoledronic acid only, and the rules read it conservatively for the
others (alendronate contraindicated below 35 mL/min, risedronate and ibandronate below 30,
denosumab's severe hypocalcaemia risk below 30: none can be checked against an unknown value), so
they raise it on an oral bisphosphonate's start and before every denosumab injection
(`domain.rules.labs`, physician10 F4). This check was "Not checked" for them before.

The kidney row shows the value that speaks last for the drug as RENAL reads it
(`domain.rules.kidney.KidneyReading`): the kidney function judged, or a newer creatinine's
Cockcroft-Gault estimate below the drug's limit, which RENAL then raises RENAL_FUNCTION_UNKNOWN
(high) for (phys14 #1: "Passed 80 mL/min/1.73 m²" of June beside a creatinine of November whose
estimate was 19 mL/min). One statement for both, so the row never passes what the alert flags.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.utils import timezone

from monitoring import domain
from monitoring.assessment.history_document import history_from_records
from monitoring.domain import AlertCode, Analyte, RuleId, lab_limits
from monitoring.domain.dates import window_start
from monitoring.domain.dental_review import ReviewStanding, review_standing
from monitoring.domain.rounding import round_2
from monitoring.domain.rules.context import build_context
from monitoring.domain.rules.kidney import KidneyFunction, judged_kidney_function, kidney_reading
from monitoring.domain.rules.labs import KIDNEY_LIMITS
from monitoring.domain.thresholds import CALCIUM_LOW_BELOW, LAB_VALID_MONTHS
from monitoring.domain.types import PARENTERAL_DRUGS
from monitoring.models import BoneTherapyCourse
from monitoring.models.choices import SafetyCheck
from monitoring.records.selectors import patients_with_records
from patients.models import Patient


class CheckStatus(StrEnum):
    PASSED = "passed"
    CAUTION = "caution"  # the rules note something, not enough to stop the drug
    # A high alert the rules word as no contraindication (denosumab below 30 mL/min: a risk of
    # severe hypocalcaemia, HYPOCALCEMIA_RISK_RENAL): "Caution" on the page, as its text says
    # (phys13 F15c: "Failed" beside "not contraindicated"), yet, high, it stops the save until a
    # physician overrides it with a reason, as a failed check of that severity does.
    PHYSICIAN_CAUTION = "physician_caution"
    FAILED = "failed"
    # The rules do not judge this for this drug (the dental review before an oral
    # bisphosphonate), or judge only a result on file and there is none of the last 12 months
    # (calcium before an oral bisphosphonate; no longer kidney function, which every drug asks
    # for: physician10 F4). "Passed" there read as a check that had been made (physician7 F13);
    # never a gate.
    NOT_CHECKED = "not_checked"


# The statuses that stop a save until someone overrides them (`Check.failed`).
STOPS_THE_SAVE = frozenset({CheckStatus.FAILED, CheckStatus.PHYSICIAN_CAUTION})

ALL_DRUGS = frozenset(domain.BoneTherapyDrug)

# A failed check whose alert is this severe or more (or a dose too early, `dose_safety`) is
# overridden only by a physician: the severity from which clinical-rules.md lets only physicians
# acknowledge an alert. The others by whoever records the start or dose, with a reason.
PHYSICIAN_OVERRIDE_FROM = domain.Severity.HIGH
# The alerts that make a check a caution for a physician (`CheckStatus.PHYSICIAN_CAUTION`), not a
# failure, when they are all the check raises.
PHYSICIAN_CAUTION_CODES = frozenset({AlertCode.HYPOCALCEMIA_RISK_RENAL})


@dataclass(frozen=True)
class CheckSpec:
    key: SafetyCheck
    label: str
    rule: RuleId
    analytes: tuple[Analyte, ...]  # the lab the check reads, the first preferred on one date
    codes: frozenset[AlertCode]
    # The drugs whose result the rule judges when one is on file, and those for which it also
    # asks for one (none on file raises an alert): as monitoring/domain/rules/labs.py and
    # docs/clinical-rules.md (VITD, CA-LOW, RENAL, DENTAL) state them.
    judged_for: frozenset[domain.BoneTherapyDrug] = ALL_DRUGS
    required_for: frozenset[domain.BoneTherapyDrug] = ALL_DRUGS


CHECK_SPECS: tuple[CheckSpec, ...] = (
    CheckSpec(
        SafetyCheck.VITAMIN_D,
        SafetyCheck.VITAMIN_D.label,
        RuleId.VITD,
        (Analyte.VITAMIN_D_25OH,),
        frozenset(
            {
                AlertCode.VITAMIN_D_DEFICIENT,
                AlertCode.VITAMIN_D_INSUFFICIENT,
                AlertCode.VITAMIN_D_NOT_MEASURED,
            }
        ),
    ),
    CheckSpec(
        SafetyCheck.CALCIUM,
        SafetyCheck.CALCIUM.label,
        RuleId.CA_LOW,
        (Analyte.CALCIUM,),
        # CALCIUM_LOW (CA-LOW-OTHER) judges a result on file before an oral bisphosphonate, whose
        # label makes hypocalcaemia a contraindication (nurse10 F1); only CA-LOW asks for one.
        frozenset({AlertCode.HYPOCALCEMIA, AlertCode.CALCIUM_NOT_MEASURED, AlertCode.CALCIUM_LOW}),
        required_for=PARENTERAL_DRUGS,
    ),
    CheckSpec(
        SafetyCheck.RENAL,
        SafetyCheck.RENAL.label,
        RuleId.RENAL,
        (Analyte.CRCL, Analyte.EGFR),
        frozenset(
            {
                AlertCode.RENAL_CONTRAINDICATION,
                AlertCode.RENAL_DOSE_CHECK,
                AlertCode.RENAL_FUNCTION_UNKNOWN,
                AlertCode.HYPOCALCEMIA_RISK_RENAL,
            }
        ),
        # Asked for before every drug (none on file: RENAL_FUNCTION_UNKNOWN, module docstring).
    ),
    CheckSpec(
        SafetyCheck.DENTAL,
        SafetyCheck.DENTAL.label,
        RuleId.DENTAL,
        (),
        frozenset({AlertCode.DENTAL_REVIEW_MISSING}),
        judged_for=PARENTERAL_DRUGS,
        required_for=PARENTERAL_DRUGS,
    ),
)


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    rule: RuleId  # its entry on the Rules page (/rules/#RULE)
    status: CheckStatus
    value: str  # the latest value with its unit, or "" when there is none
    date: date | None  # the date of that value
    messages: tuple[str, ...]  # the rules' alerts of this check, as they would be raised
    analyte: str = ""  # the analyte of `value`, for the page to show it in the site's unit
    # The result `value` quotes (as entered), which the page writes as the labs table does
    # (`lab_values.shown_result`): 20.93 nmol/L stays 20.93, where the rounded 8.39 ng/mL would
    # read 20.94.
    result: domain.LabResult | None = None
    # Why a check is not made (NOT_CHECKED), in words; or what a passed check took the dose for
    # (a course's first dose given after its start: `dose_safety`).
    note: str = ""
    # Failed, it is overridden only by a physician (`PHYSICIAN_OVERRIDE_FROM`).
    physician_override: bool = False
    # A result dated after the dose's own day (`later_results`), not a check of that day.
    after_dose: bool = False

    @property
    def failed(self) -> bool:
        """Whether the check stops the save until overridden: failed, or a caution only a
        physician accepts (`CheckStatus.PHYSICIAN_CAUTION`)."""
        return self.status in STOPS_THE_SAVE

    @property
    def rules(self) -> tuple[RuleId, ...]:
        """The rule ids the page links to the Rules page."""
        return (self.rule,)

    @property
    def override_words(self) -> str:
        """Who may override this check, for a failed one ("" otherwise)."""
        if not self.failed:
            return ""
        return "a physician only" if self.physician_override else "with a reason"


@dataclass(frozen=True)
class Checklist:
    drug: domain.BoneTherapyDrug
    as_of: date
    checks: tuple[Check, ...]
    # A dose recorded in the last hours that this one falls too close to, as the question the
    # one recording it answers ("is this the same injection?", `dose_safety`); "" for none.
    same_injection: str = ""

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.failed)

    @property
    def later_results(self) -> tuple[Check, ...]:
        """The rows of results dated after the dose's day (`later_results`)."""
        return tuple(check for check in self.checks if check.after_dose)

    @property
    def override_needs_physician(self) -> bool:
        return any(check.physician_override for check in self.failed)

    @property
    def drug_name(self) -> str:
        return self.drug.replace("_", " ")

    def audit_summary(self) -> list[dict[str, str]]:
        """The failed checks as the audit trail keeps them with an override."""
        return [
            {
                "check": check.key,
                "rule": str(check.rule),
                "value": check.value,
                "date": check.date.isoformat() if check.date else "",
                "messages": " ".join(check.messages),
            }
            for check in self.failed
        ]


def _physician_caution(alert: domain.Alert, drug: domain.BoneTherapyDrug) -> bool:
    """Whether `alert` is a caution for a physician (`CheckStatus.PHYSICIAN_CAUTION`): one of
    `PHYSICIAN_CAUTION_CODES`; or, before denosumab, RENAL_FUNCTION_UNKNOWN at high, which the
    rules raise only for a newer creatinine whose estimate is below its 30 mL/min (phys14 #1:
    the same risk of severe hypocalcaemia, not yet measured, so no more than a measured value
    below 30 says). The what-if history holds the one course, so the alert is about `drug`."""
    if alert.code in PHYSICIAN_CAUTION_CODES:
        return True
    return (
        drug is domain.BoneTherapyDrug.DENOSUMAB
        and alert.code is AlertCode.RENAL_FUNCTION_UNKNOWN
        and alert.severity is domain.Severity.HIGH
    )


def _status(alerts: Sequence[domain.Alert], drug: domain.BoneTherapyDrug) -> CheckStatus:
    """Failed from a warning up; vitamin D never measured fails before zoledronic acid or
    denosumab (the rules raise it as information, as it concerns every patient)."""
    if not alerts:
        return CheckStatus.PASSED
    if all(_physician_caution(alert, drug) for alert in alerts):
        return CheckStatus.PHYSICIAN_CAUTION
    for alert in alerts:
        if alert.severity.rank >= domain.Severity.WARNING.rank:
            return CheckStatus.FAILED
        if alert.code is AlertCode.VITAMIN_D_NOT_MEASURED and drug in PARENTERAL_DRUGS:
            return CheckStatus.FAILED
    return CheckStatus.CAUTION


def _not_checked(
    spec: CheckSpec, drug: domain.BoneTherapyDrug, lab: domain.LabResult | None, as_of: date
) -> str:
    """Why the rules make no check of `spec` for `drug` as of `as_of`, or "" where they do: not
    a drug they judge it for, or one they judge only on a result of the last 12 months (the
    rules' window for a lab) and there is none."""
    if drug not in spec.judged_for:
        return "Not checked by the rules for this drug."
    recent = lab is not None and lab.date >= window_start(LAB_VALID_MONTHS, as_of)
    if drug in spec.required_for or recent:
        return ""
    return (
        f"Not checked: no result of the last {LAB_VALID_MONTHS} months, and the rules check this "
        "drug only against a result on file."
    )


def _not_checked_messages(
    spec: CheckSpec, drug: domain.BoneTherapyDrug, lab: domain.LabResult | None
) -> tuple[str, ...]:
    """What a check the rules do not make says: before an oral bisphosphonate, a calcium with no
    result of the rules' 12 months is a caution, not a gate (a recent low one fails,
    CA-LOW-OTHER): an older low one says so (their labels advise correcting hypocalcaemia
    first); none, or an older normal one, asks for one.

    phys13 F9: an unknown calcium read "Not checked" where an unknown kidney function failed.
    Hypocalcaemia is a contraindication of the oral bisphosphonates, so the conservative reading
    is a caution asking for a calcium. Not a gate: the spec's CA-LOW asks for a calcium before
    zoledronic acid or denosumab only, so no alert says it (the alerts stay the spec's), and this
    checklist stops a save only on an alert of the rules (module docstring)."""
    if spec.key is not SafetyCheck.CALCIUM:
        return ()
    name = drug.replace("_", " ")
    if lab is not None and round_2(lab.value) < CALCIUM_LOW_BELOW:
        return (
            f"Adjusted calcium {round_2(lab.value)} mmol/L on {lab.date.isoformat()} "
            f"(< {CALCIUM_LOW_BELOW}): the label of {name} advises correcting "
            "hypocalcaemia before it is started.",
        )
    return (
        f"No albumin-adjusted calcium of the last {LAB_VALID_MONTHS} months: hypocalcaemia is a "
        f"contraindication of {name}; measure the calcium before it is started.",
    )


def _latest_lab(
    history: domain.History, analytes: tuple[Analyte, ...], as_of: date
) -> domain.LabResult | None:
    """The latest result of `analytes` on or before `as_of`; on one date the first analyte, then
    the lowest value, as the rules pick it."""
    results = [lab for lab in history.labs if lab.analyte in analytes and lab.date <= as_of]
    if not results:
        return None
    return max(results, key=lambda lab: (lab.date, -analytes.index(lab.analyte), -lab.value))


def _quantity(lab: domain.LabResult) -> str:
    """A result as the rules' texts quote it (`domain.lab_limits.quoted`): a vitamin D as
    entered, in the unit it is judged in; any other in its canonical unit, rounded to 0.01."""
    value, unit = lab_limits.quoted(lab)
    return f"{Decimal(value).normalize():f} {unit}"


def checklist(
    history: domain.History, *, course: domain.BoneTherapyCourse, as_of: date
) -> Checklist:
    """The checks of `course` (planned, started or given a dose) as of `as_of`.

    The rules run on the history with `course` as its only bone therapy: their gates name every
    course planned or recently started, so the patient's other courses (the one a switch stops,
    one running beside it) would otherwise fail the planned drug's checks with their own dental
    review or dose. The labs, scans and AI courses are the patient's.
    """
    planned = dataclasses.replace(history, bone_therapy=(course,))
    assessment = domain.assess(planned, as_of=as_of)
    checks = []
    for spec in CHECK_SPECS:
        alerts = [alert for alert in assessment.alerts if alert.code in spec.codes]
        lab = _latest_lab(history, spec.analytes, as_of) if spec.analytes else None
        when: date | None
        analyte: str
        kidney = (
            _kidney_speaking(planned, course.drug, lab, as_of)
            if spec.key is SafetyCheck.RENAL
            else None
        )
        if kidney is not None:
            value = f"{kidney.value.normalize():f} {domain.CANONICAL_UNIT[kidney.analyte]}"
            when, analyte = kidney.date, kidney.analyte
            result = (
                domain.LabResult(date=kidney.date, analyte=kidney.analyte, value=kidney.value)
                if kidney.estimated or lab is None
                else lab
            )
        elif lab is not None:
            value, when, analyte, result = _quantity(lab), lab.date, lab.analyte, lab
        elif spec.key is SafetyCheck.DENTAL:
            value, when = _review_value(course, as_of), course.dental_review_date
            analyte, result = "", None
        else:
            # No result on file: the cell reads "none", never the dental review's "done" (phys11
            # F2: every empty lab cell read "done" once a dental review date was entered).
            value, when, analyte, result = "", None, "", None
        status = _status(alerts, course.drug)
        severe = any(alert.severity.rank >= PHYSICIAN_OVERRIDE_FROM.rank for alert in alerts)
        messages = tuple(alert.message for alert in alerts)
        note = "" if alerts else _not_checked(spec, course.drug, lab, as_of)
        if note:
            messages = _not_checked_messages(spec, course.drug, lab)
            status = CheckStatus.CAUTION if messages else CheckStatus.NOT_CHECKED
            if messages:
                note = (
                    f"A caution, not a gate: no result of the last {LAB_VALID_MONTHS} months, "
                    "and the rules judge this drug only against a result on file."
                )
        checks.append(
            Check(
                key=str(spec.key),
                label=spec.label,
                # The rule that judged it (CA-LOW-OTHER for calcium before an oral bisphosphonate).
                rule=alerts[0].rules[0] if alerts and alerts[0].rules else spec.rule,
                status=status,
                value=value,
                date=when,
                messages=messages,
                note=note,
                analyte=analyte,
                result=result,
                physician_override=status in STOPS_THE_SAVE and severe,
            )
        )
    return Checklist(drug=course.drug, as_of=as_of, checks=tuple(checks))


def _kidney_speaking(
    history: domain.History,
    drug: domain.BoneTherapyDrug,
    lab: domain.LabResult | None,
    as_of: date,
) -> KidneyFunction | None:
    """The kidney value the RENAL row shows for `drug`: the one that speaks last for it as RENAL
    reads it (`KidneyReading.speaks_last`: the kidney function judged, an eGFR's lower
    same-sample estimate in its place, phys13 F3; or a newer creatinine's estimate below the
    drug's limit, phys14 #1), so the value shown is the one the message quotes; else the latest
    crcl/eGFR `lab`, older than the rules' 12 months (they find the kidney function unknown)."""
    reading = kidney_reading(build_context(history, as_of))
    spoken = reading.speaks_last(KIDNEY_LIMITS[drug])
    if spoken is not None:
        return spoken
    return judged_kidney_function(lab, history.labs, history.patient) if lab is not None else None


def _review_value(course: domain.BoneTherapyCourse, as_of: date) -> str:
    """The dental review as the checklist shows it: "done" only when it counts (DENTAL); one
    dated too long before the start is "too old" (nurse9 F11), one after the day judged "late"
    (after a start on or before it) or "to come" (physician10 F8: "done" beside a failed check
    contradicted it); the rule's message says why."""
    review = course.dental_review_date
    if review is None:
        return ""
    start = course.start_date
    standing = review_standing(review, start=start, as_of=as_of)
    if standing is ReviewStanding.TO_COME:
        return "late" if start is not None and start <= as_of else "to come"
    return "too old" if standing is ReviewStanding.TOO_OLD else "done"


def patient_history(patient: Patient) -> domain.History:
    return history_from_records(patients_with_records([patient.pk]).get())


def domain_course(course: BoneTherapyCourse) -> domain.BoneTherapyCourse:
    """A course as the history holds it (doses given, not entered in error)."""
    return domain.BoneTherapyCourse(
        drug=domain.BoneTherapyDrug(course.drug),
        start_date=course.start_date,
        stop_date=course.stop_date,
        stop_reason=course.stop_reason or None,
        dose=course.dose or None,
        doses=tuple(
            course.doses.filter(entered_in_error=False)
            .order_by("given_on", "id")
            .values_list("given_on", flat=True)
        ),
        dental_review_date=course.dental_review_date,
    )


def history_course(
    history: domain.History, course: BoneTherapyCourse
) -> domain.BoneTherapyCourse | None:
    """The history's course of this record: same drug and dates (the history has no ids)."""
    for candidate in history.bone_therapy:
        if (candidate.drug, candidate.start_date, candidate.stop_date) == (
            course.drug,
            course.start_date,
            course.stop_date,
        ):
            return candidate
    return None


def course_checklist(
    *, patient: Patient, values: dict[str, object], editing: BoneTherapyCourse | None = None
) -> Checklist:
    """The checklist of a course as the therapy form would save it (`editing`: the record the
    form changes), with the dental review date the form gives.

    A course the same save stops (a switch) is judged by nobody: the checklist holds the planned
    course alone, so the stopped drug's missing dental review or dose never fails the new one.
    """
    history = patient_history(patient)
    start = values.get("start_date")
    start = start if isinstance(start, date) else None
    stop = values.get("stop_date")
    review = values.get("dental_review_date")
    edited = history_course(history, editing) if editing is not None else None
    new = domain.BoneTherapyCourse(
        drug=domain.BoneTherapyDrug(str(values["drug"])),
        start_date=start,
        stop_date=stop if isinstance(stop, date) else None,
        dose=str(values.get("dose") or "") or None,
        doses=edited.doses if edited is not None else (),
        dental_review_date=review if isinstance(review, date) else None,
    )
    # Judged on its start, past or future (a planned course, today): what the checks said when
    # the drug was started, as the history import judges a course recorded after the fact. A
    # course entered late is not judged by results that came after it, nor refused for want of
    # results that were recent then (two testers found both, and a false "given despite failed
    # checks" kept on the record).
    return checklist(history, course=new, as_of=start or timezone.localdate())


def recorded_checklist(history: domain.History, course: BoneTherapyCourse, day: date) -> Checklist:
    """The checks of a course start or a dose recorded after the fact (a history import), as of
    that day: what the gates said when the drug was started or given. The rules drop what came
    later."""
    return checklist(history, course=recorded_course(history, course), as_of=day)


def recorded_course(history: domain.History, course: BoneTherapyCourse) -> domain.BoneTherapyCourse:
    """The course as `history` holds it, or as its record is where the history lacks it."""
    return history_course(history, course) or domain_course(course)
