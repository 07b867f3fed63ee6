"""How much later than the rules' next-DEXA date a physician's plan may be before the plan form
asks for a tick that the date is meant (phys11 #10: 2031 for a high-risk patient due in 2027 was
saved without a word).

SCHED-PLAN lets the physician's date replace the computed one, whatever it is: the physician
decides, and the rules are unchanged. The form only asks, beside the date, that a date far later
than the rules' is meant, since a slip of the year (2031 for 2027) reads like a decision. Far later
is judged on the rule that dated the next DEXA (clinical-rules.md section 5):

- with a scan on file, one whole interval of that rule or more after its date (SCHED-LOW and
  SCHED-STABLE-ON-THERAPY 24 months, SCHED-MODERATE and SCHED-HIGH 12): the plan then skips a scan
  the rule calls for, where an earlier date only delays the one due;
- with none (SCHED-BASELINE, due at the aromatase inhibitor's start, or now without one), more
  than the 3 months' grace the rule gives the baseline before BASELINE_DEXA_MISSING (high): a
  later plan leaves the patient on the inhibitor past it without a baseline.

An earlier date, or one within that margin, is saved without a tick.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from monitoring.domain import RecommendationCode, RuleId
from monitoring.domain.dates import add_months
from monitoring.domain.rules.scheduling import interval_rule
from monitoring.domain.thresholds import BASELINE_GRACE_MONTHS
from monitoring.models import PatientAssessment

_NEXT_DEXA = {RecommendationCode.REPEAT_DEXA.value, RecommendationCode.BASELINE_DEXA.value}


@dataclass(frozen=True)
class RulesDate:
    """The next DEXA as the rules compute it, and the latest plan they take without a tick."""

    due: date
    # The latest planned date saved without a tick.
    limit: date
    # The rule that dated it and its interval, then what a later plan does, for the message.
    why: str
    consequence: str

    def asks_about(self, planned: date) -> bool:
        return planned > self.limit

    def question(self, planned: date) -> str:
        return (
            f"{planned:%Y-%m-%d} is {later_by(self.due, planned)} after the date the rules "
            f"compute, {self.due:%Y-%m-%d} ({self.why}): {self.consequence}. If this date is "
            "meant, tick the box below."
        )


def rules_date(assessment: PatientAssessment | None) -> RulesDate | None:
    """The rules' next DEXA of the stored assessment, or None when it has none to judge by."""
    if assessment is None or assessment.computed_next_dexa_due is None:
        return None
    due = assessment.computed_next_dexa_due
    rules = _next_dexa_rules(assessment)
    interval = interval_rule(rules)
    if interval is not None:
        rule, months = interval
        return RulesDate(
            due=due,
            limit=add_months(due, months) - timedelta(days=1),
            why=f"{rule}: a DEXA every {months} months",
            consequence="the plan skips a scan the rules call for",
        )
    if RuleId.SCHED_BASELINE in rules:
        return RulesDate(
            due=due,
            limit=add_months(due, BASELINE_GRACE_MONTHS),
            why=(
                f"{RuleId.SCHED_BASELINE}: the baseline DEXA, due at the aromatase inhibitor's "
                "start, or now without one"
            ),
            consequence=(
                f"more than the {BASELINE_GRACE_MONTHS} months' grace the rules give a baseline "
                "DEXA before calling it missing"
            ),
        )
    return None


def _next_dexa_rules(assessment: PatientAssessment) -> list[RuleId]:
    """The rule ids of the assessment's next-DEXA recommendation (REPEAT_DEXA or BASELINE_DEXA)."""
    data = assessment.data if isinstance(assessment.data, dict) else {}
    for recommendation in data.get("recommendations") or ():
        if recommendation.get("code") in _NEXT_DEXA:
            known = {rule.value for rule in RuleId}
            return [RuleId(rule) for rule in recommendation.get("rules") or () if rule in known]
    return []


def later_by(start: date, end: date) -> str:
    """How much later `end` is than `start`, in calendar years, months and days ("4 years",
    "1 year, 3 months and 14 days")."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    days = (end - add_months(start, months)).days
    years, months = divmod(months, 12)
    parts = [
        f"{count} {unit}{'s' if count != 1 else ''}"
        for count, unit in ((years, "year"), (months, "month"), (days, "day"))
        if count
    ]
    return " and ".join(parts) if len(parts) < 3 else f"{parts[0]}, {parts[1]} and {parts[2]}"
