"""Shared helpers for the benchmarks: where ../shared is, and MedQuAD corpora made from it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MEDQUAD = SHARED / "medquad" / "articles"
CACHE = Path(__file__).resolve().parent / ".cache"

sys.path.insert(0, str(ROOT))


def require_shared() -> None:
    if not MEDQUAD.is_dir():
        sys.exit(f"error: the MedQuAD articles are not at {MEDQUAD}; benchmarks need ../shared beside the project")


def subset_ids() -> list[str]:
    return (SHARED / "medquad" / "eval-subset.txt").read_text().split()


def medquad_corpus(name: str, ids: list[str]) -> Path:
    """A corpus folder of the given MedQuAD articles under benchmarks/.cache (copied once)."""
    folder = CACHE / name / "corpus"
    wanted = {f"{i}.md" for i in ids}
    folder.mkdir(parents=True, exist_ok=True)
    for stale in set(p.name for p in folder.iterdir()) - wanted:
        (folder / stale).unlink()
    for file_name in wanted - set(p.name for p in folder.iterdir()):
        shutil.copyfile(MEDQUAD / file_name, folder / file_name)
    return folder
