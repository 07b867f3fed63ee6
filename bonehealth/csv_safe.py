"""CSV writing that a spreadsheet cannot turn into formulas (OWASP "CSV injection").

Every CSV the app writes goes through `csv_lines`. A text cell starting with `=`, `+`, `-`, `@`,
tab or carriage return is prefixed with a single quote, so Excel or LibreOffice shows it as text
instead of evaluating it (a patient name or a typed login name could otherwise be
`=HYPERLINK(...)`). A plain number such as a T-score of `-2.5` is left alone: it cannot run
anything, and clinicians exporting results need numbers they can sort and chart.

Each CSV starts with a UTF-8 byte-order mark: without it Excel reads the file in the machine's
legacy code page and shows an accented patient name ("Renée") as mojibake. The app's own results
import reads past the mark (`monitoring/records/imports/files.py`), so a downloaded template still
imports.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Signed decimal numbers only: no exponent, no spaces, nothing a spreadsheet could evaluate.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def csv_cell(value: object) -> str:
    """Return the value as CSV cell text that no spreadsheet evaluates as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write returns the line, for streaming responses."""

    def write(self, value: str) -> str:
        return value


BOM = "\ufeff"


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Yield the CSV text of the header (after the byte-order mark) and each row, every cell
    neutralised."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])
