"""Hostile documents: the parser returns a History or raises HistoryError, never anything else."""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring.domain import HistoryError, assess, parse_history
from monitoring.domain.dates import DATE_MAX, DATE_MIN
from monitoring.domain.document import MAX_DEPTH, MAX_STRING_LENGTH, decode, join_key
from tests.monitoring.domain.test_parsing import VALID

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(st.characters(exclude_categories=()), max_size=20)  # surrogates and NUL included
    | st.sampled_from(["1960-01-01", "1899-12-31", "2200-01-01", "2024-02-30", "F", "ctx", "ng/mL"])
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_TOKENS = st.lists(
    st.sampled_from(
        [
            *("{", "}", "[", "]", '"', ",", ":", "1", "-", "e999999", '"a"', '"patient"', "null"),
            *("NaN", '"\\u0000"', '"\\ud800"', '"\\', " ", "\x00", "\ufeff", '{"k": 1, "k": 2}'),
        ]
    ),
    max_size=60,
).map("".join)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


_VALID_PATHS = _paths(VALID)


def _parses_or_refuses(data: Any) -> None:
    refused: HistoryError | None = None
    try:
        history = parse_history(data)
    except HistoryError as error:
        refused = error
    if refused is not None:
        assert refused.path, "the message starts with a path"
        assert "\n" not in str(refused)
        return
    # What parses can be assessed: the rules never meet a value the parser let through badly.
    assess(history, as_of=history.as_of or dt.date(2025, 6, 1))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    _parses_or_refuses(data)


@settings(max_examples=150, deadline=None)
@given(_TOKENS)
def test_arbitrary_json_like_text(text: str) -> None:
    _parses_or_refuses(text)
    _parses_or_refuses(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=100, deadline=None)
@given(_JSON)
def test_arbitrary_json_values(value: Any) -> None:
    _parses_or_refuses(value)  # as a decoded object (what import_history passes)
    _parses_or_refuses(json.dumps(value))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_VALID_PATHS), _JSON)
def test_one_field_of_a_valid_history_replaced(path: tuple[Any, ...], value: Any) -> None:
    data = copy.deepcopy(VALID)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    _parses_or_refuses(data)
    _parses_or_refuses(json.dumps(data))


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_every_date_outside_the_range_is_refused_and_inside_accepted(day: dt.date) -> None:
    data = copy.deepcopy(VALID)
    data["plan"]["next_dexa_due"] = day.isoformat()
    if DATE_MIN <= day <= DATE_MAX and day >= dt.date(1960, 2, 29):
        assert parse_history(data).plan.next_dexa_due == day  # type: ignore[union-attr]
    else:
        with pytest.raises(HistoryError, match=r"^plan\.next_dexa_due: "):
            parse_history(data)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    data = copy.deepcopy(VALID)
    data["plan"]["reason"] = "[" * 200 + "{" * 50
    assert parse_history(json.dumps(data)).plan.reason.startswith("[[[")  # type: ignore[union-attr]


def test_the_depth_check_is_fast_on_pathological_strings() -> None:
    text = '"' + '\\"' * 200_000  # an unterminated string of escaped quotes
    started = time.perf_counter()
    with pytest.raises(HistoryError, match="not valid JSON"):
        decode(text)
    assert time.perf_counter() - started < 2


def test_a_decoded_object_nested_too_deep_names_its_path() -> None:
    deep: Any = "x"
    for _ in range(MAX_DEPTH):
        deep = [deep]
    data = copy.deepcopy(VALID)
    data["labs"] = deep
    with pytest.raises(HistoryError, match=rf"^labs(\[0\]){{{MAX_DEPTH - 1}}}: nested deeper"):
        parse_history(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"patient": {"mrn": "a\\u0000"}}', r"^patient\.mrn: contains a NUL character"),
        (
            '{"patient": {"mrn": "a\\u0007"}}',
            r"^patient\.mrn: contains the control character U\+0007",
        ),
        ('{"patient": {"mrn": "\\udc00"}}', r"^patient\.mrn: contains a lone surrogate U\+DC00"),
        ('{"a\\u0000": 1}', r'^\["a\\u0000"\]: contains a NUL'),
        ('{"x": "' + "y" * (MAX_STRING_LENGTH + 1) + '"}', rf"^x: longer than {MAX_STRING_LENGTH}"),
        ('{"x": 1, "x": 1}', r"^x: key appears twice"),
        ('{"x": [{"y": 1, "y": 2}]}', r"^x\[0\]\.y: key appears twice"),
        ('{"x": 1e13}', r"^x: 1\.000E\+13 is not a plausible number"),
        ('{"x": 0.000000000000001}', r"^x: .* is not a plausible number"),
        ('{"x": 1.0000000000000000000001}', r"^x: has more than 20 significant digits"),
        ('{"x": -Infinity}', r"^\(document\): -Infinity is not a number"),
        ("\ufeff{}", r"^\(document\): not valid JSON"),
    ],
)
def test_document_limits(text: str, message: str) -> None:
    with pytest.raises(HistoryError, match=message):
        decode(text)


def test_a_byte_order_mark_before_utf8_bytes_is_accepted() -> None:
    assert decode(b"\xef\xbb\xbf{}") == {}
    assert decode(b"0") == Decimal(0)


def test_odd_keys_are_quoted_in_paths() -> None:
    assert join_key("scanners", "Lunar iDXA") == "scanners.Lunar iDXA"
    assert join_key("scanners", "a.b") == 'scanners["a.b"]'
    assert join_key("scanners", "a\nc") == 'scanners["a\\nc"]'
    assert join_key("", "k" * 100) == '["' + "k" * 40 + '..."]'


@pytest.mark.parametrize(
    ("path", "value", "message", "accepted"),
    [
        (["dexa_scans", 0, "sites", "lumbar_spine", "bmd"], 0.9125, "more than 3 decimal", 0.913),
        (["dexa_scans", 0, "sites", "lumbar_spine", "t_score"], -1.25, "more than 1 decimal", -1.3),
        (["patient", "height_cm"], 160.25, "has more than 1 decimal", 160.2),
        (["patient", "risk_factors", "oral_glucocorticoid_months"], 6.5, "more than 0 decimal", 7),
        (["frax", 0, "hip_pct"], 1.85, "has more than 1 decimal", 1.9),
        (["labs", 0, "value"], 450.0001, "has more than 3 decimal", 450.125),
        (["scanners", "S1", "lsc", "lumbar_spine"], 0.0285, "more than 3 decimal", 0.0280),
    ],
)
def test_numbers_finer_than_their_column_are_refused(
    path: list[Any], value: Any, message: str, accepted: Any
) -> None:
    """Else the import would round them (6.5 glucocorticoid months stored as 6, under the
    risk-factor threshold that assess saw exceeded) and a re-import would then conflict."""
    data = copy.deepcopy(VALID)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(HistoryError, match=message):
        parse_history(json.dumps(data))
    target[path[-1]] = accepted
    parse_history(json.dumps(data))
