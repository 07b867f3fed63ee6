"""The one error the domain raises for bad input."""

from __future__ import annotations


class HistoryError(ValueError):
    """A history that cannot be assessed; the message starts with the JSON path of the bad field."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
