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


def main(
    argv: Sequence[str],
    *,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    today: dt.date,
) -> int:
    """Run the command; return 0, or 2 after one `error: <path>: <problem>` line on stderr.

    `as_of` is `--as-of` if given, else the file's `as_of`, else `today` (passed by the caller).
    """
    try:
        args = _parser().parse_args(list(argv))
        as_of_flag: dt.date | None = None
        if args.as_of is not None:
            try:
                as_of_flag = dt.date.fromisoformat(args.as_of)
            except ValueError:
                raise HistoryError("--as-of", f"{args.as_of!r} is not a date YYYY-MM-DD") from None
        if args.file == "-":
            text = stdin.read()
        else:
            try:
                with open(args.file, encoding="utf-8") as handle:
                    text = handle.read()
            except (OSError, UnicodeDecodeError) as error:
                raise HistoryError(args.file, f"cannot read: {error}") from None
        history = parse_history(text)
        as_of = as_of_flag or history.as_of or today
        result = assessment_to_dict(assess(history, as_of=as_of))
    except (HistoryError, _ArgumentError) as error:
        stderr.write(f"error: {_one_line(str(error))}\n")
        return EXIT_INVALID
    json.dump(result, stdout, indent=2, sort_keys=True, ensure_ascii=False)
    stdout.write("\n")
    return EXIT_OK
