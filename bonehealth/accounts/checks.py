"""System checks on login-security settings (`manage.py check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def check_trusted_proxy(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Warn when a client-address header is named but no proxy is trusted to send it."""
    if settings.TRUSTED_PROXY_IP_HEADER and not settings.TRUSTED_PROXY_ADDRESSES:
        return [
            CheckWarning(
                "TRUSTED_PROXY_IP_HEADER is set but TRUSTED_PROXY_ADDRESSES is empty: the header "
                "is ignored, and every client behind the proxy shares its address for the login "
                "limits and the audit trail.",
                hint="Set TRUSTED_PROXY_ADDRESSES to the reverse proxy's addresses.",
                id="bonehealth.W001",
            )
        ]
    return []
