"""Browser tests: Playwright driving the machine's Chromium (README, Quick start).

Skipped with a reason when /usr/bin/chromium is missing on a laptop; in CI (CI=true) a missing
browser fails instead, so the journeys cannot silently stop running.
"""

import os
from pathlib import Path
from typing import Any

import pytest

from bonehealth.accounts.models import Site
from tests.browser.clinic import north_general

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls there
# unless told otherwise. Tests only: the application never sets this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run the browser tests")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def screenshot(page: Any) -> Any:
    """Save a full-page screenshot under test-artifacts/ (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def north_general_nurse(roles: None) -> Site:
    """North General and its nurse, to log in as "nurse" (tests/browser/clinic.py)."""
    return north_general("nurse")
