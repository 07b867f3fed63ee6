"""The results CSV: one measurement per row, as clinics keep results and scanners and labs export.

Columns (header row, any order, names case-insensitive): `mrn, date, measure, value, unit, scanner,
t_score, z_score, fasting`. `measure` is a measured site (`lumbar_spine`, `total_hip`,
`femoral_neck`, `radius_33`: `value` is the BMD in g/cm², with `t_score`, an optional `z_score` and
the `scanner`) or an analyte code of the history format (`ctx`, `p1np`, ... with its `unit`, in
any letter case and stored as accepted, "ng/ml" as ng/mL; `fasting`, yes or no, required for CTX
as the lab form asks it). Rows of one patient, date and
scanner are one scan. A `calcium` row is the albumin-adjusted calcium, as the rules judge it; a
total calcium or an albumin row is refused, saying so (`TOTAL_CALCIUM_REFUSED`): the lab form works
the adjusted calcium out from the two (nurse13 #3), and a file pairing them across rows would
store a total as if adjusted wherever its albumin row went missing.

The same bounds as the entry forms apply (`monitoring.domain.thresholds`), and a text cell that
starts like a formula (=, +, -, @) is refused rather than stored. Numbers are read as the forms read
them (`bonehealth.audit.decimals`): a decimal comma is a decimal point ("81,5", quoted as a CSV
cell holding a comma must be, is 81.5), except where it could be a thousands separator (1,000 is
refused, saying why), so a file and a form never disagree on what a number is.
"""

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django import forms

from bonehealth.audit.decimals import with_decimal_point
from bonehealth.csv_safe import csv_lines
from monitoring import domain
from monitoring.domain import thresholds
from monitoring.models.choices import Analyte, MeasuredSite
from monitoring.records.imports.files import FileRefusedError, Problem, formula_like, max_rows
from monitoring.records.imports.readings import LabReading, Reading, SiteReading
from monitoring.records.lab_bounds import entry_range_missed

COLUMNS = ("mrn", "date", "measure", "value", "unit", "scanner", "t_score", "z_score", "fasting")
REQUIRED_COLUMNS = ("mrn", "date", "measure", "value")
SITE_ONLY = ("scanner", "t_score", "z_score")
BMD_UNITS = ("", "g/cm2", "g/cm²")
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"", "false", "no", "n", "0", "not known", "unknown"}
CTX_FASTING_NEEDED = (
    "say whether the CTX sample was a fasting morning sample: yes, or no (also when not known); "
    "only a fasting CTX counts for the treatment-response check"
)
# Measures a laboratory's export may name for the total calcium and the albumin.
TOTAL_CALCIUM_MEASURES = frozenset({"total_calcium", "calcium_total", "albumin"})
TOTAL_CALCIUM_REFUSED = (
    "the results CSV takes the albumin-adjusted calcium only (measure calcium); enter a total "
    "calcium with its albumin on the patient's lab form, which works out the adjusted calcium"
)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
# The refusals of `with_decimal_point` that say what to write instead (an ambiguous comma, ">90").
_SAYS_WHAT_TO_WRITE = frozenset({"decimal_comma", "comparison", "percent"})
# The decimal places the records keep (monitoring.models): more would be rounded away silently.
BMD_PLACES, SCORE_PLACES, LAB_PLACES = 3, 1, 3
LAB_MAX = Decimal("9999999.999")  # LabResult.entered_value: 10 digits, 3 after the point

EXAMPLE_ROWS = [
    ["MRN-0001", "2025-01-20", "lumbar_spine", "0.830", "g/cm2", "GE Lunar iDXA", "-2.3", "", ""],
    ["MRN-0001", "2025-01-20", "total_hip", "0.820", "g/cm2", "GE Lunar iDXA", "-1.5", "-0.9", ""],
    ["MRN-0001", "2025-01-25", "ctx", "0.45", "ng/mL", "", "", "", "yes"],
    ["MRN-0001", "2025-01-25", "vitamin_d_25oh", "62", "nmol/L", "", "", "", ""],
]


