"""Read one JSON document defensively: bounded size, depth, strings and numbers; no duplicate keys.

Every limit is a named constant here so that `assess`, `import_history` and the entry forms refuse
the same inputs with the same words. Problems raise `HistoryError` naming the JSON path of the bad
value (`(document)` when the problem is the document as a whole).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from decimal import Decimal
from itertools import accumulate
from typing import Any, BinaryIO, Final

from .errors import HistoryError

# Design choice: a whole history is a few kilobytes (the largest vignette is under 10 kB); a
# megabyte leaves room for decades of records and keeps a hostile file from filling memory.
MAX_DOCUMENT_BYTES: Final = 1_048_576
# The deepest value of a history sits at depth 5 (document, dexa_scans, a scan, sites, a site).
MAX_DEPTH: Final = 8
# No field of a history holds more than 300 characters (stop reasons, plan reasons); keys and
# unknown values are bounded too, so an error message never quotes a megabyte.
MAX_STRING_LENGTH: Final = 500
# Numbers: every plausible value of a history has at most a few significant digits and a small
# exponent; these bounds keep unit conversion clear of Decimal overflow and absurd precision.
MAX_NUMBER_DIGITS: Final = 20
MAX_NUMBER_EXPONENT: Final = 12

DOCUMENT: Final = "(document)"
# Strings may hold tab, newline and carriage return; other C0 controls (NUL above all, which
# PostgreSQL refuses in text) are refused, as are lone surrogates, which no UTF-8 can encode.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")
# A key shown as `.key` in a path; any other key is shown JSON-quoted, so a path stays one line.
_PLAIN_KEY: Final = re.compile(r"[\w -]{1,60}", re.ASCII)
_SHOWN_KEY_LENGTH: Final = 40
# JSON strings (possessive, so an unterminated one is consumed once rather than rescanned) and
# brackets: the depth pre-check before json.loads, whose own recursion has no useful limit.
_STRING_TOKEN: Final = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def join_key(path: str, key: str) -> str:
    """Return the path of `key` inside the object at `path`."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    shown = key if len(key) <= _SHOWN_KEY_LENGTH else key[:_SHOWN_KEY_LENGTH] + "..."
    return f"{path}[{json.dumps(shown)}]"


def join_index(path: str, index: int) -> str:
    """Return the path of item `index` of the list at `path`."""
    return f"{path or DOCUMENT}[{index}]"


class DuplicateKeys(dict[str, Any]):
    """A JSON object in which `duplicate` appeared twice (its path is known only when walked)."""

    duplicate: str = ""


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            flagged = DuplicateKeys(pairs)
            flagged.duplicate = key
            return flagged
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise HistoryError(DOCUMENT, f"{name} is not a number")


def nesting_depth(text: str) -> int:
    """Return how deep brackets nest in JSON `text`, ignoring those inside strings.

    Check it before json.loads, which recurses once per level and raises RecursionError (not a
    JSONDecodeError) on a file of a few hundred kilobytes of brackets.
    """
    brackets = _NOT_BRACKET.sub("", _STRING_TOKEN.sub("", text))
    return max(accumulate(_BRACKET_STEP[b] for b in brackets), default=0)


def check_string(value: str, path: str) -> None:
    """Refuse an over-long string, a control character or a lone surrogate."""
    if len(value) > MAX_STRING_LENGTH:
        raise HistoryError(path, f"longer than {MAX_STRING_LENGTH} characters")
    if "\x00" in value:
        raise HistoryError(path, "contains a NUL character (U+0000)")
    if found := _CONTROL.search(value):
        raise HistoryError(path, f"contains the control character U+{ord(found.group()):04X}")
    if found := _SURROGATE.search(value):
        raise HistoryError(
            path, f"contains a lone surrogate U+{ord(found.group()):04X}, which is not Unicode"
        )


def _check_number(value: Decimal, path: str) -> None:
    if not value.is_finite():
        raise HistoryError(path, "must be a finite number")
    if value.is_zero():
        return
    if len(value.as_tuple().digits) > MAX_NUMBER_DIGITS:
        raise HistoryError(path, f"has more than {MAX_NUMBER_DIGITS} significant digits")
    if abs(value.adjusted()) > MAX_NUMBER_EXPONENT:
        raise HistoryError(path, f"{value:.3E} is not a plausible number")


def _children(value: Any, path: str) -> Iterator[tuple[Any, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            key_path = join_key(path, key) if isinstance(key, str) else f"{path}[{key!r}]"
            if isinstance(key, str):
                check_string(key, key_path)
            yield item, key_path
    else:
        for index, item in enumerate(value):
            yield item, join_index(path, index)


def check_tree(root: Any) -> None:
    """Refuse duplicate keys, nesting deeper than MAX_DEPTH, and bad strings or numbers.

    The walk is iterative and in document order, so the first problem of the file is named.
    """
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            check_string(value, path or DOCUMENT)
        elif isinstance(value, Decimal):
            _check_number(value, path or DOCUMENT)
        elif isinstance(value, float) and not math.isfinite(value):
            raise HistoryError(path or DOCUMENT, "must be a finite number")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            _check_number(Decimal(str(value)), path or DOCUMENT)  # a caller's decoded object
        elif isinstance(value, (dict, list)):
            if depth >= MAX_DEPTH:
                raise HistoryError(path or DOCUMENT, f"nested deeper than {MAX_DEPTH} levels")
            if isinstance(value, DuplicateKeys):
                raise HistoryError(join_key(path, value.duplicate), "key appears twice")
            children = list(_children(value, path))
            stack.extend((item, item_path, depth + 1) for item, item_path in reversed(children))


def decode(data: str | bytes) -> Any:
    """Decode a JSON document (UTF-8 bytes or text) with Decimal numbers, checked by check_tree."""
    if isinstance(data, bytes):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise HistoryError(DOCUMENT, f"larger than {MAX_DOCUMENT_BYTES} bytes")
        try:
            # utf-8-sig: a byte order mark, which some editors write, is not an error.
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise HistoryError(
                DOCUMENT, f"not UTF-8 text (byte {error.start}: {error.reason})"
            ) from None
    else:
        text = data
        if len(text.encode("utf-8", "surrogatepass")) > MAX_DOCUMENT_BYTES:
            raise HistoryError(DOCUMENT, f"larger than {MAX_DOCUMENT_BYTES} bytes")
    if nesting_depth(text) > MAX_DEPTH:
        raise HistoryError(DOCUMENT, f"nested deeper than {MAX_DEPTH} levels")
    try:
        decoded = json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_object_pairs,
        )
    except json.JSONDecodeError as error:
        raise HistoryError(
            DOCUMENT, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    check_tree(decoded)
    return decoded


def read_limited(stream: BinaryIO) -> bytes:
    """Read a document from `stream`, refusing one larger than MAX_DOCUMENT_BYTES unread."""
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise HistoryError(DOCUMENT, f"larger than {MAX_DOCUMENT_BYTES} bytes")
    return data


def read_file(name: str) -> bytes:
    """Read the document in file `name`; an unreadable or too large file is a HistoryError."""
    try:
        with open(name, "rb") as stream:
            return read_limited(stream)
    except OSError as error:
        raise HistoryError(DOCUMENT, f"cannot read: {error.strerror or error}") from None
