"""Demo sites and one demo user per role, for the quick start (documented in the README)."""

from base64 import b32decode

from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.roles import ADMIN, NURSE, PHYSICIAN

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


@transaction.atomic
def demo_sites_and_users() -> list[Site]:
    """Create (or refresh) the demo sites and users; safe to run again."""
    sites = {
        code: Site.objects.update_or_create(code=code, defaults={"name": name})[0]
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
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.set([Group.objects.get(name=role)])
        user.sites.set([sites[code] for code in site_codes])
        if username in DEMO_TOTP_USERS:
            TOTPDevice.objects.filter(user=user).exclude(key=DEMO_TOTP_KEY_HEX).delete()
            TOTPDevice.objects.get_or_create(
                user=user,
                key=DEMO_TOTP_KEY_HEX,
                defaults={"name": "Demo authenticator", "confirmed": True},
            )
    return list(sites.values())
