"""The cache's keys start with the release (bonehealth/release.py): the same for the same code on
every app server, another as soon as a template (or any code) changes, so a fragment one release
cached is never shown by the next, even from a cache kept across the restart (REDIS_URL)."""

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from bonehealth import release as release_module
from bonehealth.accounts.models import Site
from bonehealth.release import CODE_PATHS, code_digest, release
from patients.models import Patient
from tests.html_forms import visible_text
from tests.monitoring.app.overview_data import populate

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = "templates/monitoring/patient_page.html"


@pytest.fixture
def code_copy(tmp_path: Path) -> Path:
    """A copy of the code the digest reads, as another app server holds it (other file times)."""
    for name in CODE_PATHS:
        source = REPO / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(source, tmp_path / name, ignore=ignore)
        elif source.is_file():
            shutil.copyfile(source, tmp_path / name)
    return tmp_path


def test_the_same_code_has_the_same_digest_wherever_it_is(code_copy: Path) -> None:
    assert code_digest(REPO) == code_digest(REPO)
    assert code_digest(code_copy) == code_digest(REPO)


def test_a_changed_template_changes_the_digest(code_copy: Path) -> None:
    template = code_copy / TEMPLATE
    original = template.read_text()
    before = code_digest(code_copy)
    template.write_text(original.replace("MRN", "Hospital number", 1))
    assert code_digest(code_copy) != before
    template.write_text(original)
    assert code_digest(code_copy) == before


def test_bytecode_and_file_times_leave_the_digest_alone(code_copy: Path) -> None:
    """Each server compiles its own bytecode, whose header holds the file times."""
    before = code_digest(code_copy)
    (code_copy / "monitoring" / "__pycache__").mkdir(exist_ok=True)
    (code_copy / "monitoring" / "__pycache__" / "apps.cpython-313.pyc").write_bytes(b"\x00" * 16)
    (code_copy / "templates" / ".patient_page.html.swp").write_bytes(b"editor")
    os.utime(code_copy / TEMPLATE, (0, 0))
    assert code_digest(code_copy) == before


def test_a_moved_file_changes_the_digest(code_copy: Path) -> None:
    before = code_digest(code_copy)
    folder = code_copy / "templates" / "monitoring"
    (folder / "patient_page.html").rename(folder / "patient_page_old.html")
    assert code_digest(code_copy) != before


def test_the_settings_prefix_the_cache_with_the_digest_of_this_code(
    settings: Any,
) -> None:
    if os.environ.get(release_module.RELEASE_VARIABLE):
        pytest.skip("the release is given by the environment")
    assert code_digest(REPO) == settings.RELEASE
    assert settings.CACHES["default"]["KEY_PREFIX"] == f"bonehealth-{settings.RELEASE}"


def test_a_release_given_by_the_deploy_is_used_as_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: Any) -> str:
        raise AssertionError("the code was read although the deploy named the release")

    monkeypatch.setattr(release_module, "code_digest", refuse)
    assert release(" 3f9c2e1a ", base=REPO) == "3f9c2e1a"
    assert release("2025.06.1+build-7", base=REPO) == "2025.06.1+build-7"


@pytest.mark.parametrize("given", ["release 7", "-x", "a/b", "x" * 65, "rc\n1"])
def test_a_release_name_no_cache_key_can_hold_is_refused(given: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="BONEHEALTH_RELEASE="):
        release(given, base=REPO)


def _run_release(settings: Any, name: str) -> None:
    """The test settings' cache as the release `name` configures it: the same store (shared by
    the app servers and kept across restarts, as Redis is), keys under another prefix."""
    store = settings.CACHES["default"]
    settings.CACHES = {"default": {**store, "KEY_PREFIX": f"bonehealth-{name}"}}


def test_a_fragment_the_old_release_cached_is_not_shown_by_the_new(
    settings: Any, nurse_client: Client, patient: Patient, code_copy: Path
) -> None:
    url = reverse("monitoring:patient", args=[patient.pk])
    _run_release(settings, code_digest(code_copy))
    key = nurse_client.get(url).context["fragment_key"]
    # What the old template drew, kept under the same data version.
    cache.set(make_template_fragment_key("patient-summary", [key]), "<p>Old release wording</p>")
    assert "Old release wording" in visible_text(nurse_client.get(url).text)  # found: a hit

    template = code_copy / TEMPLATE  # the release changes the template
    template.write_text(template.read_text().replace("MRN", "Hospital number", 1))
    _run_release(settings, code_digest(code_copy))
    response = nurse_client.get(url)
    assert response.context["fragment_key"] == key  # the same data
    page = visible_text(response.text)
    assert "Old release wording" not in page
    assert f"{patient.name} MRN {patient.mrn}" in page  # drawn by this code


def test_worklist_rows_the_old_release_drew_are_drawn_again(
    settings: Any, nurse_client: Client, site: Site
) -> None:
    populate(site, 3)  # each: a scan due, a dose due, a therapy decision
    url = reverse("monitoring:worklist")

    def drawn() -> int:
        templates = nurse_client.get(url).templates
        return sum(template.name == "monitoring/_worklist_row.html" for template in templates)

    _run_release(settings, "old")
    assert drawn() == 9
    assert drawn() == 0  # the old release's rows, found
    _run_release(settings, "new")
    assert drawn() == 9  # none of them served by the new release
    assert drawn() == 0


def test_the_dashboard_the_old_release_drew_is_drawn_again(
    settings: Any, physician_client: Client, site: Site
) -> None:
    populate(site, 3)
    url = reverse("monitoring:dashboard")

    def drawn() -> bool:
        templates = physician_client.get(url).templates
        return any(template.name == "monitoring/_dashboard_body.html" for template in templates)

    _run_release(settings, "old")
    assert drawn()
    assert not drawn()  # the old release's part, found
    _run_release(settings, "new")
    assert drawn()
