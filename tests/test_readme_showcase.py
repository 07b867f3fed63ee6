"""The README states how many showcase patients `seed_demo` creates (nurse11 F18: it said 17 while
the command made 19): the number it states is the number of showcase histories, with distinct
MRNs SHOW-01 to SHOW-nn."""

import re
from datetime import date
from pathlib import Path

from monitoring.demo_showcase import showcase_histories

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_states_the_number_of_showcase_patients() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    stated = re.search(r"and (\d+) showcase patients \(MRN `SHOW-…`\)", text)
    assert stated is not None, "the seed_demo line of the README names the showcase patients"
    histories = showcase_histories(date(2026, 12, 7))
    mrns = [history["patient"]["mrn"] for history in histories]  # type: ignore[index]
    assert int(stated.group(1)) == len(histories)
    assert mrns == [f"SHOW-{n:02d}" for n in range(1, len(histories) + 1)]
