"""`manage.py import_results`: a vignette's scans and labs round trip, refusals, exit codes."""

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from bonehealth.accounts.models import Site, User
from bonehealth.audit.models import AuditAction, AuditEvent
from monitoring.models import DexaScan, LabResult, Scanner
from monitoring.records.history_import import history_import
from patients.models import Patient
from tests.factories import PatientFactory, ScannerFactory, UserFactory
from tests.monitoring.domain.test_vignettes import NAMES, VIGNETTES
from tests.monitoring.imports.helpers import (
    results_csv,
    snapshot,
    vignette,
    vignette_rows,
    write,
)

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_results", *args, stdout=out, stderr=err)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _assess(history: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "assess.json"
    path.write_text(json.dumps(history))
    out = StringIO()
    call_command("assess", str(path), "--as-of", history["as_of"], stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.mark.parametrize("name", NAMES)
def test_a_vignettes_scans_and_labs_round_trip_through_the_csv(
    name: str, site: Site, nurse: User, tmp_path: Path
) -> None:
    history = vignette(name)
    rest = {k: v for k, v in history.items() if k not in ("dexa_scans", "labs")}
    history_import(data=rest, site=site, actor=nurse, override_reason="test data")
    patient = Patient.objects.get()
    for scanner in {scan["scanner"] for scan in history.get("dexa_scans", [])}:
        ScannerFactory(site=site, name=scanner)
    csv_path = write(tmp_path / "results.csv", results_csv(vignette_rows(history, patient.mrn)))

    code, out, err = _run("--actor", "nurse", csv_path)
    assert (code, err) == (0, ""), out

    exported = StringIO()
    call_command("export_history", "--actor", "nurse", patient.mrn, stdout=exported)
    again = dict(json.loads(exported.getvalue()), as_of=history["as_of"])
    assert _assess(again, tmp_path) == _assess(history, tmp_path)
    expected = json.loads((VIGNETTES / f"{name}.expected.json").read_text())
    assert _assess(again, tmp_path)["who_category"] == expected["who_category"]


@pytest.fixture
def ready(site: Site, nurse: User, patient: Patient) -> Patient:
    ScannerFactory(site=site, name="Lunar")
    return patient


def _rows(mrn: str = "A1001", **changes: Any) -> list[dict[str, Any]]:
    rows = [
        {"mrn": mrn, "date": "2025-03-01", "measure": "lumbar_spine", "value": "0.912",
         "unit": "g/cm2", "scanner": "Lunar", "t_score": "-1.2"},
        {"mrn": mrn, "date": "2025-03-01", "measure": "total_hip", "value": "0.801",
         "scanner": "Lunar", "t_score": "-1.0", "z_score": "-0.4"},
        {"mrn": mrn, "date": "2025-03-02", "measure": "ctx", "value": "0.45", "unit": "ng/mL",
         "fasting": "yes"},
        {"mrn": mrn, "date": "2025-03-02", "measure": "vitamin_d_25oh", "value": "62",
         "unit": "nmol/L"},
    ]  # fmt: skip
    rows[-1] |= changes
    return rows


def test_import_creates_one_scan_and_one_sample_audited_and_reimport_changes_nothing(
    ready: Patient, tmp_path: Path
) -> None:
    path = write(tmp_path / "r.csv", results_csv(_rows()))
    code, out, _ = _run("--actor", "nurse", path)
    assert code == 0
    assert "created 1 DEXA scan and 2 lab results for 1 patient" in out
    scan = DexaScan.objects.get(patient=ready)
    assert sorted(m.site for m in scan.measurements.all()) == ["lumbar_spine", "total_hip"]
    ctx = LabResult.objects.get(analyte="ctx")
    assert ctx.fasting
    vit_d = LabResult.objects.get(analyte="vitamin_d_25oh")
    assert (vit_d.entered_value, vit_d.entered_unit) == (62, "nmol/L")
    imports = AuditEvent.objects.filter(action=AuditAction.IMPORT)
    assert imports.filter(patient=ready).count() == 1
    assert imports.get(patient=None).changes["scans"] == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, patient=ready).count() == 3

    before = snapshot()
    code, out, _ = _run("--actor", "nurse", path)
    assert code == 0
    assert "created 0 DEXA scans and 0 lab results for 0 patients; 4 rows already recorded" in out
    assert snapshot()[:3] == before[:3]


