"""The domain package runs on the standard library alone: no Django, no third-party import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import sys, datetime, sysconfig, os
sys.path.insert(0, sys.argv[1])
from monitoring.domain import assess, parse_history, assessment_to_dict
history = parse_history('{"patient": {"mrn": "I1", "sex": "F", "birth_date": "1960-01-01"}}')
assessment_to_dict(assess(history, as_of=datetime.date(2025, 6, 1)))
assert "django" not in sys.modules, "django was imported"
stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
repo = os.path.realpath(sys.argv[1])
foreign = []
for name, module in list(sys.modules.items()):
    path = getattr(module, "__file__", None)
    if path is None:
        continue
    path = os.path.realpath(path)
    if path.startswith(repo + os.sep) or path.startswith(stdlib + os.sep):
        if "site-packages" not in path:
            continue
    foreign.append(name)
assert not foreign, f"third-party modules imported: {sorted(foreign)}"
print("ok")
"""


def test_domain_imports_no_django_and_no_third_party() -> None:
    completed = subprocess.run(  # noqa: S603 - fixed command, no user input
        [sys.executable, "-I", "-S", "-c", SCRIPT, str(REPO_ROOT)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"
