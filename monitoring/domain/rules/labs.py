"""Section 7, labs: vitamin D (VITD), calcium (CA-LOW) and kidney function (RENAL)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from ..dates import add_months
from ..lab_limits import below, quoted, quoted_limit
from ..rounding import round_2
from ..thresholds import (
    ALENDRONATE_CONTRAINDICATED_BELOW,
    CALCIUM_LOW_BELOW,
    DENOSUMAB_HYPOCALCEMIA_RISK_BELOW,
    RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW,
    VITD_DEFICIENT_BELOW,
    VITD_RECHECK_MONTHS,
    VITD_SUFFICIENT_FROM,
    ZOLEDRONIC_CONTRAINDICATED_BELOW,
    ZOLEDRONIC_DOSE_CHECK_MAX,
)
from ..types import (
    PARENTERAL_DRUGS,
    AlertCode,
    Analyte,
    BoneTherapyDrug,
    History,
    RecommendationCode,
    RuleId,
    ScheduleItem,
    Severity,
)
from .context import Context, CourseStatus, Therapy, build_context
from .kidney import creatinine_note, creatinine_speaks_for, kidney_function, kidney_reading


def _replete_beside(course: Therapy, as_of: dt.date) -> str:
    """When to replete, by the state of the drug that makes a deficiency high: "before" one
    planned (no start, or a start after `as_of`); "now" once it is started, with the calcium to
    check, as the hypocalcaemia the deficiency risks follows the dose.

    nurse12 F16: "replete before denosumab" was said after its start and a dose. phys13 #8: a
    zoledronic acid course started on `as_of` with a physician's override for this deficiency
    still read "replete before zoledronic acid" on the patient page and in the letter. The
    pre-treatment checklist judges a start on its own day, before the drug is given, and the
    page after it is saved sees the same history: the words for a start on `as_of` hold at both
    moments ("replete now and check the calcium: zoledronic acid starts on <day>"). A course
    running since before: replete while on it and recheck the calcium; one started within 3
    months and stopped since: by its start."""
    drug = course.drug.replace("_", " ")
    start = course.start
    if start is None or start > as_of:
        return f"replete before {drug}"
    if start == as_of and course.status is CourseStatus.ACTIVE:
        return f"replete now and check the calcium: {drug} starts on {start.isoformat()}"
    if course.status is CourseStatus.ACTIVE:
        return f"replete now while on {drug} and recheck the calcium"
    return f"replete now and recheck the calcium: {drug} was started on {start.isoformat()}"


# Why a deficiency matters before the bone-protective therapy BONE_THERAPY_INDICATED asks to
# start, with nothing planned yet: the words the VITD alert and the start advice share.
BEFORE_PARENTERAL_START = "before zoledronic acid or denosumab is started"


def vitamin_d(ctx: Context) -> None:
    """VITD: judge the latest 25-OH vitamin D of the last 12 months."""
    lab = ctx.recent_lab(Analyte.VITAMIN_D_25OH)
    rules = [RuleId.VITD]
    if lab is None:
        ctx.alert(
            AlertCode.VITAMIN_D_NOT_MEASURED,
            Severity.INFO,
            "No 25-OH vitamin D in the last 12 months: measure it.",
            rules,
        )
        return
    if not below(lab, VITD_SUFFICIENT_FROM):
        return
    # Quoted as entered, with its limits in the same unit (`lab_limits`: judged in that unit).
    value = " ".join(quoted(lab))
    when = lab.date.isoformat()
    if below(lab, VITD_DEFICIENT_BELOW):
        parenteral = ctx.parenteral_planned_or_recent()
        severity = Severity.HIGH if parenteral else Severity.WARNING
        if parenteral:
            extra = f"; {_replete_beside(parenteral[0], ctx.as_of)} (hypocalcaemia risk)"
        elif ctx.raised(AlertCode.BONE_THERAPY_INDICATED):
            # phys13 #5: therapy is to be started and nothing is planned, so the spec keeps
            # this a warning; its words say what the start advice says (`vitamin_d_first`).
            extra = (
                "; bone-protective therapy is indicated: replete it "
                f"{BEFORE_PARENTERAL_START} (hypocalcaemia risk)"
            )
        else:
            extra = ""
        ctx.alert(
            AlertCode.VITAMIN_D_DEFICIENT,
            severity,
            f"25-OH vitamin D {value} on {when} is deficient "
            f"(< {quoted_limit(lab, VITD_DEFICIENT_BELOW)}){extra}.",
            rules,
        )
    else:
        ctx.alert(
            AlertCode.VITAMIN_D_INSUFFICIENT,
            Severity.INFO,
            f"25-OH vitamin D {value} on {when} is insufficient "
            f"(< {quoted_limit(lab, VITD_SUFFICIENT_FROM)}).",
            rules,
        )
    recheck = add_months(lab.date, VITD_RECHECK_MONTHS)
    ctx.recommend(
        RecommendationCode.REPLETE_VITAMIN_D,
        f"Replete vitamin D ({value} on {when}, target >= "
        f"{quoted_limit(lab, VITD_SUFFICIENT_FROM)}) and "
        f"recheck by {recheck.isoformat()}.",
        rules,
    )
    ctx.plan(ScheduleItem.VITAMIN_D_RECHECK, recheck)


def ca_low_courses(ctx: Context) -> list[Therapy]:
    """The courses CA-LOW judges the calcium for: zoledronic acid or denosumab planned, active or
    still acting (`Context.counts_for_hypocalcaemia`)."""
    return [
        t for t in ctx.therapies if t.drug in PARENTERAL_DRUGS and ctx.counts_for_hypocalcaemia(t)
    ]


def calcium(ctx: Context) -> None:
    """CA-LOW: zoledronic acid or denosumab planned, active or still acting (a stopped course
    within its dosing interval of the last dose) needs a normal adjusted calcium."""
    courses = ca_low_courses(ctx)
    if not courses:
        return
    current = [t for t in courses if t.status is not CourseStatus.STOPPED]
    drugs = drug_names(current)
    acting = " and ".join(_still_acting(t) for t in courses if t.status is CourseStatus.STOPPED)
    rules = [RuleId.CA_LOW]
    lab = ctx.recent_lab(Analyte.CALCIUM)
    if lab is None:
        subject = f" for {drugs}" if drugs else ""
        also = f", while {acting}" if acting else ""
        then = " before the next dose" if current else ""
        ctx.alert(
            AlertCode.CALCIUM_NOT_MEASURED,
            Severity.WARNING,
            f"No albumin-adjusted calcium in the last 12 months{subject}{also}: measure it{then}.",
            rules,
        )
        return
    value = round_2(lab.value)
    if value < CALCIUM_LOW_BELOW:
        advice = [f"do not give {drugs} until it is corrected"] if current else []
        if acting:
            advice.append(f"correct it and check it again, as {acting}")
        ctx.alert(
            AlertCode.HYPOCALCEMIA,
            Severity.CRITICAL,
            f"Adjusted calcium {value} mmol/L on {lab.date.isoformat()} (< {CALCIUM_LOW_BELOW}): "
            f"{'; '.join(advice)}.",
            rules,
        )


def drug_names(courses: list[Therapy]) -> str:
    """The courses' drugs in words, each once: \"alendronate and risedronate\"."""
    return " and ".join(sorted({t.drug.replace("_", " ") for t in courses}))


