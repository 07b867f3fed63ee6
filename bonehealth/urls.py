"""URL configuration: each app under its own prefix and namespace."""

from django.contrib import admin
from django.urls import include, path

from bonehealth.accounts import views as account_views
from monitoring.overview import rules

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health/", account_views.health, name="health"),
    # The clinical rules reference: for every signed-in role, no patient data.
    path("rules/", rules.rules_reference, name="rules"),
    path("accounts/", include("bonehealth.accounts.urls")),
    path("patients/", include("patients.urls")),
    path("", include("monitoring.urls")),
    path("audit/", include("bonehealth.audit.urls")),
    # Superusers only (bonehealth.accounts.admin_site).
    path("django-admin/", admin.site.urls),
]
