"""The patient letter's words for the BMD changes beyond the least significant change (CHG-LSC),
by their direction: a gain said as a gain (phys13 #1), sites that went the same way named together.
"""

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from monitoring.overview.letter_z_score import site_words


def patient_changes(significant: Sequence[dict[str, Any]]) -> Iterator[str]:
    """The patient's words for the sites whose change passed the least significant change: one
    sentence per earlier scan compared with, naming its sites together (phys12 F6: one sentence
    per site, the same words three times), those gone up apart from those gone down.

    CHG-LSC finds a change significant either way (abs(change) >= LSC): a gain read "has gone
    down" (phys13 #1, spine 1.000 to 1.040 g/cm²), as if every significant change were a loss."""
    since: dict[str, dict[str, list[str]]] = {}
    for change in significant:
        way = _direction(change.get("change_g_cm2"))
        since.setdefault(change["from_date"], {}).setdefault(way, []).append(
            site_words(change["site"])
        )
    for day, ways in since.items():
        # yyyy-mm-dd, as every page writes a date
        yield f"Since your scan of {date.fromisoformat(day).isoformat()}, {_changed_sites(ways)}."


# The patient's words for a change beyond the scanner's margin of error, by its direction.
UP, DOWN, CHANGED = "gone up", "gone down", "changed"
MARGIN = "by more than the scanner's margin of error"


def _direction(change_g_cm2: object) -> str:
    if change_g_cm2 is None or change_g_cm2 == "":
        return CHANGED  # not stored (CHG-LSC always stores it with a significant change)
    number = Decimal(str(change_g_cm2))
    return UP if number > 0 else DOWN if number < 0 else CHANGED


def _changed_sites(ways: dict[str, list[str]]) -> str:
    """The words after "Since your scan of <day>, ": "the bone density of your lumbar spine has
    gone up by more than …", or for sites that went different ways "… of your lumbar spine has
    gone up and that of your total hip has gone down, each by more than …" (gains first)."""
    parts = [
        (way, and_list(list(dict.fromkeys(ways[way]))))
        for way in (UP, DOWN, CHANGED)
        if way in ways
    ]
    first_way, first_sites = parts[0]
    text = f"the bone density of your {first_sites} has {first_way}"
    if len(parts) == 1:
        text += f" {MARGIN}"
        return text + (": a real improvement" if first_way == UP else "")
    text += "".join(f" and that of your {sites} has {way}" for way, sites in parts[1:])
    return f"{text}, each {MARGIN}"


def and_list(words: Sequence[str]) -> str:
    """Words joined as a sentence lists them: "a", "a and b", "a, b and c"."""
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)
