"""The shape of the rules reference: sections of rule entries, each with what it gives."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..catalogue import RULE_SOURCES
from ..types import AlertCode, RecommendationCode, RuleId, Severity


@dataclass(frozen=True, slots=True, kw_only=True)
class Output:
    """An alert (with its severity) or a recommendation (no severity) a rule gives, and when."""

    code: AlertCode | RecommendationCode
    severity: Severity | None
    when: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleEntry:
    rule: RuleId
    title: str
    checks: str
    outputs: tuple[Output, ...] = ()
    example: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        """Return the rule's sources, as the catalogue lists them."""
        return tuple(RULE_SOURCES[self.rule])


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    title: str
    intro: str
    rules: tuple[RuleEntry, ...]


def num(value: Decimal | int) -> str:
    """Return a threshold as written in the reference."""
    return str(value)


def alert(code: AlertCode, severity: Severity, when: str) -> Output:
    """Return an alert output at `severity`."""
    return Output(code=code, severity=severity, when=when)


def rec(code: RecommendationCode, when: str) -> Output:
    """Return a recommendation output."""
    return Output(code=code, severity=None, when=when)
