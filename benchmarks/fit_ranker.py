"""Fit the learned ranker (chatbot/search/data/ranker.json) and print its cross-validated figures.

    python benchmarks/fit_ranker.py            # cross-validate, fit on everything, write the model
    python benchmarks/fit_ranker.py --no-save  # cross-validate only

Questions (each with its relevant articles and evidence strings): seed-dev and 90 helper-written
seed questions (benchmarks/data/seed_written.md) on the seed index;
medquad-dev, medquad-heldout and medquad-consumer (benchmarks/heldout_questions.py) on the
1,500-article index; consumer-dev (real questions to NLM) and the train half of
benchmarks/data/consumer_written.jsonl (messages written by a helper, see its README) on the
6,154-article index.  The test half of consumer_written is never fitted on: it is reported by
benchmarks/bench_retrieval.py.

For every question the shipped search's candidates and all their features
(``Retriever.candidate_features``) become rows: a chunk of a relevant article is a positive, any
other chunk a negative; where the question has evidence strings, only the chunks that hold one
are positives and the relevant article's other chunks are left out (fitting them as positives
too raised consumer-dev but cost the templated sets 0.02-0.03 of passage hit@5,
cross-validated).  Each question's positives and its negatives weigh one each, and each set
weighs the same.  The model is scikit-learn's logistic regression (C=1); its coefficients are
the search's weights.

Cross-validation: questions sharing a relevant article are one group, over all sets (a question
about an article and a generated one about another of its sections never fall in different
folds); 5 group folds.  Each fold's model is fitted on the other four and searched with, through
the real search, on its own questions; only those out-of-fold searches are reported, beside the
hand-set weights in the same run.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np
from common import CACHE, ROOT, SHARED, medquad_corpus, require_shared, subset_ids
from heldout_questions import heldout_questions

from chatbot.embedding import load_embedder
from chatbot.evaluation import evaluate_retrieval, fold, load_questions
from chatbot.index.build import build_index
from chatbot.search.query import understand
from chatbot.search.ranker import FEATURES, MODEL_PATH, ranking_weights
from chatbot.search.retriever import Retriever
from chatbot.settings import SearchSettings

FOLDS = 5
C = 1.0
WRITTEN = ROOT / "benchmarks" / "data" / "consumer_written.jsonl"
METRICS = ("recall@5", "mrr@10", "ndcg@10", "passage_hit@5")


def written_questions(part: str) -> list[dict]:
    """The helper-written messages: "train" (even lines) or "test" (odd lines), as question records."""
    if not WRITTEN.is_file():
        return []
    records = load_questions(WRITTEN)
    titles = medquad_titles()
    by_title: dict[str, list[str]] = {}
    for article_id, title in titles.items():
        by_title.setdefault(title.lower(), []).append(article_id)
    for r in records:
        r["type"] = [r["type"]] if isinstance(r.get("type"), str) else r.get("type", [])  # NLM types, as consumer-dev
        # the article it was written about, and any other with the same title (GHR and GARD copy each other),
        # as consumer-dev counts them
        same = by_title.get(titles.get(r["article"], "").lower(), [])
        r["relevant"] = [{"article": a, "grade": 2} for a in dict.fromkeys([r["article"], *same])]
    return [r for i, r in enumerate(records) if (i % 2 == 0) == (part == "train")]


def medquad_titles() -> dict[str, str]:
    """Article id -> title, for every MedQuAD article."""
    titles = {}
    for path in sorted((SHARED / "medquad" / "articles").glob("*.md")):
        match = re.search(r'^title:\s*"?(.+?)"?\s*$', path.read_text(encoding="utf-8"), re.M)
        titles[path.stem] = match.group(1) if match else path.stem
    return titles


def medquad_index(name: str, ids: list[str] | None) -> Path:
    """The index of a MedQuAD corpus under benchmarks/.cache (all 6,154 articles when ``ids`` is None)."""
    corpus = medquad_corpus(name, ids) if ids is not None else SHARED / "medquad" / "articles"
    index = CACHE / name / "index"
    report = build_index(corpus, index, progress=True)
    if not report.is_noop:
        print(f"built {index}: {report.chunks_embedded} chunks embedded in {report.seconds:.0f} s")
    return index


def question_sets() -> list[tuple[str, Path, list[dict]]]:
    small, large = medquad_index("medquad-1500", subset_ids()), medquad_index("medquad-6154", None)
    return [("seed-dev", ROOT / "index", load_questions(SHARED / "eval" / "seed-dev.jsonl")),
            ("seed-written", ROOT / "index", load_questions(ROOT / "benchmarks" / "data" / "seed_written.jsonl")),
            ("medquad-dev", small, load_questions(SHARED / "eval" / "medquad-dev.jsonl")),
            ("medquad-heldout", small, heldout_questions()),
            ("medquad-consumer", small, heldout_questions(consumer=True)),
            ("consumer-dev", large, load_questions(SHARED / "eval" / "consumer-dev.jsonl")),
            ("consumer-written", large, written_questions("train"))]


def rows_of(retriever: Retriever, question: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and weights of one question's candidates."""
    q = understand(question["question"], retriever.vocabulary, names=retriever.names)
    vector = retriever.embedder.embed([q.search_query[:2000]])
    rows, features = retriever.candidate_features(q, vector)
    x = np.column_stack([features[name] for name in FEATURES]).astype(np.float32)
    relevant = {r["article"] for r in question["relevant"] if r["grade"] > 0}
    evidence = [fold(e) for e in question["evidence"]]
    chunks = [retriever.chunks[r] for r in rows]
    y = np.array([c.article_id in relevant for c in chunks], dtype=np.int8)
    w = np.ones(len(rows), dtype=np.float32)
    if evidence:
        holds = np.array([any(e in fold(c.text) for e in evidence) for c in chunks])
        w[(y == 1) & ~holds] = 0.0  # another part of the right article: neither a positive nor a negative
        y[(y == 1) & ~holds] = 0
    for label in (0, 1):
        total = w[y == label].sum()
        if total > 0:
            w[y == label] /= total
    return x, y, w


