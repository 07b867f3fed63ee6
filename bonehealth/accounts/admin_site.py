"""Django's admin site, for superusers only.

Administrators manage the accounts of their own sites on bonehealth's pages (/accounts/users/),
scoped to those sites and audited. Django's admin knows no sites: a staff account there listed
every account and site of the installation (sec9 F1). So the admin site lets in active
superusers only (the people who already see everything); `is_staff` opens nothing.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from bonehealth.accounts.forms import UsernameLengthMixin


class SuperuserAuthenticationForm(UsernameLengthMixin, AdminAuthenticationForm):
    """The admin site's own login form refuses everyone but a superuser, as a staff one did, and
    checks the username's length as the login page's form does."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Enter the username and password of a superuser account. Administrators "
        "manage their sites' accounts under Users.",
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class SuperuserAdminSite(admin.AdminSite):
    site_header = "bonehealth administration"
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)
