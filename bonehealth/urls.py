"""URL configuration: each app under its own prefix and namespace."""

from django.contrib import admin
from django.urls import include, path

from bonehealth.accounts import views as account_views

admin.site.site_header = "bonehealth administration"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health/", account_views.health, name="health"),
    path("accounts/", include("bonehealth.accounts.urls")),
    path("patients/", include("patients.urls")),
    path("", include("monitoring.urls")),
    path("audit/", include("bonehealth.audit.urls")),
    path("django-admin/", admin.site.urls),
]
