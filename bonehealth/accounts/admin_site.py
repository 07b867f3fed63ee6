"""Django's admin site, for superusers only.

Administrators manage the accounts of their own sites on bonehealth's pages (/accounts/users/),
scoped to those sites and audited. Django's admin knows no sites: a staff account there listed
every account and site of the installation (sec9 F1). So the admin site lets in active
superusers only (the people who already see everything); `is_staff` opens nothing.

It has no login form of its own. Its form checked passwords outside bonehealth's login: the right
password of an account that is not a superuser was refused with no audit row and no count toward
the lockout, so the form answered, unaudited, whether a password was right (sec13 #3). Everyone
signs in on bonehealth's login page instead (audited, counted, then the second factor), which
sends a superuser on to the admin site.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from bonehealth.accounts.http import safe_next_path


class SuperuserAdminSite(admin.AdminSite):
    site_header = "bonehealth administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    @method_decorator(never_cache)
    @login_not_required
    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Send the visitor to bonehealth's login page, then back here; check no password.

        A signed-in user who is not a superuser is refused: the login page would send them
        straight back (they are signed in), and the admin site back to it.
        """
        target = safe_next_path(request, request.GET.get(REDIRECT_FIELD_NAME, "")) or reverse(
            "admin:index", current_app=self.name
        )
        if not request.user.is_authenticated:
            return redirect_to_login(target)
        if not self.has_permission(request):
            raise PermissionDenied("Django's admin site is for superusers only.")
        return redirect(target)
