"""Hostile and broken history files: `import_history` and `assess` refuse each one alike.

Every bad file gives exactly one stderr line naming the file and the field, exit 2, and for the
import, no row written or changed anywhere (audit rows included).
"""

import copy
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditEvent
from monitoring.domain.document import MAX_DOCUMENT_BYTES
from monitoring.models import Scanner
from patients.models import Patient

GOOD: dict[str, Any] = {
    "as_of": "2025-06-01",
    "patient": {"mrn": "B100", "name": "Ada Good", "sex": "F", "birth_date": "1960-03-02"},
    "aromatase_inhibitors": [{"drug": "letrozole", "start_date": "2023-12-01"}],
    "dexa_scans": [
        {
            "date": "2024-01-10",
            "scanner": "Lunar",
            "sites": {"lumbar_spine": {"bmd": 0.9, "t_score": -1.2}},
        },
        {
            "date": "2025-01-10",
            "scanner": "Lunar",
            "sites": {"lumbar_spine": {"bmd": 0.88, "t_score": -1.4}},
        },
    ],
    "labs": [{"date": "2024-01-10", "analyte": "vitamin_d_25oh", "value": 62, "unit": "nmol/L"}],
    "frax": [{"date": "2024-01-10", "major_osteoporotic_pct": 12.0, "hip_pct": 1.8}],
    "bone_therapy": [
        {
            "drug": "denosumab",
            "start_date": "2024-02-01",
            "doses": ["2024-02-01"],
            "dental_review_date": "2024-01-20",
        }
    ],
    "plan": {"next_dexa_due": "2026-01-10", "reason": "booked"},
}


def _changed(path: list[str | int], value: Any) -> bytes:
    data = copy.deepcopy(GOOD)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(data).encode()


def _good_text() -> str:
    return json.dumps(GOOD)


