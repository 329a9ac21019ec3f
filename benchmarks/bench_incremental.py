"""Full build of the 1,500-article MedQuAD eval subset, then one new article added.

    python benchmarks/bench_incremental.py

Prints both build times and their ratio, and leaves the 1,500-article index at
benchmarks/.cache/medquad-1500/index for `python -m chatbot eval ../shared/eval/medquad-dev.jsonl
--index benchmarks/.cache/medquad-1500/index`.
"""

from __future__ import annotations

import shutil
import time

from common import MEDQUAD, medquad_corpus, require_shared, subset_ids

from chatbot.chunking import chunk_article
from chatbot.corpus import load_article
from chatbot.embedding import load_embedder
from chatbot.indexer import build_index
from chatbot.store import read_manifest


def main() -> None:
    require_shared()
    ids = subset_ids()
    corpus = medquad_corpus("medquad-1500", ids)
    index = corpus.parent / "index"
    shutil.rmtree(index, ignore_errors=True)
    embedder = load_embedder()  # loaded once, outside both timings

    started = time.perf_counter()
    full = build_index(corpus, index, embedder=embedder, progress=True)
    full_s = time.perf_counter() - started

    newcomer = next(p for p in sorted(MEDQUAD.glob("*.md")) if p.stem not in set(ids))
    shutil.copyfile(newcomer, corpus / newcomer.name)
    expected_chunks = len(chunk_article(load_article(newcomer, newcomer.stem)))
    started = time.perf_counter()
    added = build_index(corpus, index, embedder=embedder)
    added_s = time.perf_counter() - started

    (corpus / newcomer.name).unlink()  # back to exactly the eval subset
    build_index(corpus, index, embedder=embedder)

    print(f"full build:      {len(full.added)} articles, {full.chunks_embedded} chunks embedded in {full_s:.1f} s "
          f"({full.chunks_embedded / full_s:.0f} chunks/s)")
    print(f"one new article: {added.added} -> {added.chunks_embedded} chunks embedded "
          f"(the article has {expected_chunks}) in {added_s:.2f} s")
    print(f"ratio:           {added_s / full_s:.2%} of the full build")
    print(f"index:           {index} ({read_manifest(index)['counts']})")


if __name__ == "__main__":
    main()
