"""Loading the labelled triage messages of benchmarks/data/triage/ (format: FORMAT.md there)."""

from __future__ import annotations

import json
from pathlib import Path

from common import ROOT

DATA = ROOT / "benchmarks" / "data" / "triage"


def load(part: str) -> list[dict]:
    """Every message of the ``train`` or ``test`` part, in file then line order."""
    records = []
    for path in sorted((DATA / part).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    return records
