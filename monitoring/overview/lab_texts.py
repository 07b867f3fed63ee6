"""The rules' texts in the lab units of the site that reads them.

The rules (`monitoring.domain`) write calcium in mmol/L and creatinine in µmol/L, rounded to
0.01, and vitamin D as entered, in ng/mL or nmol/L (`domain.lab_limits`: judged in that unit);
their alert and recommendation texts are stored as written. Here, for display only, each value a
text quotes is written as the labs table writes that result (`lab_values.shown_result`: as typed,
or converted at the precision laboratories report, 80 µmol/L for the 79.58 of 0.9 mg/dL,
nurse14 #6), in the site's unit, and the threshold the same clause compares it with ("(< 75)",
"target >= 30") reads in the unit the value reads in, as the labs table writes it
(`lab_values.shown_threshold`: vitamin D's 50 and 75 nmol/L; calcium's 8.48 mg/dL), with the
rules' canonical threshold beside it: "(< 75 nmol/L, 30 ng/mL)"; its unit written out in every
unit system.

A quoted calcium or creatinine is the rules' rounding of the canonical value (8.4 mg/dL entered
is 2.10 mmol/L): given the `readings` the labs table shows (`LabReadings`), a value quoting a
result (same analyte, date and rounded value) reads as that table's row does. The stored texts,
and the rules, are unchanged.
"""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

from monitoring import domain
from monitoring.domain import lab_limits
from monitoring.overview.lab_values import (
    ABOVE_LIMITS,
    BELOW_LIMITS,
    ShownValue,
    entered_result,
    plain,
    shown_result,
    shown_threshold,
    shown_threshold_above,
)

_NUMBER = r"\d+(?:\.\d+)?"

# How a result quoted by a rule is shown: (analyte, date, value as quoted, in the canonical unit)
# -> the value and unit its labs table row shows, or None when no result of the patient matches.
LabReadings = Callable[[domain.Analyte, dt.date, Decimal], ShownValue | None]


def _quoted(lead: str, units: tuple[str, ...]) -> re.Pattern[str]:
    """A value quoted after `lead` in one of `units` (with the date it was measured on, when the
    text gives it), and the threshold the same clause compares it with (up to the next `;`, `:`
    or `)`, where the rules' texts end a clause), in the same unit."""
    unit = "|".join(re.escape(u) for u in units)
    return re.compile(
        rf"(?P<lead>{lead})(?P<value>{_NUMBER}) (?P<unit>{unit})"
        rf"(?P<on> on (?P<date>\d{{4}}-\d{{2}}-\d{{2}}))?"
        rf"(?:(?P<between>[^;:)]*?(?:<|>=|<=|>) )(?P<limit>{_NUMBER})(?![\d.]| ?[A-Za-zµ/%]))?"
    )


# Each analyte the rules quote in their texts: the words before its value and the units they use.
QUOTED = (
    (
        domain.Analyte.VITAMIN_D_25OH,
        _quoted(r"vitamin D \(?", domain.ACCEPTED_UNITS[domain.Analyte.VITAMIN_D_25OH]),
    ),
    (domain.Analyte.CALCIUM, _quoted(r"[Cc]alcium ", ("mmol/L",))),
    # RENAL's messages quote a creatinine beside its estimate (domain.rules.kidney).
    (
        domain.Analyte.CREATININE,
        _quoted(r"[Cc]reatinine ", (domain.CANONICAL_UNIT[domain.Analyte.CREATININE],)),
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


def _shown(
    found: re.Match[str], analyte: domain.Analyte, unit: str, readings: LabReadings | None
) -> ShownValue:
    """The quoted result as shown in `unit`: as the labs table shows it when `readings` knows it,
    else written from the quoted value as the table would write a result entered so."""
    quoted, quoted_unit = Decimal(found["value"]), found["unit"]
    if readings is not None and found["date"] is not None:
        canonical = domain.to_canonical(analyte, quoted, quoted_unit)
        shown = readings(analyte, dt.date.fromisoformat(found["date"]), canonical)
        if shown is not None:
            return shown
    return shown_result(entered_result(analyte, quoted, quoted_unit), unit)


def _canonical_limit(analyte: domain.Analyte, limit: Decimal, unit: str) -> Decimal:
    """A threshold a text writes in `unit` as the rules' canonical one (vitamin D's 75 nmol/L is
    its 30 ng/mL, `domain.lab_limits.limit_in`); unchanged in the canonical unit."""
    for canonical in (*BELOW_LIMITS.get(analyte, ()), *ABOVE_LIMITS.get(analyte, ())):
        if lab_limits.limit_in(analyte, canonical, unit) == limit:
            return canonical
    return limit


def in_site_units(
    text: str, system: domain.UnitSystem | str | None, readings: LabReadings | None = None
) -> str:
    """A rule's `text` with its vitamin D, calcium and creatinine values written as the labs
    table writes them in the units `system` shows labs in, and their thresholds as that unit
    reads them, with the unit; unchanged without a `system`."""
    if not system:
        return text
    system = domain.UnitSystem(system)
    for analyte, pattern in QUOTED:
        unit = domain.display_unit(analyte, system)

        def converted(
            found: re.Match[str], analyte: domain.Analyte = analyte, unit: str = unit
        ) -> str:
            value = _shown(found, analyte, unit, readings)
            shown = f"{found['lead']}{value}{found['on'] or ''}"
            if found["limit"] is None:
                return shown
            canonical_limit = _canonical_limit(analyte, Decimal(found["limit"]), found["unit"])
            shown_as = shown_threshold_above if found["between"].endswith("> ") else shown_threshold
            limit = shown_as(analyte, canonical_limit, value.unit)
            words = f"{plain(limit)} {value.unit}"
            canonical = domain.CANONICAL_UNIT[analyte]
            if value.unit != canonical:
                # Inside the rules' parentheses, after a comma: "(< 50 nmol/L, 20 ng/mL)".
                words += f", {plain(canonical_limit)} {canonical}"
            return f"{shown}{found['between']}{words}"

        text = pattern.sub(converted, text)
    return text
