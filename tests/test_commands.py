"""Command conventions, run as `manage.py` runs them: a usage or input error is one line on stderr
and exit 2 with nothing written; every argument has help text; data on stdout, talk on stderr."""

import json

import pytest
from django.core.management import ManagementUtility, get_commands, load_command_class
from django.core.management.base import BaseCommand
from django.db import connections

from bonehealth.accounts.models import Site, User
from monitoring.models import PatientAssessment
from patients.models import Patient

pytestmark = pytest.mark.django_db

COMMANDS = ["reassess_all", "seed_demo", "export_history", "demo_totp", "rules_reference"]


def manage(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """Run `manage.py ARGV` in this process; return (exit status, stdout, stderr)."""
    # manage.py closes every connection when a command ends; the test's transaction must stay.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    # The system checks (the whole suite runs them once) would query the replica alias too.
    monkeypatch.setattr(BaseCommand, "check", lambda self, **kwargs: None)
    capsys.readouterr()
    try:
        ManagementUtility(["manage.py", *argv]).execute()
        status = 0
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("name", COMMANDS)
def test_every_argument_has_help(name: str) -> None:
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("manage.py", name)
    for action in parser._actions:
        assert action.help, (name, action.dest)


USAGE_ERRORS = [
    ["reassess_all", "--batch-size", "0"],
    ["reassess_all", "--batch-size", "many"],
    ["reassess_all", "--as-of", "2025-13-01"],
    ["reassess_all", "--no-such-option"],
    ["seed_demo", "--patients", "-1"],
    ["seed_demo", "--patients", "many"],
    ["seed_demo", "--scan-density", "0"],
    ["export_history"],
    ["export_history", "NO-SUCH-MRN"],
    ["export_history", "--site", "nowhere", "MRN-1"],
    ["demo_totp", "nobody"],
    ["demo_totp", "admin", "physician"],
    ["rules_reference", "--output", "/no/such/directory/rules.md"],
    ["rules_reference", "extra"],
]


@pytest.mark.parametrize("argv", USAGE_ERRORS, ids=" ".join)
def test_a_usage_or_input_error_is_one_line_and_exit_2_and_writes_nothing(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = manage(argv, capsys, monkeypatch)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    assert not Site.objects.exists()
    assert not User.objects.exists()
    assert not Patient.objects.exists()


def test_demo_totp_prints_the_code_on_stdout_and_the_talk_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    manage(["seed_demo", "--patients", "0", "--no-progress"], capsys, monkeypatch)
    status, out, err = manage(["demo_totp"], capsys, monkeypatch)
    assert status == 0
    assert len(out) == 7
    assert out[:6].isdigit()
    assert "only once" in err


def test_export_history_prints_json_on_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    manage(["seed_demo", "--patients", "0", "--no-progress"], capsys, monkeypatch)
    mrn = Patient.objects.order_by("mrn").values_list("mrn", flat=True)[0]
    status, out, err = manage(["export_history", "--actor", "physician", mrn], capsys, monkeypatch)
    assert (status, err) == (0, "")
    assert json.loads(out)["patient"]["mrn"] == mrn
    # An administrator never reads clinical records, from the command line either.
    status, out, err = manage(["export_history", "--actor", "admin", mrn], capsys, monkeypatch)
    assert (status, out) == (2, "")
    assert f"no patient with MRN {mrn}" in err


def test_reassess_all_prints_its_summary_on_stdout_and_progress_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    manage(["seed_demo", "--patients", "3", "--no-progress"], capsys, monkeypatch)
    PatientAssessment.objects.all().delete()
    status, out, _ = manage(
        ["reassess_all", "--batch-size", "2", "--no-progress"], capsys, monkeypatch
    )
    assert status == 0
    assert out.startswith(f"{Patient.objects.count()} patients reassessed")
    assert PatientAssessment.objects.count() == Patient.objects.count()