def _still_acting(therapy: Therapy) -> str:
    """Name a stopped course that still counts (Context.counts_for_hypocalcaemia) and why."""
    stop = therapy.course.stop_date
    last = therapy.last_dose_or_start
    when = last.isoformat() if last is not None else "unknown"
    given = f"last given {when}" if therapy.doses else f"started {when}, no dose recorded"
    stopped = f" stopped {stop.isoformat()}" if stop is not None else ""
    return f"{therapy.drug.replace('_', ' ')}{stopped} still acts ({given})"


# Each bisphosphonate's RENAL limit (mL/min): contraindicated below it.
BISPHOSPHONATE_RENAL_LIMITS = {
    BoneTherapyDrug.ZOLEDRONIC_ACID: ZOLEDRONIC_CONTRAINDICATED_BELOW,
    BoneTherapyDrug.ALENDRONATE: ALENDRONATE_CONTRAINDICATED_BELOW,
    BoneTherapyDrug.RISEDRONATE: RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW,
    BoneTherapyDrug.IBANDRONATE: RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW,
}


# How the kidney words below open, so a reader of the advice (the doctor's letter) finds them.
KIDNEY_WORDS_OPENING = "Kidney function "


def kidney_words_in(advice: str) -> str:
    """The kidney words `bisphosphonate_kidney_words` added to an advice text, or ""."""
    at = advice.find(KIDNEY_WORDS_OPENING)
    return advice[at:] if at >= 0 else ""


