"""The zoledronic acid regimen the app supports: the adjuvant 4 mg every 6 months, which the
schedule (`zoledronic_acid_dose`, section 10 of the rules) and the early-dose check before an
infusion (`domain.dose_interval`) assume, whatever the dose field says. Both are stated on the
Rules page under DMAB-SCHEDULE, the rule id the words cite (nurse11 F10: they cited the schedule
item, which has no entry there).

The dose is free text, so "5 mg once yearly" (the osteoporosis regimen) was scheduled 6-monthly
and its infusion asked for 6 months early (phys11 F3). The spec fixes the 6 months; the
conservative reading within it: the course's form says beside the dose what the schedule assumes,
and a dose text that states a yearly interval is refused there (and in a history import) rather
than scheduled at 6 months. Only a stated interval is read: "4 mg every 6 months for 3 years", the
adjuvant regimen with its length, is taken.
"""

import re
import unicodedata

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from monitoring.domain import BoneTherapyDrug, RuleId
from monitoring.domain.thresholds import ZOLEDRONIC_INTERVAL_MONTHS

_YEARLY = re.compile(
    r"\byearly\b|\bannual(?:ly)?\b|\bper\s+annum\b"
    r"|(?<!for )\b(?:once\s+an?|once\s+per|every|each|per|a)\s+year\b|/\s*(?:year|yr)\b"
    r"|\b(?:every|each)\s+(?:1|one)\s+(?:year|yr)\b|\bp\.\s*a\b\.?"
    r"|\b(?:every|each|once\s+in|q)\s*(?:12|twelve)[\s-]*(?:months?|mths?|mos?|m)\b"
    r"|\bq\s*(?:1\s*)?(?:years?|yrs?|y)\b|\b(?:every|each|q)\s*12/12\b(?!/)"
    r"|\b(?:12|twelve)[\s-]*monthly\b"
    r"|\b(?:every|each|q)\s*(?:5[0-4]|fifty[\s-]*two)[\s-]*(?:weeks?|wks?|w)\b"
    r"|\b(?:every|each|q)\s*36[0-9][\s-]*(?:days?|d)\b",
    re.IGNORECASE,
)

ZOLEDRONIC_RULE = RuleId.DMAB_SCHEDULE
_REGIMEN = f"the adjuvant 4 mg every {ZOLEDRONIC_INTERVAL_MONTHS} months, rule "
ZOLEDRONIC_REGIMEN = f"{_REGIMEN}{ZOLEDRONIC_RULE}"


def dose_help() -> SafeString:
    """The dose field's help: what the schedule assumes, its rule id a link to the Rules page."""
    return format_html(
        "Zoledronic acid: the schedule of its infusions and the check before each one assume "
        '{}<a href="{}#{}">{}</a>; a yearly regimen is not supported.',
        _REGIMEN,
        reverse("rules"),
        ZOLEDRONIC_RULE,
        ZOLEDRONIC_RULE,
    )


def unsupported_regimen(drug: str | None, dose: str | None) -> str:
    """Why a course of `drug` with this `dose` text is refused, or "": zoledronic acid whose dose
    states a yearly interval."""
    if drug != BoneTherapyDrug.ZOLEDRONIC_ACID or not dose:
        return ""
    # Compatibility forms (fullwidth letters and digits) read as their plain letters (sec12 #6).
    if not _YEARLY.search(unicodedata.normalize("NFKC", dose)):
        return ""
    return (
        f"The app schedules zoledronic acid every {ZOLEDRONIC_INTERVAL_MONTHS} months "
        f"({ZOLEDRONIC_REGIMEN}) and checks each infusion against that interval: a yearly "
        "regimen is not supported, its next infusion would be asked for "
        f"{ZOLEDRONIC_INTERVAL_MONTHS} months early."
    )
