from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import F
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from bonehealth.accounts.email_change import email_change_notify
from bonehealth.accounts.models import Site, User


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ["name", "code", "is_active", "lab_units"]
    list_filter = ["lab_units"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Sites", {"fields": ("sites", "must_change_password")}),
    )
    filter_horizontal = ("groups", "user_permissions", "sites")
    list_display = ["username", "first_name", "last_name", "is_active", "last_login"]

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Users are deactivated, never deleted: audit rows keep pointing at them.
        return False

    # Administrators manage accounts on bonehealth's own pages (/accounts/users/), which audit
    # every change and stop anyone raising their own privileges. The site admits superusers only
    # (accounts.admin_site); these keep writes to them should that ever change.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return bool(request.user.is_superuser)

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        # A superuser's change here (roles and sites are saved just after, in the same
        # transaction) outdates the account's edit forms open on bonehealth's own pages too.
        if change:
            obj.version = F("version") + 1
            if "is_active" in form.changed_data and not obj.is_active:
                # As a deactivation on bonehealth's pages: the set-password links sent are spent.
                obj.links_spent_at = timezone.now()
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])
            if "email" in form.changed_data:
                # As on bonehealth's pages (sec9 F4): the replaced address hears of it.
                email_change_notify(
                    actor=request.user,  # type: ignore[arg-type]
                    user=obj,
                    old=str(form.initial.get("email") or ""),
                    new=obj.email,
                )