def bisphosphonate_kidney_words(ctx: Context) -> str:
    """What the latest kidney function (RENAL, within 12 months) rules out among the
    bisphosphonates, for advice that would name one; "" when it rules out none or none is on
    file.

    physician8 D8: after denosumab at eGFR 25 the advice read "Start a bisphosphonate (e.g.
    zoledronic acid)", which the RENAL check then refused. The spec is silent on what the advice
    should say; the conservative reading says the limit and asks for a specialist's decision
    (text only: the RENAL alerts themselves come when a course is planned).
    """
    kidney = kidney_function(ctx)
    if kidney is None:
        return ""
    value = kidney.value
    ruled_out = [drug for drug, limit in BISPHOSPHONATE_RENAL_LIMITS.items() if value < limit]
    if not ruled_out:
        return ""
    measure = f"{KIDNEY_WORDS_OPENING}{kidney.quoted()}"
    limits = sorted(set(BISPHOSPHONATE_RENAL_LIMITS.values()))
    if len(ruled_out) == len(BISPHOSPHONATE_RENAL_LIMITS):
        return (
            f"{measure}: every bisphosphonate is contraindicated (below {limits[0]}-{limits[-1]} "
            f"mL/min by drug); {_denosumab_kidney_words(value)}; seek specialist advice."
        )

    def names(drugs: list[BoneTherapyDrug]) -> str:
        return " and ".join(drug.replace("_", " ") for drug in drugs)

    left = [drug for drug in BISPHOSPHONATE_RENAL_LIMITS if drug not in ruled_out]
    return (
        f"{measure}: {names(ruled_out)} contraindicated (below "
        f"{max(BISPHOSPHONATE_RENAL_LIMITS[d] for d in ruled_out)} mL/min); {names(left)} "
        f"only down to {min(BISPHOSPHONATE_RENAL_LIMITS[d] for d in left)} mL/min."
    )


def antiresorptive_start_words(ctx: Context) -> str:
    """What BONE_THERAPY_INDICATED tells the reader to start, as the kidney function (RENAL,
    within 12 months) leaves it: "start a bisphosphonate or denosumab" when it rules out no
    bisphosphonate or none is on file, else the drugs it leaves, as START_BONE_THERAPY's kidney
    words say (`bisphosphonate_kidney_words`). phys13 F7: at eGFR 28 the alert, which the
    dashboard and worklist show, said "start a bisphosphonate or denosumab" beside the
    recommendation ruling every bisphosphonate out. The spec is silent on the alert's words."""
    kidney = kidney_function(ctx)
    ruled_out = (
        []
        if kidney is None
        else [drug for drug, limit in BISPHOSPHONATE_RENAL_LIMITS.items() if kidney.value < limit]
    )
    if kidney is None or not ruled_out:
        return "start a bisphosphonate or denosumab"
    if len(ruled_out) == len(BISPHOSPHONATE_RENAL_LIMITS):
        risk = (
            f" (a risk of severe hypocalcaemia below {DENOSUMAB_HYPOCALCEMIA_RISK_BELOW} mL/min)"
            if kidney.value < DENOSUMAB_HYPOCALCEMIA_RISK_BELOW
            else ""
        )
        return (
            f"kidney function ({kidney.quoted()}) contraindicates every bisphosphonate; consider "
            f"denosumab with specialist advice{risk}"
        )
    left = [drug for drug in BISPHOSPHONATE_RENAL_LIMITS if drug not in ruled_out]
    return (
        f"start {', '.join(drug.replace('_', ' ') for drug in left)} or denosumab (kidney "
        f"function, {kidney.quoted()}, contraindicates "
        f"{' and '.join(drug.replace('_', ' ') for drug in ruled_out)})"
    )


