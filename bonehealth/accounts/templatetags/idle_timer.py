"""The idle timer's script tag: seconds until the server ends this session if nothing happens."""

from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from bonehealth.accounts.security import LOGIN_AT_SESSION_KEY, RENEWED_AT_SESSION_KEY

register = template.Library()


@register.simple_tag(takes_context=True)
def idle_timer(context: dict[str, Any]) -> str:
    """Render the idle timer script for a logged-in user, or nothing."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    # The session was last saved with a fresh expiry at its renewal (IdleSessionRenewalMiddleware).
    renewed = float(request.session.get(RENEWED_AT_SESSION_KEY, timezone.now().timestamp()))
    left = renewed + settings.SESSION_COOKIE_AGE - timezone.now().timestamp()
    return format_html(
        '<script src="{}" data-idle-seconds="{}" data-idle-login-url="{}" data-idle-session="{}">'
        "</script>",
        static("js/idle.js"),
        max(int(left), 1),
        reverse("accounts:login"),
        # Names this login for the tabs sharing it (static/js/idle.js); the login time suffices.
        int(float(request.session.get(LOGIN_AT_SESSION_KEY, 0)) * 1000),
    )
