"""Demo sites and one demo user per role, for the quick start (documented in the README).

Only on a demo database (settings.DEMO_DATABASE: DEBUG, or BONEHEALTH_DEMO_DATABASE=true), and
only the accounts created now: the demo's passwords and its two-factor secret are published, so
an account that exists already (a real `admin`, or a demo user someone changed) keeps its
password, two-factor devices, roles and sites, whoever made it (sec9 F15).
"""

from base64 import b32decode

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.roles import ADMIN, NURSE, PHYSICIAN
from bonehealth.commands import UsageError

DEMO_PASSWORD = "bonehealth-demo"  # noqa: S105  (documented demo credential, never in production)

# The demo admin's TOTP secret (documented in the README; `manage.py demo_totp` prints the current
# code). Base32 for authenticator apps: DEMO_TOTP_SECRET_BASE32; hex as django-otp stores it.
DEMO_TOTP_SECRET_BASE32 = "BONEHEALTHDEMOTOTPSECRETKEY23456"  # noqa: S105  (demo only)
DEMO_TOTP_KEY_HEX = b32decode(DEMO_TOTP_SECRET_BASE32).hex()
# Demo users who must use two-factor authentication (their role manages users).
DEMO_TOTP_USERS = ["admin"]

DEMO_SITES = [("North General Hospital", "north"), ("Riverside Cancer Centre", "riverside")]

# username, first name, last name, role, site codes
DEMO_USERS = [
    ("nurse", "Nora", "Nurse", NURSE, ["north"]),
    ("physician", "Philippa", "Physician", PHYSICIAN, ["north", "riverside"]),
    ("admin", "Adam", "Admin", ADMIN, ["north", "riverside"]),
    ("nurse.riverside", "Rita", "Rivers", NURSE, ["riverside"]),
]


def demo_database_required(command: str) -> None:
    """Refuse (UsageError) a command that writes or reads the demo's published credentials
    unless this database is a demo one."""
    if not settings.DEMO_DATABASE:
        raise UsageError(
            f"{command} runs on a demo database only (DJANGO_DEBUG=true, as `make demo` sets, or "
            "BONEHEALTH_DEMO_DATABASE=true): the demo accounts' passwords and two-factor secret "
            "are published"
        )


@transaction.atomic
def demo_sites_and_users() -> list[Site]:
    """Create the demo sites and users that are missing; return the demo sites. Safe to run
    again: an existing site or account is left as it is (see the module's docstring)."""
    demo_database_required("seed_demo")
    sites = {
        code: Site.objects.get_or_create(code=code, defaults={"name": name})[0]
        for name, code in DEMO_SITES
    }
    for username, first, last, role, site_codes in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                # Where an admin's set-password link goes (printed on the demo's console).
                "email": f"{username}@demo.example.org",
            },
        )
        if not created:
            continue  # never another's password, device, roles or sites
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        user.sites.set([sites[code] for code in site_codes])
        if username in DEMO_TOTP_USERS:
            TOTPDevice.objects.create(
                user=user, key=DEMO_TOTP_KEY_HEX, name="Demo authenticator", confirmed=True
            )
    return list(sites.values())