def _denosumab_kidney_words(value: Decimal) -> str:
    """Denosumab beside bisphosphonates ruled out by kidney function (physician9 F6: the advice
    named no antiresorptive left): RENAL does not rule it out, with its hypocalcaemia caveat."""
    words = "denosumab is not ruled out by kidney function"
    if value < DENOSUMAB_HYPOCALCEMIA_RISK_BELOW:
        words += (
            f", but below {DENOSUMAB_HYPOCALCEMIA_RISK_BELOW} mL/min it risks severe "
            "hypocalcaemia: monitor calcium and vitamin D closely"
        )
    return words


def _unknown_kidney_function(ctx: Context, drug: BoneTherapyDrug, courses: list[Therapy]) -> str:
    """RENAL_FUNCTION_UNKNOWN's message for denosumab or an oral bisphosphonate with no kidney
    function of the last 12 months, or "" where the rule does not ask for one.

    The spec names RENAL_FUNCTION_UNKNOWN for zoledronic acid only and is silent on the other
    drugs with none on file. The conservative reading (physician10 F4): their limits (alendronate
    contraindicated below 35 mL/min, risedronate and ibandronate below 30, denosumab's severe
    hypocalcaemia risk below 30) cannot be checked against an unknown value, so a result must be on
    file before the drug is given: before every denosumab injection (planned or active, as
    CA-LOW asks for calcium), and before an oral bisphosphonate is started (planned or started
    within 3 months: its one gate, as DENTAL's window), so a course of years is not flagged.
    """
    if drug is BoneTherapyDrug.DENOSUMAB:
        asks = any(t.drug is drug and t.status is not CourseStatus.STOPPED for t in courses)
        before = "the injection"
        limit = f"it risks severe hypocalcaemia below {DENOSUMAB_HYPOCALCEMIA_RISK_BELOW} mL/min"
    else:
        asks = any(
            t.drug is drug
            and t.status is not CourseStatus.STOPPED
            and ctx.planned_or_recently_started(t)
            for t in courses
        )
        before = "it is started"
        limit = f"it is contraindicated below {BISPHOSPHONATE_RENAL_LIMITS[drug]} mL/min"
    if not asks:
        return ""
    return (
        f"No creatinine clearance or eGFR in the last 12 months for {drug.replace('_', ' ')} "
        f"({limit}): measure it before {before}"
    )