# (id, file bytes, the field the line must name)
BAD_FILES: list[tuple[str, bytes, str]] = [
    ("deep-nesting", b'{"patient": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "(document)"),
    ("nesting-past-the-limit", b'{"labs": [[[[[[[[[[]]]]]]]]]]}', "(document)"),
    ("over-long-string", _changed(["patient", "name"], "x" * 100_000), "patient.name"),
    ("mrn-longer-than-its-column", _changed(["patient", "mrn"], "M" * 41), "patient.mrn"),
    ("over-long-key", _changed(["scanners"], {"S" * 5000: {}}), "scanners["),
    ("nul-in-a-string", _changed(["patient", "mrn"], "B\x00100"), "patient.mrn"),
    ("nul-byte-in-the-file", _good_text().replace('"F"', '"F"\x00').encode(), "(document)"),
    (
        "lone-surrogate",
        _good_text().replace('"Ada Good"', '"Ada \\ud800"').encode(),
        "patient.name",
    ),
    (
        "not-utf-8",
        _good_text().replace("Ada", "Ad\udcff", 1).encode("utf-8", "surrogateescape"),
        "(document)",
    ),
    (
        "duplicate-key",
        _good_text().replace('"sex": "F"', '"sex": "F", "sex": "M"').encode(),
        "patient.sex",
    ),
    (
        "duplicate-top-level-key",
        _good_text().replace('"as_of": "2025-06-01"', '"plan": {}, "as_of": "2025-06-01"').encode(),
        "plan",
    ),
    ("scan-before-birth", _changed(["dexa_scans", 0, "date"], "1950-01-10"), "dexa_scans[0].date"),
    ("lab-before-birth", _changed(["labs", 0, "date"], "1960-03-01"), "labs[0].date"),
    (
        "course-before-birth",
        _changed(["bone_therapy", 0, "start_date"], "1959-02-01"),
        "bone_therapy[0].start_date",
    ),
    (
        "ai-start-after-2199",
        _changed(["aromatase_inhibitors", 0, "start_date"], "2200-01-01"),
        "aromatase_inhibitors[0].start_date",
    ),
    (
        "dental-review-after-2199",
        _changed(["bone_therapy", 0, "dental_review_date"], "9999-12-31"),
        "bone_therapy[0].dental_review_date",
    ),
    (
        "next-dexa-after-2199",
        _changed(["plan", "next_dexa_due"], "2300-01-01"),
        "plan.next_dexa_due",
    ),
    ("birth-before-1900", _changed(["patient", "birth_date"], "1899-12-31"), "patient.birth_date"),
    (
        "absurd-exponent",
        _good_text().replace('"value": 62', '"value": 62e999999').encode(),
        "labs[0].value",
    ),
    ("nan", _good_text().replace('"value": 62', '"value": NaN').encode(), "(document)"),
    ("too-large", b"{" + b" " * MAX_DOCUMENT_BYTES + b"}", "(document)"),
    ("not-an-object", b"[]", "(document)"),
]


def _db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of the clinical, account and audit apps, to compare before and after."""
    state = {}
    for label in ("patients", "monitoring", "audit", "accounts"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


def _importer() -> User:
    """The actor of these imports: a physician at North (the site the tests' `site` fixture
    makes), who may import every kind of record a history holds but scanners, which an
    administrator sets up: North's scanner "Lunar" is made here."""
    user, created = User.objects.get_or_create(username="importer")
    if created:
        user.groups.add(Group.objects.get(name="physician"))
        north = Site.objects.filter(code="north")
        user.sites.set(north)
        for site in north:
            Scanner.objects.get_or_create(site=site, name="Lunar")
    return user


def _import(*paths: Path) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    _importer()
    argv = [
        "--actor",
        "importer",
        "--site",
        "north",
        "--override-reason",
        "test data: checks not under test",
        *map(str, paths),
    ]
    try:
        call_command("import_history", *argv, stdout=out, stderr=err)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _assess(path: Path) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("assess", str(path), stdout=out, stderr=err)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _one_line_naming(err: str, path: Path, field: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert str(path) in lines[0]
    assert field in lines[0], lines[0]
    assert len(lines[0]) < 400, "the line quotes no megabyte"
    return lines[0]


@pytest.fixture
def imported(site: Site, tmp_path: Path) -> Patient:
    """The good file already imported: bad files must neither add to it nor change it."""
    good = tmp_path / "good.json"
    good.write_text(_good_text())
    assert _import(good)[0] == 0
    return Patient.objects.get()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "field"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_import_refuses_the_file_and_writes_nothing(
    imported: Patient, tmp_path: Path, name: str, content: bytes, field: str
) -> None:
    path = tmp_path / f"{name}.json"
    path.write_bytes(content.replace(b'"B100"', b'"B200"'))  # a new patient: nothing may appear
    before = _db_state()
    code, out, err = _import(path)
    assert code == 2
    _one_line_naming(err, path, field)
    assert _db_state() == before
    assert "0 of 1 files imported" in out


@pytest.mark.parametrize(("name", "content", "field"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_assess_refuses_the_file(tmp_path: Path, name: str, content: bytes, field: str) -> None:
    # No django_db mark: any database access would fail the test.
    path = tmp_path / f"{name}.json"
    path.write_bytes(content)
    code, out, err = _assess(path)
    assert (code, out) == (2, "")
    assert _one_line_naming(err, path, field).startswith("error: ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (["patient", "birth_date"], "1961-03-02", "patient.birth_date"),
        (["patient", "sex"], "M", "patient.sex"),
        (["patient", "name"], "Someone Else", "patient.name"),
    ],
)
def test_a_file_contradicting_the_stored_patient_is_refused_not_merged(
    imported: Patient, tmp_path: Path, path: list[str | int], value: Any, field: str
) -> None:
    conflicting = tmp_path / "conflict.json"
    data = json.loads(_changed(path, value))
    data["dexa_scans"].append(  # also new records, which must not be written either
        {
            "date": "2025-06-01",
            "scanner": "Lunar",
            "sites": {"total_hip": {"bmd": 0.8, "t_score": -1.5}},
        }
    )
    conflicting.write_text(json.dumps(data))
    before = _db_state()
    code, _, err = _import(conflicting)
    assert code == 2
    line = _one_line_naming(err, conflicting, field)
    assert "not overwritten" in line
    assert _db_state() == before
    assert Patient.objects.get().birth_date.isoformat() == "1960-03-02"


@pytest.mark.django_db
def test_a_file_without_a_name_keeps_the_recorded_name(imported: Patient, tmp_path: Path) -> None:
    data = copy.deepcopy(GOOD)
    del data["patient"]["name"]
    path = tmp_path / "anonymous.json"
    path.write_text(json.dumps(data))
    events = AuditEvent.objects.count()
    code, out, err = _import(path)
    assert (code, err) == (0, "")
    assert "nothing new" in out
    assert Patient.objects.get().name == "Ada Good"
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_reimporting_the_good_file_changes_nothing(imported: Patient, tmp_path: Path) -> None:
    path = tmp_path / "again.json"
    path.write_text(_good_text())
    before = _db_state()
    code, out, err = _import(path)
    assert (code, err) == (0, "")
    assert out.strip() == f"{path}: B100: nothing new"
    assert _db_state() == before


@pytest.mark.django_db
def test_a_bad_file_among_good_ones_fails_alone(site: Site, tmp_path: Path) -> None:
    """Each file is all or nothing (README): the good files are imported, the bad one is not."""
    first, bad, last = (tmp_path / f"{n}.json" for n in ("first", "bad", "last"))
    first.write_text(_good_text())
    bad.write_bytes(_changed(["patient", "mrn"], "B300").replace(b'"2024-01-10"', b'"1950-01-10"'))
    last.write_text(_good_text().replace('"B100"', '"B400"'))
    code, out, err = _import(first, bad, last)
    assert code == 2
    _one_line_naming(err, bad, "dexa_scans[0].date")
    assert sorted(Patient.objects.values_list("mrn", flat=True)) == ["B100", "B400"]
    assert "2 of 3 files imported" in out


@pytest.mark.django_db
def test_a_missing_file_is_one_line(site: Site, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    code, _, err = _import(missing)
    assert code == 2
    assert "cannot read" in _one_line_naming(err, missing, "(document)")
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    ("limit", "model", "field"),
    [
        ("MRN_MAX_LENGTH", "patients.Patient", "mrn"),
        ("NAME_MAX_LENGTH", "patients.Patient", "name"),
        ("SITE_MAX_LENGTH", "accounts.Site", "name"),
        ("SCANNER_MAX_LENGTH", "monitoring.Scanner", "name"),
        ("DOSE_MAX_LENGTH", "monitoring.BoneTherapyCourse", "dose"),
        ("REASON_MAX_LENGTH", "monitoring.BoneTherapyCourse", "stop_reason"),
        ("REASON_MAX_LENGTH", "patients.AromataseInhibitorCourse", "stop_reason"),
        ("REASON_MAX_LENGTH", "monitoring.MonitoringPlan", "reason"),
        ("UNIT_MAX_LENGTH", "monitoring.LabResult", "entered_unit"),
    ],
)
def test_the_parsers_text_limits_are_the_columns(limit: str, model: str, field: str) -> None:
    """A text the parser accepts fits its column (PostgreSQL would refuse a longer one)."""
    from monitoring.domain import columns

    column = apps.get_model(model)._meta.get_field(field)
    assert getattr(columns, limit) == column.max_length  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("places", "model", "field"),
    [
        ("BMD_PLACES", "monitoring.DexaMeasurement", "bmd"),
        ("BMD_PLACES", "monitoring.Scanner", "lsc_lumbar_spine"),
        ("SCORE_PLACES", "monitoring.DexaMeasurement", "t_score"),
        ("SCORE_PLACES", "monitoring.DexaMeasurement", "z_score"),
        ("BODY_PLACES", "patients.Patient", "height_cm"),
        ("BODY_PLACES", "patients.Patient", "weight_kg"),
        ("FRAX_PLACES", "monitoring.FraxResult", "hip_pct"),
        ("LAB_ENTERED_PLACES", "monitoring.LabResult", "entered_value"),
        ("LAB_ENTERED_PLACES", "monitoring.LabResult", "total_calcium"),
        ("ALBUMIN_PLACES", "monitoring.LabResult", "albumin"),
        ("TBS_PLACES", "monitoring.DexaScan", "trabecular_bone_score"),
    ],
)
def test_the_parsers_decimal_places_are_the_columns(places: str, model: str, field: str) -> None:
    from monitoring.domain import columns

    column = apps.get_model(model)._meta.get_field(field)
    assert getattr(columns, places) == column.decimal_places  # type: ignore[union-attr]


@pytest.mark.django_db
def test_an_unknown_site_is_a_usage_error_with_exit_2(site: Site, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    path = tmp_path / "good.json"
    path.write_text(_good_text())
    _importer()
    with pytest.raises(CommandError, match="--site: importer works at no site named") as caught:
        call_command(
            "import_history",
            "--actor",
            "importer",
            "--site",
            "nowhere",
            str(path),
            stdout=StringIO(),
        )
    assert caught.value.returncode == 2
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_the_extreme_accepted_dates_import_and_render(site: Site, tmp_path: Path) -> None:
    """The range's ends are safe all the way to the pages (the rules add years to these dates)."""
    from django.urls import reverse

    from tests.conftest import login
    from tests.factories import UserFactory

    data = copy.deepcopy(GOOD)
    data["patient"]["birth_date"] = "1900-01-01"
    data["as_of"] = "2199-12-31"
    # Courses planned to start on the range's last day (one aromatase inhibitor at a time). A
    # stop or a dental review there is a date in the future, refused as on the forms
    # (test_history_import_dates): only what may be to come is taken to the end.
    data["aromatase_inhibitors"][0]["stop_date"] = "2024-12-31"
    data["aromatase_inhibitors"].append({"drug": "anastrozole", "start_date": "2199-12-31"})
    data["bone_therapy"].append({"drug": "zoledronic_acid", "start_date": "2199-12-31"})
    data["plan"]["next_dexa_due"] = "2199-12-31"
    path = tmp_path / "edges.json"
    path.write_text(json.dumps(data))
    assert _assess(path)[0] == 0
    assert _import(path)[0] == 0
    patient = Patient.objects.get()
    client = login(UserFactory(username="edge-nurse", role="nurse", sites=[site]))
    for name in ("patient", "patient_summary", "scan_request"):
        response = client.get(reverse(f"monitoring:{name}", args=[patient.pk]))
        assert response.status_code == 200, name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "courses",
    [
        # The testers' case: three inhibitors at once, all in one file.
        [
            {"drug": "letrozole", "start_date": "2023-01-10", "stop_date": "2024-12-01"},
            {"drug": "anastrozole", "start_date": "2023-06-01"},
            {"drug": "exemestane", "start_date": "2024-06-01"},
        ],
        # A second course over the letrozole course already recorded (from 2023-12-01).
        [{"drug": "letrozole", "start_date": "2023-12-01"}, {"drug": "anastrozole"}],
    ],
    ids=["within-the-file", "over-the-recorded-course"],
)
def test_overlapping_aromatase_inhibitors_are_refused(
    imported: Patient, tmp_path: Path, courses: list[dict[str, str]]
) -> None:
    path = tmp_path / "overlap.json"
    data = copy.deepcopy(GOOD)
    data["aromatase_inhibitors"] = courses
    path.write_text(json.dumps(data))
    before = _db_state()
    code, _, err = _import(path)
    assert code == 2
    line = _one_line_naming(err, path, "aromatase_inhibitors[")
    assert "one aromatase inhibitor at a time" in line
    assert _db_state() == before


@pytest.mark.django_db
def test_a_switch_on_the_stop_day_imports(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "switch.json"
    data = copy.deepcopy(GOOD)
    data["aromatase_inhibitors"] = [
        {"drug": "letrozole", "start_date": "2023-01-10", "stop_date": "2024-06-01"},
        {"drug": "exemestane", "start_date": "2024-06-01"},
    ]
    path.write_text(json.dumps(data))
    assert _import(path)[0] == 0
    assert Patient.objects.get().ai_courses.count() == 2
