"""Loading the labelled triage messages of benchmarks/data/triage/ (format: FORMAT.md there).

    python benchmarks/triage_data.py FILE.jsonl   # lists the messages of FILE that nearly repeat a test message

The test part must stay unseen: a train message that nearly repeats a test message (word
Jaccard overlap of 0.6 or more: different authors write "how much ibuprofen can i take" alike)
is dropped before a new file joins the train part.  ``tests/test_triage_data.py`` checks it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from common import ROOT

DATA = ROOT / "benchmarks" / "data" / "triage"
NEAR_REPEAT = 0.6  # word Jaccard overlap from which two messages count as one
_WORDS = re.compile(r"[\w']+")


def load(part: str) -> list[dict]:
    """Every message of the ``train`` or ``test`` part, in file then line order; ``source`` names its file."""
    records = []
    for path in sorted((DATA / part).glob("*.jsonl")):
        records += [{**r, "source": path.stem} for r in read(path)]
    return records


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def words(record: dict) -> frozenset[str]:
    """The words of a message with its earlier turns, lower case."""
    return frozenset(_WORDS.findall(" ".join([*record.get("history", []), record["text"]]).lower()))


def near_repeats(records: list[dict], others: list[dict], threshold: float = NEAR_REPEAT) -> list[tuple[dict, dict, float]]:
    """(record, other, overlap) for each record whose words overlap some other's by ``threshold`` or more."""
    other_words = [(o, words(o)) for o in others]
    found = []
    for r in records:
        mine = words(r)
        for o, theirs in other_words:
            overlap = len(mine & theirs) / (len(mine | theirs) or 1)
            if overlap >= threshold:
                found.append((r, o, round(overlap, 3)))
                break
    return found


if __name__ == "__main__":
    for path in sys.argv[1:]:
        repeats = near_repeats(read(Path(path)), load("test"))
        for record, other, overlap in repeats:
            print(f"{record['id']}\t{overlap}\t{record['text'][:70]!r} ~ {other['id']} {other['text'][:70]!r}")
        print(f"{path}: {len(repeats)} messages nearly repeat a test message")
