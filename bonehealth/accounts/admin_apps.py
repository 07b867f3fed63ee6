"""The app config of Django's admin, in a module of its own: app configs are imported before the
models are ready, and the site's module imports auth's forms, hence models."""

from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    """`django.contrib.admin` with the superusers' site as `admin.site`: every `@admin.register`
    of the apps (and of django-otp, axes, auth) lands on it."""

    default_site = "bonehealth.accounts.admin_site.SuperuserAdminSite"
