"""Care sites and the people who work at them."""

from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models


class LabUnits(models.TextChoices):
    """The units a site's clinicians read lab results in (the values are stored canonical)."""

    SI = "si", "SI (nmol/L, mmol/L, µmol/L)"
    CONVENTIONAL = "conventional", "Conventional (ng/mL, mg/dL)"


class Site(models.Model):
    """A hospital or clinic; every patient belongs to exactly one."""

    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=30, unique=True, help_text="Short code used in imports.")
    is_active = models.BooleanField(default=True)
    lab_units = models.CharField(
        max_length=12,
        choices=LabUnits.choices,
        default=LabUnits.SI,
        help_text="The units the patient page shows each lab result in; the value as entered "
        "stays on hover and in the audit trail.",
    )

    class Meta:
        ordering = ["name"]
        permissions = [("set_lab_units", "Choose the units a site's lab results are shown in")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff; works at one or more sites and sees only their patients."""

    sites = models.ManyToManyField(Site, related_name="users", blank=True)
    must_change_password = models.BooleanField(
        default=False, help_text="Set when an administrator resets the password."
    )
    # Set by every full save (a change of name included; not by the one-field saves of a login, a
    # password or an activation): the cached pages that show users' names key on the latest.
    changed_at = models.DateTimeField(auto_now=True)
    # Raised by every administrator's change of name, e-mail, roles or sites, so that an edit form
    # opened before it is refused (audit.concurrency) instead of silently undoing that change.
    version = models.PositiveIntegerField(default=1)
    # Hashed into the set-password link's token (accounts.tokens).
    links_spent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set by a deactivation: the set-password links sent before it no longer work, "
        "even once the account is active again.",
    )

    class Meta(AbstractUser.Meta):
        permissions = [("manage_users", "Create, re-role, deactivate users and reset passwords")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class LoginLock(models.Model):
    """A row whose lock a password check holds from the lockout's check to its count
    (bonehealth.accounts.lockout.authenticate_in_turn). Usernames are spread over a fixed number
    of slots, a row each, created when first needed: the table stays small whatever names are
    tried, and a name that has no account takes a lock like one that has."""

    slot = models.PositiveIntegerField(primary_key=True)

    # Stated for mypy: django-stubs leaves this model (a primary key only) without `objects`.
    objects: ClassVar[models.Manager["LoginLock"]] = models.Manager()

    def __str__(self) -> str:
        return f"login lock {self.slot}"
