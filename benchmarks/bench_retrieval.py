"""Retrieval quality and speed of the shipped search beside its baselines, on the same chunks, in one run.

    python benchmarks/bench_retrieval.py [--sets seed-dev,consumer-dev]

Sets: seed-dev (the seed index); medquad-dev, medquad-heldout and medquad-consumer (the 1,500
articles of ../shared/medquad/eval-subset.txt; benchmarks/heldout_questions.py asks MedQuAD's
templates, and a person's wording of them, about sections medquad-dev does not ask about);
consumer-dev (95 real questions sent to NLM) and consumer-written-test (the half of
benchmarks/data/consumer_written.jsonl the ranker never saw) on all 6,154 MedQuAD articles.

Systems:
- BM25 only; dense only (chunk text alone embedded, an index built with embed_context off);
  dense with title (the shipped vectors: "title: section" before the text); dense with both
  (the mean of the two cosines); dense with the query expansion (the shipped vectors searched
  with the understood query: lay terms, corrections, abbreviations spelled out), so that fusion
  is not credited with what expansion does;
- the hybrid with the hand-set weights (SearchSettings, the fallback);
- the hybrid with the learned ranker.  On every set the ranker was fitted on, each question is
  searched with the model of the fold that did not see it (benchmarks/fit_ranker.py, same
  folds): the figures are cross-validated.

Search times are medians over the questions, warm (each system answers every question once
before it is timed).  The indexes are built (or reused) under benchmarks/.cache.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from common import CACHE, ROOT, SHARED, medquad_corpus, require_shared, subset_ids
from fit_ranker import FOLDS, groups_of, question_sets, written_questions

from chatbot.embedding import load_embedder
from chatbot.evaluation import evaluate_retrieval
from chatbot.index.build import build_index
from chatbot.search.query import understand
from chatbot.search.ranker import shipped_model
from chatbot.search.retriever import Retriever
from chatbot.settings import ChunkSettings, SearchSettings

SYSTEMS = ("BM25 only", "dense only", "dense with title", "dense with both", "dense with expansion",
           "hybrid, hand-set weights", "hybrid, learned ranker")


def text_only_index(corpus: Path, name: str, embedder) -> Path:
    """The same chunks embedded without their title and heading (under benchmarks/.cache/<name>-text-only)."""
    index = CACHE / f"{name}-text-only" / "index"
    report = build_index(corpus, index, embedder=embedder, settings=ChunkSettings(embed_context=False), progress=True)
    if not report.is_noop:
        print(f"built {index}: {report.chunks_embedded} chunks embedded in {report.seconds:.0f} s")
    return index


def dense_both(with_title: Retriever, text_only: Retriever):
    """Search by the mean of the two cosines over the union of both indexes' best 100."""
    def search(query: str, k: int):
        vector = np.ascontiguousarray(with_title.embedder.embed([query]), dtype=np.float32)
        rows = np.unique(np.concatenate([r._stored.faiss_index.search(vector, 100)[1][0] for r in (with_title, text_only)]))
        rows = rows[rows >= 0]
        score = (with_title._stored.vectors(rows) @ vector[0] + text_only._stored.vectors(rows) @ vector[0]) / 2
        order = np.argsort(-score, kind="stable")[:k]
        return [with_title._hit(int(rows[i]), float(score[i]), float(score[i])) for i in order]
    return search


def systems_for(retriever: Retriever, text_only: Retriever, fixed: Retriever, fold_weights) -> dict:
    """System name -> search(query, k) for one set; ``fold_weights(query)`` gives the learned weights to use."""
    def learned(query, k):
        retriever.weights = fold_weights(query)
        return retriever.search(query, k=k)

    def expanded(query, k):
        return retriever.search(understand(query, retriever.vocabulary, names=retriever.names).search_query[:2000], k=k, mode="dense")
    return {
        "BM25 only": lambda q, k: retriever.search(q, k=k, mode="lexical"),
        "dense only": lambda q, k: text_only.search(q, k=k, mode="dense"),
        "dense with title": lambda q, k: retriever.search(q, k=k, mode="dense"),
        "dense with both": dense_both(retriever, text_only),
        "dense with expansion": expanded,
        "hybrid, hand-set weights": lambda q, k: fixed.search(q, k=k),
        "hybrid, learned ranker": learned,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", help="comma-separated set names to run (default: all)")
    args = parser.parse_args()
    require_shared()
    embedder = load_embedder()
    model = shipped_model()
    fitted = question_sets()
    fold_of = {qid: g % FOLDS for qid, g in groups_of(fitted).items()} if model else {}
    sets = [s for s in fitted if s[0] not in ("consumer-written", "seed-written")]
    sets.append(("consumer-written-test", sets[-1][1], written_questions("test")))
    corpora = {ROOT / "index": (ROOT / "corpus", "seed"),
               sets[1][1]: (medquad_corpus("medquad-1500", subset_ids()), "medquad-1500"),
               sets[-1][1]: (SHARED / "medquad" / "articles", "medquad-6154")}
    wanted = set(args.sets.split(",")) if args.sets else None
    loaded: dict[Path, tuple] = {}
    rows = []
    for name, index, questions in sets:
        if (wanted and name not in wanted) or not questions:
            continue
        if index not in loaded:
            corpus, label = corpora[index]
            loaded[index] = (Retriever.load(index, embedder=embedder),
                             Retriever.load(text_only_index(corpus, label, embedder), embedder=embedder),
                             Retriever.load(index, embedder=embedder, settings=SearchSettings(ranker="fixed")))
        by_text = {q["question"]: fold_of.get(q["id"]) for q in questions}

        def fold_weights(query, by_text=by_text):
            k = by_text.get(query)
            return model["fold_weights"][k] if model and k is not None else loaded[index][0].weights
        shipped = dict(loaded[index][0].weights)
        for system, search in systems_for(*loaded[index], fold_weights).items():
            rows.append((name, len(questions), system, *measure(search, questions)))
        loaded[index][0].weights = shipped
    print("\n| set | questions | system | recall@5 | MRR@10 | nDCG@10 | passage hit@5 | search p50 (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, count, system, m, p50 in rows:
        hit = "-" if m["passage_hit@5"] is None else f"{m['passage_hit@5']:.3f}"
        print(f"| {name} | {count} | {system} | {m['recall@5']:.3f} | {m['mrr@10']:.3f} | {m['ndcg@10']:.3f} | {hit} | {p50:.1f} |")


def measure(search, questions: list[dict]) -> tuple[dict, float]:
    for q in questions:  # warm-up: caches, lazy imports
        search(q["question"], 5)
    metrics = evaluate_retrieval(search, questions, k=5)
    timings = []
    for q in questions:
        started = time.perf_counter()
        search(q["question"], 5)
        timings.append(1000 * (time.perf_counter() - started))
    return metrics, statistics.median(timings)


if __name__ == "__main__":
    main()
