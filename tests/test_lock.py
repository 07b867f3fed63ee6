"""The hashed lock files (requirements/) pin every dependency of pyproject.toml, within its range.

`make install`, `make test` (so CI) and the deployment install from them with --require-hashes;
a dependency added to pyproject.toml without `make lock` would fail there, so fail here first.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins(name: str) -> dict[str, str]:
    """Package -> pinned version of a lock file, checking each pin carries a hash."""
    text = (ROOT / "requirements" / name).read_text()
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block)
        if match:
            assert "--hash=sha256:" in block, f"{match[1]} has no hash in {name}"
            pins[canonicalize_name(match[1])] = match[2]
    return pins


@pytest.mark.parametrize(
    ("lock", "extras"), [("base.txt", []), ("test.txt", ["test"]), ("cache.txt", ["cache"])]
)
def test_every_dependency_is_pinned_with_a_hash_within_its_range(
    lock: str, extras: list[str]
) -> None:
    pins = _pins(lock)
    wanted = [*PROJECT["dependencies"]]
    for extra in extras:
        wanted += PROJECT["optional-dependencies"][extra]
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements/{lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements/{lock} pins {name}=={pins[name]}, outside {requirement.specifier}"
        )


def test_make_and_the_deployment_install_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements/base.txt" in makefile
    assert "--require-hashes -r requirements/test.txt" in makefile
    assert "--no-deps -e ." in makefile
    deployment = (ROOT / "docs" / "deployment.md").read_text()
    assert "--require-hashes -r requirements/base.txt" in deployment
