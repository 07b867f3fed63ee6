"""Display helpers for monitoring codes: labels and severity styles (text too, not colour alone)."""

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from monitoring.models.choices import (
    SEVERITY_RANK,
    MeasuredSite,
    RiskCategory,
    ScheduleItem,
    WhoCategory,
)

register = template.Library()

SEVERITY_CLASS = {
    "critical": "text-bg-danger",
    "high": "text-bg-warning",
    "warning": "text-bg-info",
    "info": "text-bg-secondary",
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


ACRONYMS = {"bmd": "BMD", "dexa": "DEXA", "btm": "BTM", "frax": "FRAX", "d": "D", "z": "Z"}


@register.filter
def code_label(value: str) -> str:
    """BONE_THERAPY_INDICATED -> Bone therapy indicated; RAPID_BMD_LOSS -> Rapid BMD loss."""
    words = value.lower().split("_") if value else []
    shown = [ACRONYMS.get(word, word) for word in words]
    return " ".join(shown)[:1].upper() + " ".join(shown)[1:] if shown else ""


@register.filter
def severity_class(value: str) -> str:
    return SEVERITY_CLASS.get(value, "text-bg-secondary")


@register.filter
def severity_icon(value: str) -> str:
    return SEVERITY_ICON.get(value, "")


SEVERITY_OF_RANK = {rank: str(severity) for severity, rank in SEVERITY_RANK.items()}


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


@register.simple_tag
def rule_links(rules: Iterable[str]) -> SafeString:
    """Each rule id as a link to its entry on the Rules page, comma-separated."""
    base = reverse("rules")
    return format_html_join(", ", '<a href="{}#{}">{}</a>', ((base, rule, rule) for rule in rules))