def renal(ctx: Context) -> None:
    """RENAL: kidney function against each planned or active course, and a stopped denosumab
    course still acting (its hypocalcaemia risk); one alert per code."""
    # The checks of zoledronic acid and the oral bisphosphonates come before a dose, which a
    # stopped course will not get; denosumab's is a risk of the dose already given.
    courses = [
        t
        for t in ctx.therapies
        if t.status is not CourseStatus.STOPPED
        or (t.drug is BoneTherapyDrug.DENOSUMAB and ctx.counts_for_hypocalcaemia(t))
    ]
    if not courses:
        return
    reading = kidney_reading(ctx)  # rules/kidney.py: which kidney value speaks last
    speaks_for = creatinine_speaks_for(ctx, reading, KIDNEY_LIMITS)
    kidney = reading.judged  # the latest crcl/eGFR, never a creatinine
    value = kidney.value if kidney is not None else None
    measure = kidney.quoted() if kidney is not None else ""
    # code -> (severity, messages)
    raised: dict[AlertCode, tuple[Severity, list[str]]] = {}

    def raise_(code: AlertCode, severity: Severity, message: str) -> None:
        # A newer creatinine (or the only one) is quoted as information (rules/kidney.py), but
        # once only: not beside the alert a newer creatinine below the limit raises itself.
        note = "" if creatinine_speaks else creatinine_note(ctx, drug, KIDNEY_LIMITS[drug])
        if note:
            message = f"{message}. {note}"
        previous = raised.get(code)
        if previous is None:
            raised[code] = (severity, [message])
            return
        top = severity if severity.rank > previous[0].rank else previous[0]
        if message not in previous[1]:
            previous[1].append(message)
        raised[code] = (top, previous[1])

    for drug in sorted({t.drug for t in courses}):
        # A creatinine newer than the kidney function judged (or with none judged) whose estimate
        # is below this drug's limit, while that kidney function is not, speaks last for it
        # (rules/kidney.py, phys14 #1): RENAL_FUNCTION_UNKNOWN at high before a planned or
        # active course's next dose. The spec is silent; this is the conservative reading.
        below = drug in speaks_for
        unknown_severity = Severity.HIGH if below else Severity.WARNING
        creatinine_speaks = below and kidney is not None
        if creatinine_speaks:
            raise_(
                AlertCode.RENAL_FUNCTION_UNKNOWN,
                Severity.HIGH,
                reading.creatinine_words(drug, KIDNEY_LIMITS[drug]),
            )
        if drug is BoneTherapyDrug.ZOLEDRONIC_ACID:
            if value is None:
                raise_(
                    AlertCode.RENAL_FUNCTION_UNKNOWN,
                    unknown_severity,
                    "No creatinine clearance or eGFR in the last 12 months for zoledronic acid: "
                    "measure it before the infusion",
                )
            elif value < ZOLEDRONIC_CONTRAINDICATED_BELOW:
                raise_(
                    AlertCode.RENAL_CONTRAINDICATION,
                    Severity.CRITICAL,
                    f"{measure} (< {ZOLEDRONIC_CONTRAINDICATED_BELOW}): zoledronic acid is "
                    "contraindicated",
                )
            elif value <= ZOLEDRONIC_DOSE_CHECK_MAX:
                raise_(
                    AlertCode.RENAL_DOSE_CHECK,
                    Severity.WARNING,
                    f"{measure} ({ZOLEDRONIC_CONTRAINDICATED_BELOW} to "
                    f"{ZOLEDRONIC_DOSE_CHECK_MAX}): check the zoledronic acid dose",
                )
        elif value is None:
            # An oral bisphosphonate past its start is asked for nothing, unless a creatinine
            # below its limit speaks (`below`).
            unknown = _unknown_kidney_function(ctx, drug, courses) or (
                f"No creatinine clearance or eGFR in the last 12 months for "
                f"{drug.replace('_', ' ')}"
                if below
                else ""
            )
            if unknown:
                raise_(AlertCode.RENAL_FUNCTION_UNKNOWN, unknown_severity, unknown)
        elif drug is BoneTherapyDrug.ALENDRONATE and value < ALENDRONATE_CONTRAINDICATED_BELOW:
            raise_(
                AlertCode.RENAL_CONTRAINDICATION,
                Severity.HIGH,
                f"{measure} (< {ALENDRONATE_CONTRAINDICATED_BELOW}): alendronate is "
                "contraindicated",
            )
        elif (
            drug in (BoneTherapyDrug.RISEDRONATE, BoneTherapyDrug.IBANDRONATE)
            and value < RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW
        ):
            raise_(
                AlertCode.RENAL_CONTRAINDICATION,
                Severity.HIGH,
                f"{measure} (< {RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW}): {drug} is "
                "contraindicated",
            )
        elif drug is BoneTherapyDrug.DENOSUMAB and value < DENOSUMAB_HYPOCALCEMIA_RISK_BELOW:
            dmab = [t for t in courses if t.drug is drug]
            if any(t.status is not CourseStatus.STOPPED for t in dmab):
                message = (
                    f"{measure} (< {DENOSUMAB_HYPOCALCEMIA_RISK_BELOW}): denosumab is not "
                    "contraindicated, but severe hypocalcaemia may follow; check calcium closely"
                )
            else:
                message = (
                    f"{measure} (< {DENOSUMAB_HYPOCALCEMIA_RISK_BELOW}): "
                    f"{_still_acting(dmab[-1])} and severe hypocalcaemia may follow; check "
                    "calcium closely"
                )
            raise_(AlertCode.HYPOCALCEMIA_RISK_RENAL, Severity.HIGH, message)
    for code, (severity, messages) in raised.items():
        # One sentence per drug: each opens with a capital or a measure (and may hold a note of
        # its own), so "; " put "No creatinine clearance" mid-sentence (clinicians).
        ctx.alert(code, severity, ". ".join(messages) + ".", [RuleId.RENAL])


