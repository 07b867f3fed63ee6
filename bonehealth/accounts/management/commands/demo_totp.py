"""Print the current two-factor code of a demo user, so the README's demo works without a phone."""

from typing import Any

from django.core.management.base import CommandParser
from django.db import DatabaseError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bonehealth.accounts.demo import DEMO_TOTP_KEY_HEX, demo_database_required
from bonehealth.commands import StrictCommand, UsageError


class Command(StrictCommand):
    help = (
        "Print the current TOTP code of a demo user (default: admin). Works only for devices "
        "holding the documented demo secret, so it cannot reveal a real user's codes; on a demo "
        "database only (DJANGO_DEBUG=true or BONEHEALTH_DEMO_DATABASE=true)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "username", nargs="?", default="admin", help="demo user (default: admin)"
        )

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        demo_database_required("demo_totp")
        try:
            device = TOTPDevice.objects.filter(
                user__username=username, confirmed=True, key=DEMO_TOTP_KEY_HEX
            ).first()
        except DatabaseError:
            raise UsageError("no demo database here: run `make demo` first") from None
        if device is None:
            raise UsageError(
                f"{username} has no demo TOTP device: only the demo admin has one "
                "(`make demo` creates it)."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        code = f"{totp.token():0{device.digits}d}"
        remaining = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(code)
        self.stderr.write(f"valid for about {remaining} more seconds, and only once")
