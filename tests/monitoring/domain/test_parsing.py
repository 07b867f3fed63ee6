"""Strict parsing: every kind of bad input is refused with the JSON path of the bad field."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from monitoring.domain import (
    ACCEPTED_UNITS,
    CANONICAL_UNIT,
    Analyte,
    HistoryError,
    Site,
    parse_history,
    to_canonical,
)

VALID: dict[str, Any] = {
    "as_of": "2025-06-01",
    "patient": {
        "mrn": "P1",
        "sex": "F",
        "birth_date": "1960-02-29",
        "height_cm": 160.0,
        "weight_kg": 60.0,
        "risk_factors": {"smoking": "former", "prior_fracture_date": None},
    },
    "aromatase_inhibitors": [
        {"drug": "letrozole", "start_date": "2024-01-01", "planned_duration_months": 60}
    ],
    "scanners": {"S1": {"lsc": {"lumbar_spine": 0.028}}},
    "dexa_scans": [
        {
            "date": "2024-01-10",
            "scanner": "S1",
            "sites": {"lumbar_spine": {"bmd": 0.9, "t_score": -1.2, "z_score": -0.3}},
        }
    ],
    "labs": [{"date": "2024-01-10", "analyte": "ctx", "value": 450, "unit": "pg/mL"}],
    "frax": [{"date": "2024-01-10", "major_osteoporotic_pct": 12.0, "hip_pct": 1.8}],
    "bone_therapy": [{"drug": "denosumab", "start_date": "2024-02-01", "doses": ["2024-02-01"]}],
    "supplements": {"calcium": True},
    "plan": {"next_dexa_due": "2025-03-01", "reason": "booked"},
}


def with_change(path: list[str | int], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def test_valid_history_parses() -> None:
    history = parse_history(json.dumps(VALID))
    assert history.as_of == dt.date(2025, 6, 1)
    assert history.patient.birth_date == dt.date(1960, 2, 29)
    assert history.dexa_scans[0].sites[Site.LUMBAR_SPINE].bmd == Decimal("0.9")
    assert history.labs[0].value == Decimal("0.450")
    assert history.scanners["S1"].lsc[Site.LUMBAR_SPINE] == Decimal("0.028")
    assert parse_history(VALID) == history


def test_numbers_are_decimal() -> None:
    history = parse_history(json.dumps(VALID))
    assert isinstance(history.patient.height_cm, Decimal)
    assert isinstance(history.frax[0].hip_pct, Decimal)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["surprise"], 1, "surprise: unknown key"),
        (["patient", "nickname"], "x", "patient.nickname: unknown key"),
        (["patient", "risk_factors", "smoker"], True, "patient.risk_factors.smoker: unknown key"),
        (["dexa_scans", 0, "extra"], 1, "dexa_scans[0].extra: unknown key"),
        (
            ["dexa_scans", 0, "sites", "spine"],
            {},
            "dexa_scans[0].sites.spine: unknown key",
        ),
        (
            ["dexa_scans", 0, "sites", "lumbar_spine", "bmd"],
            2.5,
            "dexa_scans[0].sites.lumbar_spine.bmd: 2.5 is outside 0.2 to 2.0",
        ),
        (
            ["dexa_scans", 0, "sites", "lumbar_spine", "bmd"],
            0.19,
            "dexa_scans[0].sites.lumbar_spine.bmd: 0.19 is outside 0.2 to 2.0",
        ),
        (
            ["dexa_scans", 0, "sites", "lumbar_spine", "t_score"],
            -7.1,
            "dexa_scans[0].sites.lumbar_spine.t_score: -7.1 is outside -7 to 5",
        ),
        (
            ["dexa_scans", 0, "sites", "lumbar_spine", "z_score"],
            5.5,
            "dexa_scans[0].sites.lumbar_spine.z_score: 5.5 is outside -7 to 5",
        ),
        (
            ["dexa_scans", 0, "sites", "lumbar_spine", "t_score"],
            "-1.2",
            "dexa_scans[0].sites.lumbar_spine.t_score: expected a number",
        ),
        (["dexa_scans", 0, "date"], "2024-02-30", "dexa_scans[0].date: '2024-02-30' is not a"),
        (["dexa_scans", 0, "date"], "10/01/2024", "dexa_scans[0].date: expected a date"),
        (["dexa_scans", 0, "date"], "20240110", "dexa_scans[0].date: expected a date"),
        (["as_of"], 20250601, "as_of: expected a date"),
        (["patient", "sex"], "W", "patient.sex: 'W' is not one of F, M"),
        (["patient", "mrn"], None, "patient.mrn: is required"),
        (["patient", "height_cm"], 20, "patient.height_cm: 20 is outside"),
        (["patient", "weight_kg"], 400, "patient.weight_kg: 400 is outside"),
        (
            ["patient", "risk_factors", "parent_hip_fracture"],
            1,
            "patient.risk_factors.parent_hip_fracture: expected true or false",
        ),
        (
            ["aromatase_inhibitors", 0, "planned_duration_months"],
            241,
            "aromatase_inhibitors[0].planned_duration_months: 241 is outside 1 to 240",
        ),
        (
            ["aromatase_inhibitors", 0, "planned_duration_months"],
            0,
            "aromatase_inhibitors[0].planned_duration_months: 0 is outside 1 to 240",
        ),
        (
            ["aromatase_inhibitors", 0, "planned_duration_months"],
            12.5,
            "aromatase_inhibitors[0].planned_duration_months: 12.5 is not a whole number",
        ),
        (["aromatase_inhibitors", 0, "drug"], "tamoxifen", "aromatase_inhibitors[0].drug:"),
        (
            ["aromatase_inhibitors", 0, "stop_date"],
            "2023-01-01",
            "aromatase_inhibitors[0].stop_date: 2023-01-01 is before the start date",
        ),
        (["labs", 0, "analyte"], "ferritin", "labs[0].analyte: 'ferritin' is not one of"),
        (["labs", 0, "unit"], "mg/L", "labs[0].unit: unit 'mg/L' is not accepted for ctx"),
        (["labs", 0, "value"], True, "labs[0].value: expected a number, got a boolean"),
        (["labs", 0, "value"], 50000, "labs[0].value: 50000 pg/mL is outside"),
        (["frax", 0, "hip_pct"], 101, "frax[0].hip_pct: 101 is outside 0 to 100"),
        (["bone_therapy", 0, "doses", 0], "2024-01-01", "bone_therapy[0].doses[0]: 2024-01-01 is"),
        (["bone_therapy", 0, "doses"], "2024-02-01", "bone_therapy[0].doses: expected a list"),
        (["scanners", "S1", "lsc", "lumbar_spine"], 0.5, "scanners.S1.lsc.lumbar_spine: 0.5 is"),
        (["plan", "next_dexa_due"], "soon", "plan.next_dexa_due: expected a date"),
        (["supplements"], [], "supplements: expected an object"),
        (["dexa_scans", 0, "sites"], {}, "dexa_scans[0].sites: a scan needs at least one site"),
    ],
)
def test_bad_field_is_named(path: list[str | int], value: Any, message: str) -> None:
    with pytest.raises(HistoryError) as caught:
        parse_history(json.dumps(with_change(path, value)))
    assert str(caught.value).startswith(message)


def test_a_dose_after_its_course_stopped_is_named() -> None:
    """F4: a course stops on or after its last dose, in a file as in the therapy form."""
    data = copy.deepcopy(VALID)
    data["bone_therapy"][0] |= {"stop_date": "2024-05-01", "doses": ["2024-02-01", "2024-08-01"]}
    with pytest.raises(HistoryError) as caught:
        parse_history(json.dumps(data))
    assert str(caught.value).startswith(
        "bone_therapy[0].doses[1]: 2024-08-01 is after the stop date 2024-05-01: a course stops "
        "on or after its last dose"
    )
    data["bone_therapy"][0]["stop_date"] = "2024-08-01"  # stopped on the day of the last dose
    assert parse_history(json.dumps(data)).bone_therapy[0].stop_date is not None


def test_two_measurements_of_one_site_on_one_date() -> None:
    data = copy.deepcopy(VALID)
    data["dexa_scans"].append(copy.deepcopy(data["dexa_scans"][0]))
    data["dexa_scans"][1]["scanner"] = "S2"
    with pytest.raises(HistoryError, match=r"^dexa_scans\[1\]\.sites\.lumbar_spine: a second"):
        parse_history(json.dumps(data))


def test_document_level_errors() -> None:
    with pytest.raises(HistoryError, match=r"^\(document\): not valid JSON"):
        parse_history("{")
    with pytest.raises(HistoryError, match="expected an object"):
        parse_history("[]")
    with pytest.raises(HistoryError, match="NaN is not a number"):
        parse_history('{"as_of": NaN}')
    with pytest.raises(HistoryError, match=r"^patient: is required"):
        parse_history("{}")
    with pytest.raises(HistoryError, match=r"^patient\.mrn: key appears twice"):
        parse_history(
            '{"patient": {"mrn": "a", "mrn": "b", "sex": "F", "birth_date": "1960-01-01"}}'
        )


def test_history_error_is_a_value_error() -> None:
    assert issubclass(HistoryError, ValueError)


# --- Units --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "expected"),
    [
        (Analyte.VITAMIN_D_25OH, "74.88", "nmol/L", "30.00"),
        (Analyte.VITAMIN_D_25OH, "49.92", "nmol/L", "20.00"),
        (Analyte.VITAMIN_D_25OH, "30", "ng/mL", "30.00"),
        (Analyte.CALCIUM, "9.4", "mg/dL", "2.35"),
        (Analyte.CALCIUM, "2.3", "mmol/L", "2.30"),
        (Analyte.CREATININE, "1", "mg/dL", "88.42"),
        (Analyte.CTX, "450", "pg/mL", "0.45"),
        (Analyte.P1NP, "45", "ng/mL", "45.00"),
    ],
)
def test_to_canonical(analyte: Analyte, value: str, unit: str, expected: str) -> None:
    converted = to_canonical(analyte, Decimal(value), unit)
    assert converted.quantize(Decimal("0.01")) == Decimal(expected)


@pytest.mark.parametrize("unit", ["\u00b5g/L", "\u03bcg/L", "ug/L"])
def test_micro_sign_variants(unit: str) -> None:
    assert to_canonical(Analyte.P1NP, Decimal(50), unit) == Decimal(50)
    assert to_canonical("creatinine", Decimal(70), unit.replace("g/L", "mol/L")) == Decimal(70)
    data = with_change(
        ["labs", 0], {"date": "2024-01-10", "analyte": "p1np", "value": 50, "unit": unit}
    )
    assert parse_history(json.dumps(data)).labs[0].value == Decimal(50)


def test_unknown_unit_and_analyte() -> None:
    with pytest.raises(HistoryError, match="not accepted"):
        to_canonical(Analyte.EGFR, Decimal(60), "mL/min")
    with pytest.raises(HistoryError, match="unknown analyte"):
        to_canonical("ferritin", Decimal(60), "ng/mL")


def test_accepted_units_table() -> None:
    assert set(ACCEPTED_UNITS) == set(Analyte)
    for analyte, units in ACCEPTED_UNITS.items():
        assert units[0] == CANONICAL_UNIT[analyte]
        for unit in units:
            to_canonical(analyte, Decimal(1), unit)
