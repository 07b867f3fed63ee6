"""A system check that the chart pages' script is installed (`manage.py check`, which `migrate`
and `runserver` run too).

plotly.js comes from npm into the git-ignored node_modules/ (`make static-vendor`, `npm ci`). A
release that skipped it served every patient page, summary and scan request as a server error
(sec9 F2: `collectstatic` only warned that the directory was missing)."""

from typing import Any

from django.contrib.staticfiles import finders
from django.core.checks import CheckMessage, Error, Tags, register

CHART_SCRIPT = "vendor/plotly/plotly-basic.min.js"


@register(Tags.staticfiles)
def check_chart_script_installed(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if finders.find(CHART_SCRIPT):
        return []
    return [
        Error(
            f"The chart script {CHART_SCRIPT} is not installed: the patient pages would fail.",
            hint="Run `npm ci` (or `make static-vendor`) in the project directory, then "
            "`manage.py collectstatic`.",
            id="monitoring.E001",
        )
    ]
