"""docs/history-format.md says in words what parsing.py reads and serialize.py writes: every key,
enumerated value and lab unit of the code appears there, so the page cannot fall behind the code
unnoticed."""

import json
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from monitoring.domain import parsing, types
from monitoring.domain.units import ACCEPTED_UNITS

ROOT = Path(__file__).resolve().parents[3]
PAGE = (ROOT / "docs" / "history-format.md").read_text(encoding="utf-8")
SCHEMA = json.loads(
    (ROOT / "monitoring" / "domain" / "schema" / "assessment.schema.json").read_text("utf-8")
)
HISTORY_KEYS = (
    parsing._HISTORY_KEYS
    | parsing._PATIENT_KEYS
    | parsing._RISK_FACTOR_KEYS
    | parsing._AI_KEYS
    | parsing._THERAPY_KEYS
    | parsing._SCAN_KEYS
    | parsing._LAB_KEYS
    | {"lsc", "date", "scanner", "sites", "bmd", "t_score", "z_score", "analyte", "value", "unit"}
    | {"fasting", "major_osteoporotic_pct", "hip_pct", "with_bmd", "calcium", "vitamin_d"}
    | {"next_dexa_due", "reason"}
)
ENUMS: tuple[type[StrEnum], ...] = (
    types.Sex,
    types.MenopausalStatus,
    types.Smoking,
    types.AromataseInhibitor,
    types.BoneTherapyDrug,
    types.Site,
    types.Analyte,
    types.WhoCategory,
    types.RiskCategory,
    types.Severity,
    types.ProjectionBasis,
    types.BtmResult,
    types.ScheduleItem,
)


def _schema_keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        yield from node.get("properties", {})
        for value in node.values():
            yield from _schema_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schema_keys(value)


def _named(word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", PAGE) is not None


@pytest.mark.parametrize("key", sorted(HISTORY_KEYS | set(_schema_keys(SCHEMA))))
def test_every_key_is_described(key: str) -> None:
    assert _named(key), f"docs/history-format.md does not name the key {key!r}"


@pytest.mark.parametrize(
    "value", sorted({str(member) for enum in ENUMS for member in enum}), ids=str
)
def test_every_enumerated_value_is_listed(value: str) -> None:
    assert _named(value), f"docs/history-format.md does not list {value!r}"


@pytest.mark.parametrize(
    "unit", sorted({unit for units in ACCEPTED_UNITS.values() for unit in units})
)
def test_every_accepted_unit_is_listed(unit: str) -> None:
    assert f"`{unit}`" in PAGE, f"docs/history-format.md does not list the unit {unit!r}"