# Each drug's kidney limit (mL/min), which a creatinine's estimate is set against (the notes, and
# whether it speaks last: rules/kidney.py; the pre-treatment checklist reads it too).
KIDNEY_LIMITS: dict[BoneTherapyDrug, Decimal] = {
    BoneTherapyDrug.ZOLEDRONIC_ACID: ZOLEDRONIC_CONTRAINDICATED_BELOW,
    BoneTherapyDrug.ALENDRONATE: ALENDRONATE_CONTRAINDICATED_BELOW,
    BoneTherapyDrug.RISEDRONATE: RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW,
    BoneTherapyDrug.IBANDRONATE: RISEDRONATE_IBANDRONATE_CONTRAINDICATED_BELOW,
    BoneTherapyDrug.DENOSUMAB: DENOSUMAB_HYPOCALCEMIA_RISK_BELOW,
}


def kidney_rules_out(ctx: Context, drug: BoneTherapyDrug) -> bool:
    """Whether the latest kidney function (RENAL) contraindicates `drug`: a bisphosphonate below
    its limit (`BISPHOSPHONATE_RENAL_LIMITS`, the limits RENAL_CONTRAINDICATION is raised by);
    never denosumab, which RENAL does not rule out."""
    limit = BISPHOSPHONATE_RENAL_LIMITS.get(drug)
    kidney = kidney_function(ctx) if limit is not None else None
    return limit is not None and kidney is not None and kidney.value < limit


class KidneyStop(NamedTuple):
    """Active courses the kidney function rules out (RENAL_CONTRAINDICATION), to stop or switch:
    their drugs, the kidney function quoted, and the antiresorptives it still allows."""

    drugs: tuple[BoneTherapyDrug, ...]
    kidney: str
    allowed: str


def kidney_stop_of(ctx: Context) -> KidneyStop | None:
    """The active courses RENAL contraindicates on `as_of` (phys14 #11), or None.

    RENAL gives only the alert, which asks nothing of the family doctor who prescribes the drug.
    The spec is silent on the advice; the conservative reading: the letters ask to stop the drug
    and switch to one the kidney function allows (the other bisphosphonates above their limits,
    or denosumab, with its hypocalcaemia caveat below 30 mL/min), and such a course does not
    earn SCHED-STABLE-ON-THERAPY's longer interval (`scheduling.stable_on_therapy`)."""
    drugs = tuple(
        sorted(
            {
                t.drug
                for t in ctx.therapies_with(CourseStatus.ACTIVE)
                if kidney_rules_out(ctx, t.drug)
            }
        )
    )
    kidney = kidney_function(ctx)
    if not drugs or kidney is None:
        return None
    left = [
        drug.replace("_", " ")
        for drug, limit in BISPHOSPHONATE_RENAL_LIMITS.items()
        if kidney.value >= limit
    ]
    if left:
        allowed = f"{', '.join(left)} or denosumab"
    else:
        # Every bisphosphonate ruled out: denosumab only, with HYPOCALCEMIA_RISK_RENAL's caveat
        # below 30 mL/min, on a specialist's advice (as `bisphosphonate_kidney_words` says).
        allowed = "denosumab, with close calcium checks, on specialist advice"
    return KidneyStop(drugs=drugs, kidney=kidney.quoted(), allowed=allowed)


def kidney_stop(history: History, as_of: dt.date) -> KidneyStop | None:
    """`kidney_stop_of` for `history` on `as_of`, for the letters."""
    return kidney_stop_of(build_context(history, as_of))
