"""Render the rules reference as Markdown (docs/clinical-rules.md is this text, committed)."""

from __future__ import annotations

from collections.abc import Iterator

from ..types import AlertCode
from . import ALERT_LIFECYCLE, CONVENTIONS, SECTIONS, SOURCES, entries
from .model import Output, RuleEntry

GENERATED_BY = "python manage.py rules_reference --output docs/clinical-rules.md"


def output_line(output: Output) -> str:
    """Return one alert or recommendation of a rule, as a list item's text."""
    if isinstance(output.code, AlertCode):
        return f"alert `{output.code}` ({output.severity}): {output.when}"
    return f"recommendation `{output.code}`: {output.when}"


def codes_index() -> dict[str, tuple[str, list[str], list[str]]]:
    """Return code -> (kind, severities, rule ids), in the order the reference first names them."""
    index: dict[str, tuple[str, list[str], list[str]]] = {}
    for entry in entries():
        for output in entry.outputs:
            kind = "alert" if isinstance(output.code, AlertCode) else "recommendation"
            _, severities, rules = index.setdefault(str(output.code), (kind, [], []))
            if output.severity is not None and str(output.severity) not in severities:
                severities.append(str(output.severity))
            if str(entry.rule) not in rules:
                rules.append(str(entry.rule))
    return index


def _entry(entry: RuleEntry) -> Iterator[str]:
    yield f'### <a id="{entry.rule}"></a>{entry.rule}: {entry.title}'
    yield ""
    yield entry.checks
    yield ""
    for output in entry.outputs:
        yield f"- {output_line(output)}"
    if entry.outputs:
        yield ""
    if entry.example:
        yield f"Example: {entry.example}"
        yield ""
    yield f"Sources: {'; '.join(entry.sources)}."
    yield ""


def _lines() -> Iterator[str]:
    yield "# Clinical rules"
    yield ""
    yield f"<!-- Generated from the code by `{GENERATED_BY}`. Do not edit: change"
    yield "     monitoring/domain/reference/ or thresholds.py and run the command again. -->"
    yield ""
    yield "What `monitoring/domain/` checks, rule by rule. Every alert and recommendation the"
    yield "application shows names the rule ids behind it and their sources; each id below is"
    yield "the anchor the application links to (the in-app Rules page, `/rules/`, shows the same"
    yield "text). Every number comes from `monitoring/domain/thresholds.py`."
    yield ""
    yield "## Conventions"
    yield ""
    for convention in CONVENTIONS:
        yield f"- {convention}"
    yield ""
    for number, section in enumerate(SECTIONS, start=1):
        yield f"## {number}. {section.title}"
        yield ""
        yield section.intro
        yield ""
        for entry in section.rules:
            yield from _entry(entry)
    yield "## Alerts in the application"
    yield ""
    for line in ALERT_LIFECYCLE:
        yield f"- {line}"
    yield ""
    yield "## Codes"
    yield ""
    yield "| code | kind | severity | rules |"
    yield "|---|---|---|---|"
    for code, (kind, severities, rules) in codes_index().items():
        links = ", ".join(f"[{rule}](#{rule})" for rule in rules)
        yield f"| `{code}` | {kind} | {', '.join(severities) or '-'} | {links} |"
    yield ""
    yield "## Sources"
    yield ""
    for name, description in SOURCES.items():
        yield f"- **{name}**: {description}"


def markdown() -> str:
    """Return the whole reference as Markdown, ending in one newline."""
    return "\n".join(_lines()) + "\n"
