"""The worked vignettes of tests/vignettes, checked on the fields their README lists."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from monitoring.domain.cli import main

# Test data kept in the repository, so a bare clone runs every vignette.
VIGNETTES = Path(__file__).resolve().parents[2] / "vignettes"
NAMES = sorted(p.name.removesuffix(".history.json") for p in VIGNETTES.glob("*.history.json"))


def _assess(path: Path) -> dict[str, Any]:
    """Assess the way `manage.py assess FILE` does: parse, assess, serialise, print."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(
        [str(path)], stdin=io.StringIO(), stdout=stdout, stderr=stderr, today=dt.date(2000, 1, 1)
    )
    assert code == 0, stderr.getvalue()
    result: dict[str, Any] = json.loads(stdout.getvalue())
    return result


def _days_apart(left: str, right: str) -> int:
    return abs((dt.date.fromisoformat(left) - dt.date.fromisoformat(right)).days)


def test_vignettes_are_there() -> None:
    assert len(NAMES) >= 23
    for name in NAMES:
        assert (VIGNETTES / f"{name}.expected.json").is_file(), name


@pytest.mark.parametrize("name", NAMES)
def test_vignette(name: str) -> None:
    got = _assess(VIGNETTES / f"{name}.history.json")
    want = json.loads((VIGNETTES / f"{name}.expected.json").read_text(encoding="utf-8"))

    for key in (
        "who_category",
        "risk_category",
        "therapy_indicated",
        "next_dexa_due",
        "computed_next_dexa_due",
    ):
        assert got[key] == want[key], key

    def lowest(data: dict[str, Any]) -> tuple[str, float] | None:
        value = data["lowest_t_score"]
        return None if value is None else (value["site"], value["value"])

    assert lowest(got) == lowest(want)
    assert set(got["risk_factors"]) == set(want["risk_factors"])
    assert set(got["therapy_triggers"]) == set(want["therapy_triggers"])

    def alerts(data: dict[str, Any]) -> set[tuple[str, str, str | None]]:
        return {(a["code"], a["severity"], a["site"]) for a in data["alerts"]}

    assert alerts(got) == alerts(want)

    def recommendations(data: dict[str, Any]) -> set[str]:
        return {r["code"] for r in data["recommendations"]}

    assert recommendations(got) == recommendations(want)

    def dexa_dues(data: dict[str, Any]) -> dict[str, str | None]:
        return {
            r["code"]: r["due"]
            for r in data["recommendations"]
            if r["code"] in ("REPEAT_DEXA", "BASELINE_DEXA")
        }

    assert dexa_dues(got) == dexa_dues(want)

    got_changes = {c["site"]: c for c in got["bmd_changes"]}
    want_changes = {c["site"]: c for c in want["bmd_changes"]}
    assert got_changes.keys() == want_changes.keys()
    for site, expected in want_changes.items():
        actual = got_changes[site]
        assert actual["significant"] == expected["significant"], site
        assert actual["same_scanner"] == expected["same_scanner"], site
        for key, tolerance in (("change_g_cm2", 0.0005), ("annualized_pct", 0.15)):
            if expected[key] is None:
                assert actual[key] is None, (site, key)
            else:
                assert actual[key] == pytest.approx(expected[key], abs=tolerance), (site, key)

    def btm(data: dict[str, Any]) -> str | None:
        response = data["btm_response"]
        return None if response is None else response["result"]

    assert btm(got) == btm(want)

    got_projections = {p["site"]: p for p in got["projections"]}
    want_projections = {p["site"]: p for p in want["projections"]}
    assert got_projections.keys() == want_projections.keys()
    for site, expected in want_projections.items():
        actual = got_projections[site]
        assert actual["basis"] == expected["basis"], site
        for key in ("crosses_minus_2_0_on", "crosses_minus_2_5_on"):
            if expected[key] is None:
                assert actual[key] is None, (site, key)
            else:
                assert actual[key] is not None, (site, key)
                assert _days_apart(actual[key], expected[key]) <= 10, (site, key)

    def schedule(data: dict[str, Any]) -> set[tuple[str, str]]:
        return {(s["item"], s["due"]) for s in data["schedule"]}

    assert schedule(got) == schedule(want)