def template_lines() -> Iterator[str]:
    """The template CSV offered for download: the header and a few example rows."""
    return csv_lines(COLUMNS, EXAMPLE_ROWS)


class _Row:
    """One data row's cells, collecting the problems found while reading them."""

    def __init__(self, line: int, cells: dict[str, str], problems: list[Problem]) -> None:
        self.line = line
        self.cells = cells
        self.problems = problems
        self.sound = True

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(message, row=self.line, column=column))
        self.sound = False

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.cells.get(column, "").strip()
        if required and not value:
            self.problem(column, "missing")
        return value

    def number(
        self,
        column: str,
        *,
        places: int,
        low: Decimal | None = None,
        high: Decimal | None = None,
        required: bool = True,
        unit: str = "",
    ) -> Decimal | None:
        text = self.text(column)
        if not text:
            if required:
                self.problem(column, "missing")
            return None
        read, refusal = text, None
        try:
            read = with_decimal_point(text)
        except forms.ValidationError as refused:
            refusal = refused
        if not _PLAIN_NUMBER.fullmatch(read):
            if refusal is not None and refusal.code in _SAYS_WHAT_TO_WRITE:
                self.problem(column, f"{text!r}: {refusal.messages[0]}")
            elif formula_like(text):
                self.problem(column, "starts like a formula; formula-like cells are refused")
            else:
                self.problem(column, f"{text!r} is not a number")
            return None
        value = Decimal(read)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            self.problem(column, f"{text} has more than {places} decimal places")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            shown = f" {unit}" if unit else ""
            self.problem(column, f"{text} is implausible (expected {low} to {high}{shown})")
            return None
        return value


def _header(names: list[str]) -> list[Problem]:
    problems = [
        Problem(f"unknown column {name!r} (columns: {', '.join(COLUMNS)})", row=1)
        for name in names
        if name not in COLUMNS
    ]
    problems += [
        Problem(f"column {name!r} is missing", row=1)
        for name in REQUIRED_COLUMNS
        if name not in names
    ]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append(Problem(f"column {name!r} appears twice", row=1))
        seen.add(name)
    return problems


def _date(row: _Row) -> date | None:
    text = row.text("date", required=True)
    if not text:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    row.problem("date", f"{text!r} is not a date (write YYYY-MM-DD)")
    return None


def _fasting(row: _Row, analyte: str) -> bool:
    """Whether a CTX sample was fasting. A CTX row must say (yes or no, "not known" being no),
    as the lab form asks (FASTING_NEEDED): an empty cell was stored as not fasting, a fact nobody
    entered, and left the CTX out of the response check unseen (nurse12 F12)."""
    text = row.text("fasting").lower()
    if text in TRUE_WORDS:
        return True
    if analyte == Analyte.CTX and not text:
        row.problem("fasting", CTX_FASTING_NEEDED)
    elif text not in FALSE_WORDS:
        row.problem("fasting", f"{text!r} is not yes or no")
    return False


def _site_reading(row: _Row, mrn: str, day: date | None, site: str) -> SiteReading | None:
    unit = row.text("unit")
    if unit not in BMD_UNITS:
        row.problem("unit", f"unit {unit!r} is not allowed for a BMD (g/cm2)")
    bmd_low, bmd_high = thresholds.BMD_RANGE
    score_low, score_high = thresholds.SCORE_RANGE
    bmd = row.number("value", places=BMD_PLACES, low=bmd_low, high=bmd_high, unit="g/cm2")
    t_score = row.number("t_score", places=SCORE_PLACES, low=score_low, high=score_high)
    z_score = row.number(
        "z_score", places=SCORE_PLACES, low=score_low, high=score_high, required=False
    )
    scanner = row.text("scanner", required=True)
    if not row.sound or day is None or bmd is None or t_score is None:
        return None
    return SiteReading(
        row=row.line,
        mrn=mrn,
        date=day,
        site=site,
        bmd=bmd,
        t_score=t_score,
        z_score=z_score,
        scanner=scanner,
    )


