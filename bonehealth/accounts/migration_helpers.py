"""Helpers for data migrations that grant permissions to roles.

Each data migration names the permissions it grants explicitly (migrations are history and must not
change when `roles.py` changes later); these helpers only do the mechanics.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.management import create_permissions


def ensure_permissions(apps: Any) -> None:
    """Create the permission rows for every model known at this point of the migration history.

    Django creates permissions in a post_migrate signal, i.e. after all migrations ran; a data
    migration
    that assigns them must create them first.
    """
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant(apps: Any, grants: Mapping[str, Iterable[str]]) -> None:
    """Add `app_label.codename` permissions to each named group, creating the group if needed."""
    ensure_permissions(apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in grants.items():
        group, _ = group_model.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".", 1)
            permission = permission_model.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)


def revoke(apps: Any, grants: Mapping[str, Iterable[str]]) -> None:
    """Undo `grant` (for reversible migrations)."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in grants.items():
        group = group_model.objects.filter(name=role).first()
        if group is None:
            continue
        for name in names:
            app_label, codename = name.split(".", 1)
            group.permissions.remove(
                *permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )
