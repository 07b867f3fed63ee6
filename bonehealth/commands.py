"""The project's management-command conventions: a usage or input error is one line and exit 2.

Django prints argparse's usage block (several lines) for a bad argument and exits 1 on a
CommandError; scripts and people read one line and one status for every refusal instead.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

USAGE_ERROR = 2
# The name audited for a command run without --actor, which only a DEBUG (demo) install allows.
DEMO_ACTOR = "demo-command-line"


class UsageError(CommandError):
    """A usage or input error: Django prints `CommandError: <message>` and exits 2."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()), returncode=USAGE_ERROR)


class StrictCommand(BaseCommand):
    """A command whose argument errors print one line and exit 2, as UsageError does."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        """Return Django's parser, with argparse's usage block replaced by one line."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def error(message: str) -> NoReturn:
            if parser.called_from_command_line:
                parser.exit(USAGE_ERROR, f"{parser.prog}: error: {' '.join(message.split())}\n")
            raise UsageError(f"Error: {message}")

        parser.error = error  # type: ignore[method-assign]
        return parser


@dataclass(frozen=True)
class CommandActor:
    """Who ran a command, and on which host: what its audit rows record."""

    user: Any  # the active user named by --actor; None for the demo actor
    username: str
    host: str


def add_actor_argument(parser: CommandParser) -> None:
    """Add --actor, the user a command's audit rows name."""
    parser.add_argument(
        "--actor",
        metavar="USERNAME",
        help=(
            "the active user running this command, named in its audit rows (required; "
            f"a DEBUG demo install defaults to {DEMO_ACTOR!r})"
        ),
    )


def command_actor(username: str | None) -> CommandActor:
    """Return the --actor user (existing and active) and this host; raise UsageError otherwise.

    Outside DEBUG the option is required: every read or write of patient data names a person.
    """
    host = socket.gethostname()
    if not username:
        if settings.DEBUG:
            return CommandActor(user=None, username=DEMO_ACTOR, host=host)
        raise UsageError("--actor USERNAME is required: the user running this command")
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise UsageError(f"--actor: no active user named {username!r}")
    return CommandActor(user=user, username=user.get_username(), host=host)
