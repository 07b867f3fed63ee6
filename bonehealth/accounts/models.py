"""Care sites and the people who work at them."""

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

    class Meta(AbstractUser.Meta):
        permissions = [("manage_users", "Create, re-role, deactivate users and reset passwords")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
