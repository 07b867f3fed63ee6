"""The Content-Security-Policy of pages that draw plotly charts.

plotly.js styles its charts by creating *empty* `<style>` elements and filling them through the
CSSOM (`insertRule`), which CSP does not govern. Under `style-src 'self'` the browser refuses to
apply even an empty inline `<style>`, so the chart's layers lose their positioning. These pages add
one source to `style-src`: the hash of the empty string. Any `<style>` with content and every
`style=` attribute stay blocked, `script-src` is unchanged, and no `'unsafe-inline'` is needed.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.views.decorators.csp import csp_override

# base64(sha256(b"")): allows an empty inline <style> element and nothing else.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


def chart_page_policy() -> dict[str, Any]:
    """The site's policy with the empty-style hash added to style-src."""
    policy = dict(settings.SECURE_CSP)
    policy["style-src"] = [*policy.get("style-src", ["'self'"]), EMPTY_STYLE_HASH]
    return policy


def chart_page[V: Callable[..., Any]](view: V) -> V:
    """Send the chart pages' policy with this view's responses."""
    return csp_override(chart_page_policy())(view)
