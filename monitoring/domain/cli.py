"""`manage.py assess FILE|- [--as-of DATE]`: print the assessment of one history as JSON.

The Django management command is a thin wrapper around `main`; nothing here touches a database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Sequence
from typing import TextIO

from .assessment import assess
from .dates import DATE_MAX, DATE_MIN
from .document import MAX_DOCUMENT_BYTES, read_file, read_limited
from .errors import HistoryError
from .parsing import parse_history
from .serialize import assessment_to_dict

EXIT_OK = 0
EXIT_INVALID = 2


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _ArgumentError(message)


def _parser() -> _Parser:
    parser = _Parser(prog="assess", description="Assess one patient history (JSON).")
    parser.add_argument("file", help="history JSON file, or - for standard input")
    parser.add_argument("--as-of", dest="as_of", help="date to assess for (YYYY-MM-DD)")
    return parser


def _one_line(message: str) -> str:
    return " ".join(message.split())


def shown_name(name: str) -> str:
    """Return a file name printable on one line (undecodable bytes and controls escaped)."""
    escaped = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in escaped)


def _as_of(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise HistoryError("--as-of", f"{value[:40]!r} is not a date YYYY-MM-DD") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise HistoryError("--as-of", f"{day} is outside {DATE_MIN} to {DATE_MAX}")
    return day


def _read_stdin(stdin: TextIO) -> bytes | str:
    """Read standard input as bytes when it has them, so decoding is checked in one place."""
    buffer = getattr(stdin, "buffer", None)
    if buffer is not None:
        return read_limited(buffer)
    text = stdin.read(MAX_DOCUMENT_BYTES + 1)
    if len(text) > MAX_DOCUMENT_BYTES:
        raise HistoryError("(document)", f"larger than {MAX_DOCUMENT_BYTES} bytes")
    return text


def main(
    argv: Sequence[str],
    *,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    today: dt.date,
) -> int:
    """Run the command; return 0, or 2 after one `error: <file>: <path>: <problem>` line on stderr.

    The file is `<stdin>` for `-`. `as_of` is `--as-of` if given, else the file's `as_of`, else
    `today` (passed by the caller).
    """
    source = ""
    try:
        args = _parser().parse_args(list(argv))
        as_of_flag: dt.date | None = None
        if args.as_of is not None:
            as_of_flag = _as_of(args.as_of)
        source = "<stdin>" if args.file == "-" else shown_name(args.file)
        data = _read_stdin(stdin) if args.file == "-" else read_file(args.file)
        history = parse_history(data)
        as_of = as_of_flag or history.as_of or today
        if as_of < history.patient.birth_date:  # the file's own as_of was checked when parsed
            born = history.patient.birth_date
            if as_of_flag is not None:
                raise HistoryError("--as-of", f"{as_of} is before the patient's birth date {born}")
            raise HistoryError("patient.birth_date", f"{born} is after today, {today}")
        result = assessment_to_dict(assess(history, as_of=as_of))
    except (HistoryError, _ArgumentError) as error:
        where = f"{source}: " if source else ""
        stderr.write(f"error: {where}{_one_line(str(error))}\n")
        return EXIT_INVALID
    json.dump(result, stdout, indent=2, sort_keys=True, ensure_ascii=False)
    stdout.write("\n")
    return EXIT_OK