def test_dry_run_writes_nothing(ready: Patient, tmp_path: Path) -> None:
    before = snapshot()
    code, out, _ = _run(
        "--dry-run", "--actor", "nurse", write(tmp_path / "r.csv", results_csv(_rows()))
    )
    assert code == 0
    assert "would create 1 DEXA scan, 2 lab results" in out
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"unit": "mg/dL"}, "row 5, unit: unit 'mg/dL' is not allowed"),
        ({"value": "900"}, "row 5, value: 900 nmol/L is implausible"),
        ({"date": "2999-01-01"}, "row 5, date: 2999-01-01 is in the future"),
        ({"date": "1950-01-01"}, "row 5, date: 1950-01-01 is before the patient's date of birth"),
        ({"mrn": "NOPE"}, "row 5, mrn: no patient with MRN NOPE among your patients"),
        (
            {"measure": "ctx", "value": "0.5", "unit": "ng/mL", "fasting": "yes"},
            "row 5, measure: CTX of",
        ),
        ({"unit": "=HYPERLINK(1)"}, "row 5, unit: starts like a formula"),
        ({"value": "@SUM(1)"}, "row 5, value: starts like a formula"),
        ({"value": "6,200"}, "row 5, value: '6,200': Is this 6.200 or 6200? Type the one you"),
        ({"value": "6,2.5"}, "row 5, value: '6,2.5': Use one decimal separator"),
        ({"t_score": "-1"}, "row 5, t_score: only for a BMD row"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(
    ready: Patient, tmp_path: Path, changes: dict[str, str], expected: str
) -> None:
    before = snapshot()
    code, out, err = _run(
        "--actor", "nurse", write(tmp_path / "r.csv", results_csv(_rows(**changes)))
    )
    assert code == 2
    assert expected in err
    assert "nothing written" in out
    assert snapshot() == before


def test_a_patient_of_another_site_is_refused_like_an_unknown_mrn(
    ready: Patient, foreign_patient: Patient, tmp_path: Path
) -> None:
    ScannerFactory(site=foreign_patient.site, name="Lunar")
    before = snapshot()
    rows = _rows() + _rows(mrn=foreign_patient.mrn)[:1]
    code, _, err = _run("--actor", "nurse", write(tmp_path / "r.csv", results_csv(rows)))
    assert code == 2
    assert f"no patient with MRN {foreign_patient.mrn} among your patients" in err
    assert snapshot() == before


def test_a_conflicting_recorded_value_is_a_problem(ready: Patient, tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", results_csv(_rows()))
    assert _run("--actor", "nurse", path)[0] == 0
    before = snapshot()
    code, _, err = _run(
        "--actor", "nurse", write(tmp_path / "s.csv", results_csv(_rows(value="63")))
    )
    assert code == 2
    assert "differs from the recorded 25-OH vitamin D of 2025-03-02 (62 nmol/L)" in err
    assert snapshot() == before


def test_file_level_refusals(ready: Patient, tmp_path: Path, settings: Any) -> None:
    before = snapshot()
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(results_csv(_rows()).replace("A1001", "Ä1001").encode("latin-1"))
    code, _, err = _run("--actor", "nurse", str(latin1))
    assert code == 2
    assert "r.csv" not in err
    assert "latin1.csv: row 2: the file is not UTF-8 text" in err

    settings.IMPORT_MAX_ROWS = 3
    code, _, err = _run("--actor", "nurse", write(tmp_path / "r.csv", results_csv(_rows())))
    assert code == 2
    assert "more than 3 rows" in err

    settings.IMPORT_MAX_BYTES = 100
    code, _, err = _run("--actor", "nurse", write(tmp_path / "r.csv", results_csv(_rows())))
    assert code == 2
    assert "at most 100 bytes" in err

    code, _, err = _run("--actor", "nurse", write(tmp_path / "h.csv", "mrn,date,measure\n"))
    assert code == 2
    assert "column 'value' is missing" in err
    assert snapshot() == before


def test_a_byte_order_mark_is_tolerated(ready: Patient, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + results_csv(_rows()).encode())
    assert _run("--actor", "nurse", str(path))[0] == 0
    assert LabResult.objects.count() == 2


def test_usage_errors_exit_2(ready: Patient, admin_user: User, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    path = write(tmp_path / "r.csv", results_csv(_rows()))
    for args, message in [
        (["--actor", "admin", path], "may not record results"),
        (["--actor", "ghost", path], "no active user named 'ghost'"),
        (["--actor", "nurse", "--site", "elsewhere", path], "works at no site named"),
        (["--actor", "nurse", str(tmp_path / "missing.csv")], "cannot be read"),
    ]:
        with pytest.raises(CommandError, match=message) as refused:
            call_command("import_results", *args, stdout=StringIO(), stderr=StringIO())
        assert refused.value.returncode == 2
    assert LabResult.objects.count() == 0


def test_a_scanner_the_site_lacks_and_a_second_scanner_the_same_day_are_problems(
    ready: Patient, tmp_path: Path
) -> None:
    rows = _rows()
    rows[0]["scanner"] = "Nowhere"
    rows.append(dict(rows[1], scanner="Lunar"))
    code, _, err = _run("--actor", "nurse", write(tmp_path / "r.csv", results_csv(rows)))
    assert code == 2
    assert "row 2, scanner: no scanner named 'Nowhere' at North General" in err
    assert "row 6, measure: Total hip on 2025-03-01: a duplicate of row 3" in err


def test_the_mrn_of_a_patient_at_two_of_the_users_sites_needs_the_site(
    ready: Patient, other_site: Site, nurse: User, tmp_path: Path
) -> None:
    nurse.sites.add(other_site)
    PatientFactory(site=other_site, mrn=ready.mrn)
    ScannerFactory(site=other_site, name="Lunar")
    path = write(tmp_path / "r.csv", results_csv(_rows()))
    code, _, err = _run("--actor", "nurse", path)
    assert code == 2
    assert "is at several of your sites (elsewhere, north): choose the site" in err
    assert _run("--actor", "nurse", "--site", "north", path)[0] == 0
    assert DexaScan.objects.get().patient == ready


def test_today_is_accepted(ready: Patient, tmp_path: Path) -> None:
    today = timezone.localdate()
    rows = _rows(date=today.isoformat())
    assert _run("--actor", "nurse", write(tmp_path / "r.csv", results_csv(rows)))[0] == 0
    tomorrow = (today + timedelta(days=1)).isoformat()
    rows = _rows(date=tomorrow, measure="p1np", value="40", unit="µg/L")
    assert _run("--actor", "nurse", write(tmp_path / "s.csv", results_csv(rows)))[0] == 2
    assert not Scanner.objects.filter(name="Nowhere").exists()
    assert UserFactory  # factories imported for the fixtures' users
