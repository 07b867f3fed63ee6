"""The project's management-command conventions: a usage or input error is one line and exit 2.

Django prints argparse's usage block (several lines) for a bad argument and exits 1 on a
CommandError; scripts and people read one line and one status for every refusal instead.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

USAGE_ERROR = 2


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
