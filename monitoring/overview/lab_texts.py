"""The rules' texts in the lab units of the site that reads them.

The rules (`monitoring.domain`) write vitamin D in ng/mL and calcium in mmol/L, the units of
docs/clinical-rules.md, and their alert and recommendation texts are stored as written. A site
whose labs table reads in the other system (`Site.lab_units`) would then see "25-OH vitamin D
18 ng/mL" above a labs row of "44.93 nmol/L". Here, for display only, the value a text quotes is
converted to the site's unit and rounded as the labs table rounds (`labs.shown_value`), and the
threshold it compares it with ("(< 20)", "target >= 30") reads in that unit as the labs table
writes it (`labs.shown_threshold`: vitamin D's 50 and 75 nmol/L, the numbers of the rules' source,
phys13 #15a; calcium's 8.48 mg/dL, where the rules flag), with the rules' own threshold beside it:
"(< 50 nmol/L, 20 ng/mL)"; its unit written out in every unit system.

A quoted value is the rules' rounding of the canonical value (20.93 nmol/L entered is 8.39 ng/mL,
which converts back to 20.94): given the `readings` the labs table shows (`LabReadings`), a
value quoting a result (same analyte, date and rounded value) reads as that table's row does.
The stored texts, and the rules, are unchanged.
"""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

from monitoring import domain
from monitoring.overview.labs import shown_threshold, shown_threshold_above, shown_value

_NUMBER = r"\d+(?:\.\d+)?"

# The number shown for a result quoted by a rule: (analyte, date, value as quoted) -> the value
# in the site's unit as its labs table shows it, or None when no result of the patient matches.
LabReadings = Callable[[domain.Analyte, dt.date, Decimal], Decimal | None]


def _quoted(lead: str, unit: str) -> re.Pattern[str]:
    """A value quoted after `lead` in `unit` (with the date it was measured on, when the text
    gives it), and the threshold the same clause compares it with (up to the next `;`, `:` or
    `)`, where the rules' texts end a clause)."""
    return re.compile(
        rf"(?P<lead>{lead})(?P<value>{_NUMBER}) {re.escape(unit)}"
        rf"(?P<on> on (?P<date>\d{{4}}-\d{{2}}-\d{{2}}))?"
        rf"(?:(?P<between>[^;:)]*?(?:<|>=|<=|>) )(?P<limit>{_NUMBER})(?![\d.]| ?[A-Za-zµ/%]))?"
    )


# Each analyte the rules quote in their texts: the words before its value and the unit they use.
QUOTED = (
    (domain.Analyte.VITAMIN_D_25OH, _quoted(r"vitamin D \(?", "ng/mL")),
    (domain.Analyte.CALCIUM, _quoted(r"[Cc]alcium ", "mmol/L")),
    # RENAL's messages quote a creatinine beside its estimate (domain.rules.kidney).
    (
        domain.Analyte.CREATININE,
        _quoted(r"[Cc]reatinine ", domain.CANONICAL_UNIT[domain.Analyte.CREATININE]),
    ),
)


# One notation for a unit wherever a page, chart or letter writes it (phys12 F15: eGFR read
# "mL/min/1.73m2" in the labs table and "mL/min/1.73 m²" in the alerts). The stored units, the
# forms' choices and the machine-read exports (CSV, FHIR's UCUM codes) keep the plain spelling.
UNIT_NOTATION = {"mL/min/1.73m2": "mL/min/1.73 m²", "g/cm2": "g/cm²"}
_UNIT_SPELLED = re.compile("|".join(re.escape(unit) for unit in UNIT_NOTATION))


def unit_notation(text: str) -> str:
    """`text` with each unit in the notation pages write it in ("mL/min/1.73 m²", "g/cm²")."""
    return _UNIT_SPELLED.sub(lambda found: UNIT_NOTATION[found.group(0)], text)


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


def _value(
    found: re.Match[str], analyte: domain.Analyte, unit: str, readings: LabReadings | None
) -> str:
    """The quoted value in `unit`: as the labs table shows that result when `readings` knows it,
    else converted from the quoted value (unchanged in the canonical unit)."""
    if unit == domain.CANONICAL_UNIT[analyte]:
        return found["value"]
    if readings is not None and found["date"] is not None:
        shown = readings(analyte, dt.date.fromisoformat(found["date"]), Decimal(found["value"]))
        if shown is not None:
            return format(shown, "f")
    return _shown(analyte, found["value"], unit)


def in_site_units(
    text: str, system: domain.UnitSystem | str | None, readings: LabReadings | None = None
) -> str:
    """A rule's `text` with its vitamin D, calcium and creatinine values in the units `system`
    shows labs in, and their thresholds as that unit reads them, with the unit; unchanged
    without a `system`."""
    if not system:
        return text
    system = domain.UnitSystem(system)
    for analyte, pattern in QUOTED:
        unit = domain.display_unit(analyte, system)

        def converted(
            found: re.Match[str], analyte: domain.Analyte = analyte, unit: str = unit
        ) -> str:
            shown = (
                f"{found['lead']}{_value(found, analyte, unit, readings)} {unit}{found['on'] or ''}"
            )
            if found["limit"] is None:
                return shown
            shown_as = shown_threshold_above if found["between"].endswith("> ") else shown_threshold
            limit = shown_as(analyte, Decimal(found["limit"]), unit)
            words = f"{format(limit.normalize(), 'f')} {unit}"
            canonical = domain.CANONICAL_UNIT[analyte]
            if unit != canonical:
                # Inside the rules' parentheses, after a comma: "(< 50 nmol/L, 20 ng/mL)".
                words += f", {found['limit']} {canonical}"
            return f"{shown}{found['between']}{words}"

        text = pattern.sub(converted, text)
    return text
