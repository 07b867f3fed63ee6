"""Demo sites and one demo user per role, for the quick start (documented in the README)."""

from django.contrib.auth.models import Group
from django.db import transaction

from bonehealth.accounts.models import Site, User
from bonehealth.accounts.roles import ADMIN, NURSE, PHYSICIAN

DEMO_PASSWORD = "bonehealth-demo"  # noqa: S105  (documented demo credential, never in production)

DEMO_SITES = [("North General Hospital", "north"), ("Riverside Cancer Centre", "riverside")]

# username, first name, last name, role, site codes, staff (may open the Django admin site)
DEMO_USERS = [
    ("nurse", "Nora", "Nurse", NURSE, ["north"], False),
    ("physician", "Philippa", "Physician", PHYSICIAN, ["north", "riverside"], False),
    ("admin", "Adam", "Admin", ADMIN, ["north", "riverside"], True),
    ("nurse.riverside", "Rita", "Rivers", NURSE, ["riverside"], False),
]


@transaction.atomic
def demo_sites_and_users() -> list[Site]:
    """Create (or refresh) the demo sites and users; safe to run again."""
    sites = {
        code: Site.objects.update_or_create(code=code, defaults={"name": name})[0]
        for name, code in DEMO_SITES
    }
    for username, first, last, role, site_codes, staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "is_staff": staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.set([Group.objects.get(name=role)])
        user.sites.set([sites[code] for code in site_codes])
    return list(sites.values())