def groups_of(sets: list[tuple[str, Path, list[dict]]]) -> dict[str, int]:
    """Question id -> group: questions that share a relevant article are joined (union-find)."""
    parent: dict[str, str] = {}

    def find(a: str) -> str:
        while parent.setdefault(a, a) != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a
    for _, _, questions in sets:
        for q in questions:
            for r in q["relevant"]:
                parent[find(f"q:{q['id']}")] = find(f"a:{r['article']}")
    roots = sorted({find(f"q:{q['id']}") for _, _, qs in sets for q in qs})
    number = {root: i for i, root in enumerate(roots)}
    return {q["id"]: number[find(f"q:{q['id']}")] for _, _, qs in sets for q in qs}


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression
    model = LogisticRegression(C=C, max_iter=2000).fit(x, y, sample_weight=w)
    return {name: round(float(c), 5) for name, c in zip(FEATURES, model.coef_[0])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-save", action="store_true", help="cross-validate only; leave the model file as it is")
    args = parser.parse_args()
    require_shared()
    embedder = load_embedder()
    sets = question_sets()
    group = groups_of(sets)
    fold_of = {qid: g % FOLDS for qid, g in group.items()}
    data, retrievers = [], {}
    started = time.perf_counter()
    for name, index, questions in sets:
        retrievers[index] = retrievers.get(index) or Retriever.load(index, embedder=embedder, settings=SearchSettings(ranker="fixed"))
        retrievers[index].weights = {f: 1.0 for f in FEATURES}  # candidates as the learned search gathers them
        for q in questions:
            x, y, w = rows_of(retrievers[index], q)
            data.append((name, q["id"], x, y, w / len(questions)))
    print(f"features of {len(data)} questions in {time.perf_counter() - started:.0f} s")
    models = {}
    for k in range(FOLDS):
        train = [d for d in data if fold_of[d[1]] != k]
        models[k] = fit(*(np.concatenate([d[i] for d in train]) for i in (2, 3, 4)))
    table = cross_validated(sets, retrievers, fold_of, models)
    print("\n| set | questions | ranker | " + " | ".join(METRICS) + " |\n|---|---|---|" + "---|" * len(METRICS))
    for line in table:
        print(line)
    final = fit(*(np.concatenate([d[i] for d in data]) for i in (2, 3, 4)))
    print("\nweights fitted on all questions:", json.dumps(final))
    if not args.no_save:
        record = {"model": "logistic regression (scikit-learn), C=1", "features": list(FEATURES), "weights": final,
                  "fitted_on": {name: len(qs) for name, _, qs in sets}, "folds": FOLDS,
                  "fold_weights": [models[k] for k in range(FOLDS)], "cross_validated": table,
                  "made_by": "python benchmarks/fit_ranker.py"}
        MODEL_PATH.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH.relative_to(ROOT)}")


def cross_validated(sets, retrievers, fold_of, models) -> list[str]:
    """Table lines: per set, the hand-set weights and the out-of-fold learned ones, through the real search."""
    lines = []
    for name, index, questions in sets:
        retriever = retrievers[index]
        fixed_weights = ranking_weights(SearchSettings(ranker="fixed"))
        by_text = {q["question"]: fold_of[q["id"]] for q in questions}
        results = {}
        for ranker in ("fixed", "learned"):
            def search(text, k, ranker=ranker):
                retriever.weights = fixed_weights if ranker == "fixed" else models[by_text[text]]
                return retriever.search(text, k=k)
            results[ranker] = evaluate_retrieval(search, questions, k=5)
        for ranker, m in results.items():
            cells = " | ".join("-" if m.get(metric) is None else f"{m[metric]:.3f}" for metric in METRICS)
            lines.append(f"| {name} | {len(questions)} | {ranker} | {cells} |")
    return lines


if __name__ == "__main__":
    main()
