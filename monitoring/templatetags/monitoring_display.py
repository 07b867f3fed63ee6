"""Display helpers for monitoring codes: labels and severity styles (text too, not colour alone)."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from monitoring import domain, labels
from monitoring.domain.rounding import round_2
from monitoring.models.choices import (
    SEVERITY_RANK,
    MeasuredSite,
    RiskCategory,
    ScheduleItem,
    WhoCategory,
)
from monitoring.overview import lateness as lateness_words
from monitoring.overview.alert_groups import alert_groups
from monitoring.overview.lab_texts import LabReadings, in_site_units, unit_notation
from monitoring.overview.lab_values import ShownValue, shown_result
from monitoring.overview.labs import TableReadings, patient_lab_readings
from monitoring.overview.therapy_words import (
    override_notes,
    therapy_now,
    therapy_now_on_paper,
    therapy_now_overrides,
)
from patients.templatetags.patient_display import ai_course_time, course_span, started
from patients.wording import in_sentence

register = template.Library()

# Red, orange, amber, grey from worst to least (static/css/app.css; each at least 4.5:1 contrast),
# always beside the severity's name and glyph.
SEVERITY_CLASS = {
    "critical": "severity-critical",
    "high": "severity-high",
    "warning": "severity-warning",
    "info": "severity-info",
}
# Glyphs found in common system fonts (DejaVu, Liberation), so none shows as an empty box.
SEVERITY_ICON = {"critical": "\u2716", "high": "\u25b2", "warning": "\u25cf", "info": "\u2139"}
RISK_CLASS = {
    "high": "text-bg-danger",
    "moderate": "text-bg-warning",
    "low": "text-bg-success",
    "unknown": "text-bg-secondary",
}


@register.filter
def site_label(value: str) -> str:
    try:
        return str(MeasuredSite(value).label)
    except ValueError:
        return value


@register.filter(name="in_sentence")
def in_sentence_filter(label: str) -> str:
    """A label inside a sentence ("lumbar spine (L1-L4)": `patients.wording.in_sentence`), not
    all of it lower-cased as `lower` does (nurse14 #11: "lumbar spine (l1-l4)")."""
    return in_sentence(str(label))


@register.filter
def code_label(value: str) -> str:
    """DENOSUMAB_STOPPED_NO_FOLLOW_ON -> Denosumab stopped without follow-on therapy."""
    return labels.code_label(value)


@register.filter
def recommendation_label(rec: Any, assessment_data: Any = None) -> str:
    """A stored recommendation's label, read with the alerts of its assessment
    (`assessment_data`, the stored assessment's `data`): a denosumab dose held for a low calcium
    says so, a follow-on whose infusion is awaited asks for the infusion."""
    return labels.recommendation_label(rec, lateness_words.assessment_codes(assessment_data))


@register.filter
def severity_class(value: str) -> str:
    return SEVERITY_CLASS.get(value, "severity-info")


@register.filter
def severity_icon(value: str) -> str:
    return SEVERITY_ICON.get(value, "")


SEVERITY_OF_RANK = {rank: str(severity) for severity, rank in SEVERITY_RANK.items()}
SEVERITY_RANK_OF = {str(severity): rank for severity, rank in SEVERITY_RANK.items()}


@register.filter
def severity_of_rank(value: int) -> str:
    """2 -> "high" (the dashboard sorts and aggregates on the rank)."""
    return SEVERITY_OF_RANK.get(value, "")


@register.filter
def risk_class(value: str) -> str:
    return RISK_CLASS.get(value, "text-bg-secondary")


@register.filter
def risk_label(value: str) -> str:
    try:
        return str(RiskCategory(value).label)
    except ValueError:
        return value


@register.filter
def who_label(value: str) -> str:
    try:
        return str(WhoCategory(value).label)
    except ValueError:
        return value


@register.filter
def schedule_label(value: str) -> str:
    try:
        return str(ScheduleItem(value).label)
    except ValueError:
        return value


@register.filter
def signed(value: object) -> str:
    """+1.2 / -0.8; empty for None."""
    if value is None or value == "":
        return "—"
    text = str(value)
    return text if text.startswith("-") else f"+{text}"


@register.filter
def g_cm2(value: object, sign: str = "") -> str:
    """A BMD or a BMD difference to 0.001 g/cm² (spec Conventions), always with three decimals,
    as the alert texts write it: "0.030"; with `sign` ("signed"), "-0.050", "+0.011", "0.000"
    (phys12 F9: "-0.05", "+0.0"). "—" for None."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value)).quantize(Decimal("0.001"), ROUND_HALF_UP)
    if sign and number != 0:
        return f"{number:+.3f}"
    return f"{abs(number) if number == 0 else number:.3f}"


_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@register.filter
def unbroken(text: object) -> SafeString:
    """`text`, escaped, its yyyy-mm-dd dates never broken over two lines at a hyphen ("2029-04-" /
    "30" in a narrow cell, nurse13 #15): each in a `text-nowrap` span. A value that is a date
    or an MRN alone: `<span class="text-nowrap">` in the template (or the class on its cell)."""
    escaped = conditional_escape(text if isinstance(text, SafeString) else str(text))
    return mark_safe(  # noqa: S308  (escaped above; the spans are ours)
        _ISO_DATE.sub(lambda day: f'<span class="text-nowrap">{day.group(0)}</span>', escaped)
    )


@register.simple_tag
def rule_links(rules: Iterable[str]) -> SafeString:
    """Each rule id as a link to its entry on the Rules page, comma-separated."""
    base = reverse("rules")
    return format_html_join(", ", '<a href="{}#{}">{}</a>', ((base, rule, rule) for rule in rules))


register.filter("unit_notation", unit_notation)

# The patients app words a course's start (a start still to come is planned); the summary cards
# use the same filter.
register.filter("started", started)
register.filter("course_span", course_span)
register.filter("ai_course_time", ai_course_time)


# What the pages say of the bone-therapy courses (monitoring/overview/therapy_words.py).
register.filter("therapy_now", therapy_now)
register.filter("therapy_now_on_paper", therapy_now_on_paper)
register.filter("override_notes", override_notes)
register.filter("therapy_now_overrides", therapy_now_overrides)


@register.filter
def lowest_z_score(scans: Iterable[Any]) -> Any:
    """The lowest Z-score of the latest scan that has one (for patients whose T-scores do not
    apply), or None."""
    for scan in sorted(scans, key=lambda scan: scan.scan_date, reverse=True):
        measured = [m for m in scan.measurement_list if m.z_score is not None]
        if measured:
            return min(measured, key=lambda m: m.z_score)
    return None


@dataclass(frozen=True)
class ZScoresMissing:
    """The latest scan of a patient read on Z-scores, when a site it measured has none: `scan`,
    and whether another of its sites has one (`some_recorded`)."""

    scan: Any
    some_recorded: bool


@register.filter
def z_scores_missing(scans: Iterable[Any]) -> ZScoresMissing | None:
    """The latest scan, when a site it measured has no Z-score, else None (no scan, or each site
    has one). For a patient read on Z-scores (a premenopausal woman, a man under 50: WHO-CAT
    Population) the Z-score card asks for them, linking to the scan's form, which requires them
    (nurse13 #7: a 65-year-old made premenopausal showed "Lowest Z-score —" and nothing said
    which scan lacked them). Only the latest scan: it is the one the rules read."""
    latest = max(scans, key=lambda scan: scan.scan_date, default=None)
    if latest is None:
        return None
    recorded = [m.z_score is not None for m in latest.measurement_list]
    if all(recorded):
        return None
    return ZScoresMissing(scan=latest, some_recorded=any(recorded))


@register.filter
def plain_number(value: Decimal | None) -> str:
    """30.000 -> 30, 2.360 -> 2.36 (never 3E+1, which `Decimal.normalize` alone would give)."""
    if value is None:
        return "—"
    return format(Decimal(value).normalize(), "f")


_MEASURED = re.compile(
    r"(?<![\d.])(\d+\.\d+)(?= (?:ng/mL|nmol/L|mmol/L|mg/dL|µmol/L|umol/L|mL/min))"
)


def plain_lab_values(
    message: str, lab_units: str | None = None, readings: LabReadings | None = None
) -> str:
    """A rule's text with each lab value written as the labs table writes it ("18.00 ng/mL" ->
    "18 ng/mL"), in the site's `lab_units` when given (`lab_texts.in_site_units`: "18.00 ng/mL"
    -> "44.93 nmol/L" at an SI site); the stored text of the rule is unchanged.

    Not a template filter: a page shows a rule's text through `lab_text` with the patient's
    readings, the one path by which a quoted result reads as entered (a filter without them
    showed 55 nmol/L entered as 55.01 on the acknowledge page and in the doctor's letter)."""
    message = in_site_units(message, lab_units, readings)
    return unit_notation(
        _MEASURED.sub(lambda found: plain_number(Decimal(found.group(1))), message)
    )


@register.simple_tag
def lab_text(message: str, lab_units: str | None, readings: Any) -> str:
    """`plain_lab_values`, a quoted result read as the labs table shows it (`readings`, the
    page's `LabReadings`, from `patient_lab_readings`)."""
    return plain_lab_values(message, lab_units, readings if callable(readings) else None)


@register.simple_tag
def lab_readings_of(patient: Any) -> TableReadings:
    """The patient's `LabReadings` for `lab_text`, on a page whose view has none to give (it
    lives below the overview: the acknowledgement of an alert)."""
    return patient_lab_readings(patient)


@register.simple_tag
def check_text(message: str, check: Any, lab_units: str | None) -> str:
    """A safety check's message in the site's units, the result it quotes read as the check's
    latest value is (`lab_value_in_units`: as the labs table writes it)."""
    readings = None
    result = check.result
    if result is not None and lab_units:
        shown = shown_result(
            result, domain.display_unit(result.analyte, domain.UnitSystem(lab_units))
        )

        def readings(kind: domain.Analyte, day: dt.date, quoted: Decimal) -> ShownValue | None:
            same = (kind, day, round_2(quoted)) == (
                result.analyte,
                result.date,
                round_2(result.value),
            )
            return shown if same else None

    return plain_lab_values(message, lab_units, readings)


@register.filter
def lab_value_in_units(check: Any, lab_units: str | None) -> str:
    """A safety check's latest result in the site's `lab_units`, as the labs table writes it
    (`lab_values.shown_result`)."""
    if check.result is None or not lab_units:
        return unit_notation(str(check.value))
    result = check.result
    unit = domain.display_unit(result.analyte, domain.UnitSystem(lab_units))
    return unit_notation(str(shown_result(result, unit)))


@register.filter
def latest_scans(scans: Iterable[Any], count: int) -> list[Any]:
    """The `count` latest scans, newest first."""
    return sorted(scans, key=lambda scan: scan.scan_date, reverse=True)[:count]


@register.filter
def measured_sites(scans: Iterable[Any]) -> list[str]:
    """The sites measured on any of these scans, in the order of `MeasuredSite`."""
    found = {m.site for scan in scans for m in scan.measurement_list}
    return [site.value for site in MeasuredSite if site.value in found]


@register.filter
def measurement_at(scan: Any, site: str) -> Any:
    """The scan's measurement of `site`, or None."""
    return next((m for m in scan.measurement_list if m.site == site), None)


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@register.simple_tag
def due_words(value: dt.date | str | None, what: str, assessment_data: Any) -> str:
    """When `what` (a schedule item, or a recommendation with a due date) is due, in the rules'
    own words for this patient (`assessment_data`, the stored assessment's `data`): "due
    2027-01-10", "due since 2026-11-01" while the rules' alerts give it a grace period, else
    "overdue since 2026-11-01" (monitoring/overview/lateness.py)."""
    due = _as_date(value)
    if due is None:
        return ""
    today = timezone.localdate()
    codes = lateness_words.assessment_codes(assessment_data)
    grace = lateness_words.in_grace(what, due, today, codes)
    return lateness_words.due_words(due, today, in_grace=grace)


# Advice every patient gets (calcium and vitamin D, lifestyle, FRAX) comes after the rest.
ALWAYS_RULE = "ALWAYS"


@register.filter
def triaged(recommendations: Iterable[Any] | None, open_alerts: Iterable[Any]) -> list[Any]:
    """Recommendations in the order a clinician acts on them: those of a rule that also raised a
    critical or high open alert first (worst first), then the other specific ones, then the
    advice every patient gets; the rules' order is kept within each group."""
    rank_of_rule: dict[str, int] = {}
    for alert in open_alerts:
        rank = SEVERITY_RANK_OF.get(alert.severity, 0)
        for rule in alert.rules:
            rank_of_rule[rule] = max(rank_of_rule.get(rule, 0), rank)
    high = SEVERITY_RANK_OF["high"]

    def order(rec: Any) -> tuple[int, int]:
        rules = list(rec.get("rules", []))
        if rules and all(rule == ALWAYS_RULE for rule in rules):
            return (2, 0)
        worst = max((rank_of_rule.get(rule, 0) for rule in rules), default=0)
        return (0, -worst) if worst >= high else (1, 0)

    return sorted(recommendations or (), key=order)  # none stored yet: none


# Lateness is said in days below two weeks, in whole weeks up to 12 weeks, then in months to
# the nearest half (never fewer than the weeks before: 85 days is 3 months, not 2).
LATENESS_DAYS_BELOW = 14
LATENESS_WEEKS_UP_TO = 12 * 7
DAYS_A_MONTH = Decimal("365") / 12


def _months(days: int) -> str:
    halves = int((Decimal(days) * 2 / DAYS_A_MONTH).to_integral_value(ROUND_HALF_UP))
    whole, half = divmod(halves, 2)
    return f"{whole}{'½' if half else ''} month{'s' if halves != 2 else ''}"


@register.filter
def lateness(days: int, item: str = "") -> str:
    """How late, or how long until due, in the unit a clinician reads: days below two weeks,
    whole weeks up to 12 weeks, then months to the nearest half ("3 weeks", "4½ months"); never
    fewer as the days pass (nurse10 3: 56 days read "8 weeks" and 57 "1 month"). The worklist
    says "due in" alike (nurse14 #9: "Due in 364 days"). A denosumab injection (`item`
    "denosumab_dose") says its days too, as its rebound limit is counted in days (112 late,
    DMAB-SCHEDULE): "152 days (5 months)"."""
    if days < LATENESS_DAYS_BELOW:
        return f"{days} day{'s' if days != 1 else ''}"
    words = f"{days // 7} weeks" if days <= LATENESS_WEEKS_UP_TO else _months(days)
    if item == domain.ScheduleItem.DENOSUMAB_DOSE:
        return f"{days} days ({words})"
    return words


@register.filter
def grouped_by_code(alerts: Iterable[Any]) -> list[Any]:
    """One patient's open alerts (worst first) grouped by code, as the patient page shows them."""
    return alert_groups(alerts)
