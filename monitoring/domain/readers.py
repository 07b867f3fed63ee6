"""Typed readers of decoded JSON values, each raising `HistoryError` with the value's path."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from .dates import DATE_MAX, DATE_MIN
from .document import DOCUMENT, DuplicateKeys, join_key
from .errors import HistoryError

Reader = Callable[[Any, str], Any]

_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


class JsonObject:
    """Read the keys of one JSON object, refusing any key that is not read."""

    def __init__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise HistoryError(path or DOCUMENT, f"expected an object, got {kind(value)}")
        if isinstance(value, DuplicateKeys):
            raise HistoryError(join_key(path, value.duplicate), "key appears twice")
        self.value: dict[str, Any] = value
        self.path = path

    def at(self, key: str) -> str:
        return join_key(self.path, key)

    def finish(self, allowed: frozenset[str]) -> None:
        for key in self.value:
            if key not in allowed:
                raise HistoryError(self.at(key), "unknown key")

    def required[T](self, key: str, read: Callable[[Any, str], T]) -> T:
        if key not in self.value or self.value[key] is None:
            raise HistoryError(self.at(key), "is required")
        return read(self.value[key], self.at(key))

    def optional[T](self, key: str, read: Callable[[Any, str], T]) -> T | None:
        value = self.value.get(key)
        return None if value is None else read(value, self.at(key))


def kind(value: Any) -> str:
    """Name the JSON kind of `value` for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def text(max_length: int, *, nonempty: bool = False) -> Callable[[Any, str], str]:
    """Read a string of at most `max_length` characters (the column it is stored in)."""

    def read(value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise HistoryError(path, f"expected a string, got {kind(value)}")
        if len(value) > max_length:
            raise HistoryError(path, f"longer than {max_length} characters")
        if nonempty and not value.strip():
            raise HistoryError(path, "must not be empty")
        return value

    return read


def boolean(value: Any, path: str) -> bool:
    """Read true or false."""
    if not isinstance(value, bool):
        raise HistoryError(path, f"expected true or false, got {kind(value)}")
    return value


def number(value: Any, path: str) -> Decimal:
    """Read a finite number as a Decimal."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise HistoryError(path, f"expected a number, got {kind(value)}")
    result = value if isinstance(value, Decimal) else Decimal(str(value))
    if not result.is_finite():
        raise HistoryError(path, "must be a finite number")
    return result


def check_places(value: Decimal, places: int, path: str) -> None:
    """Refuse a number with more decimal places than `places` (what its column stores)."""
    if value.normalize().as_tuple().exponent < -places:  # type: ignore[operator]
        raise HistoryError(path, f"{value} has more than {places} decimal places")


def ranged(
    low: Decimal, high: Decimal, *, places: int | None = None
) -> Callable[[Any, str], Decimal]:
    """Read a number within `low` to `high`, both included, with at most `places` decimals."""

    def read(value: Any, path: str) -> Decimal:
        result = number(value, path)
        if not low <= result <= high:
            raise HistoryError(path, f"{result} is outside {low} to {high}")
        if places is not None:
            check_places(result, places, path)
        return result

    return read


def integer(low: int, high: int) -> Callable[[Any, str], int]:
    """Read a whole number within `low` to `high`, both included."""

    def read(value: Any, path: str) -> int:
        result = number(value, path)
        if result != result.to_integral_value():
            raise HistoryError(path, f"{result} is not a whole number")
        if not low <= result <= high:
            raise HistoryError(path, f"{result} is outside {low} to {high}")
        return int(result)

    return read


def iso_date(value: Any, path: str) -> dt.date:
    """Read a date YYYY-MM-DD within DATE_MIN to DATE_MAX."""
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        shown = repr(value) if isinstance(value, str) and len(value) <= 40 else kind(value)
        raise HistoryError(path, f"expected a date YYYY-MM-DD, got {shown}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise HistoryError(path, f"{value!r} is not a calendar date") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise HistoryError(path, f"{value} is outside {DATE_MIN} to {DATE_MAX}")
    return day


def enum[E: StrEnum](choices: type[E]) -> Callable[[Any, str], E]:
    """Read one of the values of `choices`."""

    def read(value: Any, path: str) -> E:
        if isinstance(value, str):
            try:
                return choices(value)
            except ValueError:
                pass
        shown = repr(value) if isinstance(value, str) and len(value) <= 40 else kind(value)
        listed = ", ".join(member.value for member in choices)
        raise HistoryError(path, f"{shown} is not one of {listed}")

    return read


def listed(value: Any, path: str) -> list[Any]:
    """Read a list."""
    if not isinstance(value, list):
        raise HistoryError(path, f"expected a list, got {kind(value)}")
    return value
