"""Retrieval quality and speed: BM25 only, dense only and the shipped hybrid, on the same chunks.

    python benchmarks/bench_retrieval.py

Builds (or reuses) the seed index (index/) and an index of the 1,500 MedQuAD articles of
../shared/medquad/eval-subset.txt (benchmarks/.cache/medquad-1500/index, default settings),
runs ../shared/eval/seed-dev.jsonl and medquad-dev.jsonl through the three modes of
`Retriever.search` in the same run, and prints one table.  Search times are medians over the
questions, warm (each system answers every question once before it is timed).

Two more sets check that the weights, chosen on the two dev sets, carry over
(benchmarks/heldout_questions.py): medquad-heldout asks MedQuAD's question templates about 600
other sections of the same articles, and medquad-consumer asks the same 600 in a person's words
("my brother has X, could my kids get it from our family").
"""

from __future__ import annotations

import statistics
import time

from common import ROOT, SHARED, medquad_corpus, require_shared, subset_ids
from heldout_questions import heldout_questions

from chatbot.embedding import load_embedder
from chatbot.evaluation import evaluate_retrieval, load_questions
from chatbot.index.build import build_index
from chatbot.search.retriever import Retriever

SYSTEMS = {"BM25 only": "lexical", "dense only": "dense", "shipped (hybrid)": "hybrid"}


def main() -> None:
    require_shared()
    embedder = load_embedder()
    corpus = medquad_corpus("medquad-1500", subset_ids())
    sets = [("seed-dev", ROOT / "corpus", ROOT / "index", load_questions(SHARED / "eval" / "seed-dev.jsonl")),
            ("medquad-dev", corpus, corpus.parent / "index", load_questions(SHARED / "eval" / "medquad-dev.jsonl")),
            ("medquad-heldout", corpus, corpus.parent / "index", heldout_questions()),
            ("medquad-consumer", corpus, corpus.parent / "index", heldout_questions(consumer=True))]
    rows = []
    for name, corpus_dir, index_dir, questions in sets:
        report = build_index(corpus_dir, index_dir, embedder=embedder, progress=True)
        if not report.is_noop:
            print(f"built {index_dir}: {report.chunks_embedded} chunks embedded in {report.seconds:.0f} s")
        retriever = Retriever.load(index_dir, embedder=embedder)
        for system, mode in SYSTEMS.items():
            search = lambda q, k, mode=mode, r=retriever: r.search(q, k=k, mode=mode)  # noqa: E731
            for q in questions:  # warm-up: caches, lazy imports
                search(q["question"], 5)
            metrics = evaluate_retrieval(search, questions, k=5)
            timings = []
            for q in questions:
                started = time.perf_counter()
                search(q["question"], 5)
                timings.append(1000 * (time.perf_counter() - started))
            rows.append((name, system, metrics, statistics.median(timings)))
    print("\n| set | system | recall@5 | MRR@10 | nDCG@10 | passage hit@5 | search p50 (ms) |")
    print("|---|---|---|---|---|---|---|")
    for name, system, m, p50 in rows:
        print(f"| {name} | {system} | {m['recall@5']:.3f} | {m['mrr@10']:.3f} | {m['ndcg@10']:.3f} | "
              f"{m['passage_hit@5']:.3f} | {p50:.1f} |")


if __name__ == "__main__":
    main()
