"""Care sites and the people who work at them."""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models


class Site(models.Model):
    """A hospital or clinic; every patient belongs to exactly one."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=30, unique=True, help_text="Short code used in imports.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff; works at one or more sites and sees only their patients."""

    sites = models.ManyToManyField(Site, related_name="users", blank=True)
    must_change_password = models.BooleanField(
        default=False, help_text="Set when an administrator resets the password."
    )
    # Raised whenever the user's roles or own permissions change (bonehealth.accounts.permissions):
    # a session keeps the user's permissions only while this is unchanged.
    permissions_version = models.PositiveBigIntegerField(default=0, db_default=0, editable=False)

    class Meta(AbstractUser.Meta):
        permissions = [("manage_users", "Create, re-role, deactivate users and reset passwords")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # permissions_version is only ever raised by an UPDATE (accounts.permissions), often just
        # before the caller saves an instance it read earlier: never write that older value back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "permissions_version"
            ]
        super().save(*args, **kwargs)