def plausibility_problem(analyte: str, value: Decimal, unit: str) -> str | None:
    """Why a lab value is implausible (the entry form's bounds, in the unit typed), if it is."""
    missed = entry_range_missed(analyte, value, unit)
    if missed is None:
        return None
    low, high, shown_unit = missed
    return (
        f"{value} {unit} is implausible for {Analyte(analyte).label} (expected {low} to {high} "
        f"{shown_unit}); check the value and the unit"
    )


def unit_problem(analyte: str, unit: str) -> str | None:
    """Why a unit is not allowed for an analyte, if it is not."""
    accepted = domain.ACCEPTED_UNITS[domain.Analyte(analyte)]
    if domain.normalize_unit(unit) in accepted:
        return None
    return f"unit {unit!r} is not allowed for {Analyte(analyte).label} (use {', '.join(accepted)})"


def _lab_reading(row: _Row, mrn: str, day: date | None, analyte: str) -> LabReading | None:
    for column in SITE_ONLY:
        if row.text(column):
            row.problem(column, f"only for a BMD row, not for {Analyte(analyte).label}")
    value = row.number("value", places=LAB_PLACES, low=Decimal(0), high=LAB_MAX)
    unit = row.text("unit", required=True)
    fasting = _fasting(row, analyte)
    if unit:
        wrong_unit = unit_problem(analyte, unit)
        # Said and stored as accepted ("ng/ml" is ng/mL: nurse14 #14).
        unit = domain.normalize_unit(unit)
        if wrong_unit:
            row.problem("unit", wrong_unit)
        elif value is not None:
            implausible = plausibility_problem(analyte, value, unit)
            if implausible:
                row.problem("value", implausible)
    if not row.sound or day is None or value is None:
        return None
    return LabReading(
        row=row.line,
        mrn=mrn,
        date=day,
        analyte=analyte,
        value=value,
        unit=unit,
        fasting=fasting and analyte == Analyte.CTX,
    )


def _reading(row: _Row) -> Reading | None:
    for column, cell in row.cells.items():
        if column not in ("value", "t_score", "z_score") and formula_like(cell.strip()):
            row.problem(column, "starts like a formula; formula-like cells are refused")
    if not row.sound:
        return None
    mrn = row.text("mrn", required=True)
    day = _date(row)
    measure = row.text("measure", required=True).lower()
    if not measure:
        return None
    if measure in MeasuredSite.values:
        return _site_reading(row, mrn, day, measure)
    if measure in Analyte.values:
        return _lab_reading(row, mrn, day, measure)
    if measure in TOTAL_CALCIUM_MEASURES:
        row.problem("measure", f"{measure!r}: {TOTAL_CALCIUM_REFUSED}")
        return None
    row.problem(
        "measure",
        f"unknown measure {measure!r} (a site: {', '.join(MeasuredSite.values)}; or an analyte: "
        f"{', '.join(Analyte.values)})",
    )
    return None


def results_read(text: str) -> tuple[list[Reading], list[Problem]]:
    """Read the results CSV: the sound rows' readings and every other row's problems.

    Raise FileRefusedError for a file that cannot be read at all (header, size, CSV syntax).
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        problems = _header(header)
        if problems:
            raise FileRefusedError(problems)
        readings: list[Reading] = []
        for index, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, as spreadsheets leave at the end
            if index - 1 > max_rows():
                raise FileRefusedError(
                    [Problem(f"the file has more than {max_rows():,} rows; split it", row=index)]
                )
            if len(cells) > len(header):
                problems.append(Problem(f"{len(cells)} cells for {len(header)} columns", row=index))
                continue
            row = _Row(index, dict(zip(header, cells, strict=False)), problems)
            reading = _reading(row)
            if reading is not None:
                readings.append(reading)
    except csv.Error as error:
        raise FileRefusedError([Problem(f"not a readable CSV file ({error})")]) from None
    if not readings and not problems:
        raise FileRefusedError([Problem("the file has no data rows")])
    return readings, problems
