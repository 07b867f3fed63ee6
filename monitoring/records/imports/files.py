"""Reading an uploaded file, and the problems that refuse it.

A file is refused with every problem found, each naming its row (or FHIR entry), column and
reason, so one corrected upload can fix them all.
"""

from dataclasses import dataclass

from django.conf import settings

from bonehealth.csv_safe import FORMULA_STARTS
from monitoring.domain.document import nesting_depth

# A file may begin with a UTF-8 byte order mark (spreadsheets write one); it is not data.
BOM = "\ufeff"


@dataclass(frozen=True)
class Problem:
    """One reason the file is refused: where (row and column, either may be absent) and why."""

    message: str
    row: int | None = None
    column: str = ""
    row_name: str = "row"  # what a row is called: a CSV row, a FHIR bundle entry

    @property
    def where(self) -> str:
        return ", ".join(
            part
            for part in (f"{self.row_name} {self.row}" if self.row is not None else "", self.column)
            if part
        )

    def __str__(self) -> str:
        where = self.where
        return f"{where}: {self.message}" if where else self.message


class FileRefusedError(Exception):
    """The file cannot be imported; nothing was written. `problems` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def max_rows() -> int:
    return int(settings.IMPORT_MAX_ROWS)


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def size_problem(size: int) -> Problem | None:
    """The problem of a file larger than IMPORT_MAX_BYTES, if it is."""
    limit = max_bytes()
    if size > limit:
        return Problem(
            f"the file is {size:,} bytes; at most {limit:,} bytes are accepted "
            "(split it into smaller files)"
        )
    return None


def decoded(raw: bytes) -> str:
    """Return the file as text: UTF-8, a leading byte order mark dropped.

    Raise FileRefusedError for a file too large, empty, or not UTF-8 (naming the line of the first
    byte that is not).
    """
    too_big = size_problem(len(raw))
    if too_big:
        raise FileRefusedError([too_big])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise FileRefusedError(
            [
                Problem(
                    "the file is not UTF-8 text (save it as \u201cCSV UTF-8\u201d or UTF-8 JSON)",
                    row=line,
                )
            ]
        ) from None
    text = text.removeprefix(BOM)
    if not text.strip():
        raise FileRefusedError([Problem("the file is empty")])
    return text


def refuse_deep_json(text: str, limit: int) -> None:
    """Refuse JSON `text` whose brackets nest deeper than `limit`, before anything decodes it.

    One guard for every JSON upload (a patient history, a FHIR bundle): json.loads would recurse
    once per level and fail with RecursionError, a server error, on `[[[...]]]`.
    """
    if nesting_depth(text) > limit:
        raise FileRefusedError([Problem(f"nested deeper than {limit} levels")])


def formula_like(cell: str) -> bool:
    """Whether a text cell starts like a spreadsheet formula (=, +, -, @, tab, carriage return).

    Numbers are checked on their own (a T-score of -2.5 is a number, not a formula): this applies to
    the cells read as text.
    """
    return cell.startswith(FORMULA_STARTS)
