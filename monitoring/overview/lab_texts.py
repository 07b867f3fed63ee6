"""The rules' texts in the lab units of the site that reads them.

The rules (`monitoring.domain`) write vitamin D in ng/mL and calcium in mmol/L, the units of
docs/clinical-rules.md, and their alert and recommendation texts are stored as written. A site
whose labs table reads in the other system (`Site.lab_units`) would then see "25-OH vitamin D
18 ng/mL" above a labs row of "44.93 nmol/L". Here, for display only, the value a text quotes and
the threshold it compares it with ("(< 20)", "target >= 30") are converted to the site's unit and
rounded as the labs table rounds (`labs.shown_value`); the threshold gets its unit written out.
The stored texts, and the rules, are unchanged.
"""

import re
from decimal import Decimal

from monitoring import domain
from monitoring.overview.labs import shown_value

_NUMBER = r"\d+(?:\.\d+)?"


def _quoted(lead: str, unit: str) -> re.Pattern[str]:
    """A value quoted after `lead` in `unit`, and the threshold the same clause compares it with
    (up to the next `;`, `:` or `)`, where the rules' texts end a clause)."""
    return re.compile(
        rf"(?P<lead>{lead})(?P<value>{_NUMBER}) {re.escape(unit)}"
        rf"(?:(?P<between>[^;:)]*?(?:<|>=|<=|>) )(?P<limit>{_NUMBER})(?![\d.]| ?[A-Za-zµ/%]))?"
    )


# Each analyte the rules quote in their texts: the words before its value and the unit they use.
QUOTED = (
    (domain.Analyte.VITAMIN_D_25OH, _quoted(r"vitamin D \(?", "ng/mL")),
    (domain.Analyte.CALCIUM, _quoted(r"[Cc]alcium ", "mmol/L")),
)


def _shown(analyte: domain.Analyte, canonical: str, unit: str) -> str:
    return format(shown_value(analyte, Decimal(canonical), unit), "f")


def canonical_in_units(value: Decimal, analyte: domain.Analyte, system: domain.UnitSystem) -> str:
    """A canonical `value` of `analyte`, at full precision, as "<value> <unit>" in the unit
    `system` shows it in, rounded as the labs table rounds a converted value."""
    unit = domain.display_unit(analyte, system)
    return f"{_shown(analyte, str(value), unit)} {unit}"


def quantity_in_units(text: str, analyte: domain.Analyte, system: domain.UnitSystem) -> str:
    """A canonical "<value> <unit>" of `analyte` (as the safety checklist writes the latest
    result) in the unit `system` shows it in; any other text unchanged."""
    unit = domain.display_unit(analyte, system)
    found = re.fullmatch(rf"({_NUMBER}) (.+)", text)
    if found is None or found.group(2) != domain.CANONICAL_UNIT[analyte] or found.group(2) == unit:
        return text
    return f"{_shown(analyte, found.group(1), unit)} {unit}"


def in_site_units(text: str, system: domain.UnitSystem | str | None) -> str:
    """A rule's `text` with its vitamin D and calcium values (and their thresholds) in the units
    `system` shows labs in; unchanged where those are the units the rules write."""
    if not system:
        return text
    system = domain.UnitSystem(system)
    for analyte, pattern in QUOTED:
        unit = domain.display_unit(analyte, system)
        if unit == domain.CANONICAL_UNIT[analyte]:
            continue

        def converted(
            found: re.Match[str], analyte: domain.Analyte = analyte, unit: str = unit
        ) -> str:
            shown = f"{found['lead']}{_shown(analyte, found['value'], unit)} {unit}"
            if found["limit"] is None:
                return shown
            return f"{shown}{found['between']}{_shown(analyte, found['limit'], unit)} {unit}"

        text = pattern.sub(converted, text)
    return text
