"""The idle timer's script tag: seconds until the server ends this session if nothing happens,
and where the page asks to stay signed in while the user types (static/js/idle.js)."""

from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from bonehealth.accounts.security import LOGIN_AT_SESSION_KEY, idle_seconds_left

register = template.Library()


@register.simple_tag(takes_context=True)
def idle_timer(context: dict[str, Any]) -> str:
    """Render the idle timer script for a logged-in user, or nothing."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    return format_html(
        '<script src="{}" data-idle-seconds="{}" data-idle-login-url="{}" data-idle-session="{}"'
        ' data-idle-keep-alive-url="{}" data-idle-renew-seconds="{}"></script>',
        static("js/idle.js"),
        idle_seconds_left(request),
        reverse("accounts:login"),
        # Names this login for the tabs sharing it (static/js/idle.js); the login time suffices.
        int(float(request.session.get(LOGIN_AT_SESSION_KEY, 0)) * 1000),
        reverse("accounts:keep_alive"),
        settings.SESSION_RENEW_SECONDS,
    )
