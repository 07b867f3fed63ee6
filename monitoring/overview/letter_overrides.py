"""What the doctor's letter says of a bone therapy given despite a failed pre-treatment check: which
check, the reason recorded, who and when; and its vitamin D advice once the drug has started.

phys13 #8: zoledronic acid was started with a physician's override for a deficient vitamin D. The
summary named the override; the family doctor's letter did not, and said both that therapy "is
being given" and, in the alert it copies, "replete before zoledronic acid". The letter's own
vitamin D sentence now follows the record: the drug started, the vitamin D is to be repleted now
and the calcium rechecked (the alert's words are the rules', `monitoring/domain`).
"""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from monitoring.domain import RuleId
from monitoring.models.choices import BoneTherapyDrug, SafetyCheck
from monitoring.overview.letter_therapy import DOCTOR, CourseFacts, course_rules, first_dose_hold

# The Rules page entry of each pre-treatment check, as `records/safety.py` (CHECK_SPECS) and
# `records/dose_safety.py` (the time since the previous dose) cite them; a result dated after the
# dose is judged by the same rule (`records/later_results.py`). The overview may not import those
# write-side modules (pyproject.toml, import contracts); a test holds the two in step.
CHECK_RULES: dict[str, RuleId] = {
    SafetyCheck.VITAMIN_D: RuleId.VITD,
    SafetyCheck.VITAMIN_D_AFTER: RuleId.VITD,
    SafetyCheck.CALCIUM: RuleId.CA_LOW,
    SafetyCheck.CALCIUM_AFTER: RuleId.CA_LOW,
    SafetyCheck.RENAL: RuleId.RENAL,
    SafetyCheck.RENAL_AFTER: RuleId.RENAL,
    SafetyCheck.DENTAL: RuleId.DENTAL,
    SafetyCheck.DOSE_INTERVAL: RuleId.DMAB_SCHEDULE,
}


def override_texts(
    courses: Iterable[CourseFacts], today: date
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(text, rule ids) of each course not stopped by `today`, or its dose, given or planned
    despite failed pre-treatment checks, for the doctor's letter: "Zoledronic acid was started
    despite a failed pre-treatment check (25-OH vitamin D); reason recorded: “…” (Ada Marsh,
    2026-12-07)" for example."""
    for course in courses:
        if course.stop is not None and course.stop <= today:
            continue  # as the summary: the overrides of the courses it names
        for what, override in course.overrides:
            failed = override.failed or ("",)
            checks = (
                "a failed pre-treatment check"
                if len(failed) == 1
                else "failed pre-treatment checks"
            )
            if what in ("Started", "Planned"):
                subject = f"{course.name.capitalize()} was {what.lower()}"
            else:  # "Dose(s) of <days> given"
                verb = "was" if what.startswith("Dose of") else "were"
                given = what.removesuffix(" given").lower()
                subject = f"The {course.name} {given} {verb} given"
            cited = [str(CHECK_RULES[key]) for key in override.failed if key in CHECK_RULES]
            # Checks not recorded (an old import): the rule that reads the course.
            rules = tuple(dict.fromkeys(cited)) or course_rules(course.drug)
            yield (
                f"{subject} despite {checks} ({override.checks}); reason recorded: "
                f"“{override.reason}” ({override.by}).",
                rules,
            )


# REPLETE_VITAMIN_D in the doctor's letter when vitamin D is deficient and zoledronic acid or
# denosumab has started: not "before" the drug, which is given; `{drug}` and `{when}` ("started
# on <day>" or "last given on <day>") say which.
VITAMIN_D_AFTER_START = (
    "Vitamin D is deficient and {drug} was {when}: please replete vitamin D now, and recheck the "
    "adjusted calcium, as {drug} can lower it."
)
PARENTERAL = frozenset({BoneTherapyDrug.ZOLEDRONIC_ACID, BoneTherapyDrug.DENOSUMAB})


def vitamin_d_after_start(
    courses: Iterable[CourseFacts],
    data: dict[str, Any],
    today: date,
    *,
    supplement: str = "",
) -> str | None:
    """The doctor's words for REPLETE_VITAMIN_D when vitamin D is deficient (VITAMIN_D_DEFICIENT
    open) and a zoledronic acid or denosumab course has started by `today` and not stopped; None
    otherwise (the usual words); `supplement`, what is said of a vitamin D supplement recorded as
    taken (`letter_supplements.vitamin_d_taken_words`), follows as a sentence. A denosumab
    course whose first injection waits for the vitamin D (`first_dose_hold`) has not started in
    this sense: its words say it waits."""
    if not any(alert["code"] == "VITAMIN_D_DEFICIENT" for alert in data.get("alerts", ())):
        return None
    started = [
        course
        for course in courses
        if course.drug in PARENTERAL
        and course.start is not None
        and course.start <= today
        and (course.stop is None or course.stop > today)
        and first_dose_hold(course, data, DOCTOR, today) is None
    ]
    if not started:
        return None
    course = max(started, key=lambda c: c.doses[-1] if c.doses else c.start or today)
    when = (
        f"last given on {course.doses[-1]:%Y-%m-%d}"
        if course.doses
        else f"started on {course.start:%Y-%m-%d}"
    )
    text = VITAMIN_D_AFTER_START.format(drug=course.name, when=when)
    return text + (f" {supplement[:1].upper()}{supplement[1:]}." if supplement else "")
