"""`manage.py rules_reference`: the reference on stdout, or in --output; docs/ holds its output."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from monitoring.domain.reference.markdown import markdown

REPO = Path(__file__).resolve().parents[2]


def test_prints_the_reference_on_stdout_only() -> None:
    out, err = StringIO(), StringIO()
    call_command("rules_reference", stdout=out, stderr=err)
    assert out.getvalue() == markdown()
    assert err.getvalue() == ""


def test_output_writes_the_file_and_says_so_on_stderr(tmp_path: Path) -> None:
    target = tmp_path / "rules.md"
    out, err = StringIO(), StringIO()
    call_command("rules_reference", "--output", str(target), stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert err.getvalue() == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8") == markdown()


def test_the_committed_rules_reference_is_the_commands_output() -> None:
    committed = (REPO / "docs" / "clinical-rules.md").read_text(encoding="utf-8")
    assert committed == markdown(), (
        "docs/clinical-rules.md is out of date: run "
        "`python manage.py rules_reference --output docs/clinical-rules.md`"
    )
