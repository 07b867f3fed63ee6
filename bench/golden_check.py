"""Pin the exact output of `assess` while optimising: write a golden file, then check against it.

Run from the repository root, keeping the golden file outside the repository:

    python bench/golden_check.py write /tmp/assess-golden.json   # before changing the engine
    python bench/golden_check.py check /tmp/assess-golden.json   # after each change

The cases are the benchmark's histories (seeded) assessed on the benchmark date and on random
dates from 2017 to 2027, plus the vignettes of tests/vignettes, on three dates.
Each output is the serialized assessment and its `repr` (which shows every Decimal exactly), or
the `HistoryError` message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assess_bench import AS_OF, make_history

from monitoring.domain import History, HistoryError, assess, assessment_to_dict, parse_history

VIGNETTES = Path(__file__).resolve().parents[1] / "tests" / "vignettes"


def cases(count: int) -> Iterator[tuple[History, dt.date]]:
    rng = random.Random(20250601)
    for _ in range(count):
        yield make_history(rng), AS_OF
    rng = random.Random(7)
    for _ in range(count):
        history = make_history(rng)
        yield history, dt.date(2017, 1, 1) + dt.timedelta(days=rng.randint(0, 3800))
    for path in sorted(VIGNETTES.glob("*.history.json")):
        history = parse_history(path.read_text(encoding="utf-8"))
        for as_of in (history.as_of or AS_OF, AS_OF, dt.date(2021, 3, 31)):
            yield history, as_of


def outputs(count: int) -> list[str]:
    result = []
    for history, as_of in cases(count):
        try:
            assessment = assess(history, as_of=as_of)
        except HistoryError as error:
            result.append(f"HistoryError: {error}")
            continue
        data = json.dumps(assessment_to_dict(assessment), sort_keys=True)
        result.append(f"{data}\n{assessment!r}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=("write", "check"))
    parser.add_argument("path", type=Path)
    parser.add_argument("--count", type=int, default=1500)
    args = parser.parse_args()
    current = outputs(args.count)
    if args.action == "write":
        args.path.write_text(json.dumps(current), encoding="utf-8")
        print(f"wrote {len(current)} outputs to {args.path}")
        return 0
    golden = json.loads(args.path.read_text(encoding="utf-8"))
    differ = [i for i, (a, b) in enumerate(zip(current, golden, strict=False)) if a != b]
    if len(current) != len(golden):
        print(f"{len(current)} outputs, golden has {len(golden)}")
        return 1
    if differ:
        print(f"{len(differ)} of {len(current)} outputs differ, first at case {differ[0]}:")
        print(f"now:    {current[differ[0]]}\ngolden: {golden[differ[0]]}")
        return 1
    print(f"all {len(current)} outputs identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
