"""`manage.py check` stops a release that did not install the chart script (sec9 F2): following
the release steps without `npm ci` served every patient page as a server error."""

import pytest
from django.contrib.staticfiles import finders
from django.core.checks import Error

from monitoring.checks import CHART_SCRIPT, check_chart_script_installed


def test_the_installed_script_passes() -> None:
    assert finders.find(CHART_SCRIPT), "run `make static-vendor`"
    assert check_chart_script_installed(None) == []


def test_a_missing_script_is_an_error_naming_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(finders, "find", lambda path, **kwargs: None)
    (error,) = check_chart_script_installed(None)
    assert isinstance(error, Error)
    assert error.id == "monitoring.E001"
    assert "npm ci" in str(error.hint)
