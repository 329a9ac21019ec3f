"""Fit the out-of-scope decision (chatbot/answer/data/scope_model.json) on labelled questions.

    python benchmarks/fit_scope.py [--index index] [--answered 0.97] [--no-save] [--fixed-grid]

Reads the in-scope and out-of-scope questions of the calibration sets (``../shared/eval/seed-dev.jsonl``
when present, ``benchmarks/data/scope-questions.jsonl``, ``benchmarks/data/scope-calibration.jsonl`` and
``benchmarks/data/scope-negated.jsonl``),
computes each one's scope features as ``Chatbot.ask`` does, and fits a logistic regression on
them (``chatbot.answer.scope.FEATURES``, standardised).  Its threshold is chosen out of fold
(5 folds by question, 3 repeats): the highest at which at least --answered of the in-scope
questions are answered (a question with no hit at all counts as refused).  Printed: the out-of-fold figures of each set beside the fixed thresholds
in force.  The test set (``benchmarks/data/heldout/scope-test.jsonl``) is never read here; measure
it with ``python -m chatbot eval benchmarks/data/heldout/scope-test.jsonl``.  ``--fixed-grid``
also prints the best pair of fixed thresholds on a grid over all the calibration questions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import replace

import numpy as np
from common import ROOT, SHARED
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from chatbot.answer.bot import Chatbot
from chatbot.answer.scope import FEATURES, MODEL_PATH, ScopeFeatures, ScopeModel, scope_features
from chatbot.search.query import understand

# the features of a question the search found nothing for
NOTHING_FOUND = ScopeFeatures(top_similarity=0.0, uncovered_share=1.0, specific_covered=(), specific_uncovered=())
SETS = [SHARED / "eval" / "seed-dev.jsonl", ROOT / "benchmarks" / "data" / "scope-questions.jsonl",
        ROOT / "benchmarks" / "data" / "scope-calibration.jsonl", ROOT / "benchmarks" / "data" / "scope-negated.jsonl"]


def labelled_features(bot: Chatbot) -> tuple[list, np.ndarray, np.ndarray, list[str], list]:
    """(each question's ScopeFeatures, their rows, labels (1: in scope), set names, the files read)."""
    found, rows, labels, names, files = [], [], [], [], []
    for path in SETS:
        if not path.exists():
            print(f"(skipping {path}: not found)")
            continue
        files.append(path)
        for line in path.read_text(encoding="utf-8").splitlines():
            q = json.loads(line) if line.strip() else {}
            if q.get("kind") not in ("in_scope", "out_of_scope"):
                continue
            understood = understand(q["question"], bot.vocabulary, None, bot.retriever.names)
            vector = bot.retriever.embedder.embed([understood.search_query])
            hits = bot.retriever.search_question(understood, k=bot.selection.hits, vector=vector)  # as Chatbot.ask searches
            features = (scope_features(understood, hits, bot.vocabulary, bot.retriever.best_sentence_similarity(hits, vector))
                        if hits else None)
            found.append(features)
            rows.append((features or NOTHING_FOUND).row())
            labels.append(int(q["kind"] == "in_scope"))
            names.append(path.stem)
    return found, np.array(rows), np.array(labels), names, files


def fitted(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
    mean, scale = x.mean(axis=0), np.maximum(x.std(axis=0), 1e-6)
    return mean, scale, LogisticRegression(C=c, max_iter=1000).fit((x - mean) / scale, y)


def out_of_fold(x: np.ndarray, y: np.ndarray, c: float, repeats: int = 3) -> np.ndarray:
    """Each question's in-scope probability from the models that did not see it, averaged over repeats."""
    p = np.zeros(len(y))
    for seed in range(repeats):
        for train, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
            mean, scale, model = fitted(x[train], y[train], c)
            p[held] += model.predict_proba((x[held] - mean) / scale)[:, 1] / repeats
    return p


def threshold_for(p: np.ndarray, y: np.ndarray, answered: float) -> float:
    """The highest threshold at which at least ``answered`` of the in-scope questions reach it."""
    inside = np.sort(p[y == 1])
    return float(inside[int(np.floor((1 - answered) * len(inside)))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(ROOT / "index"))
    parser.add_argument("--answered", type=float, default=0.97, help="share of in-scope questions to answer, out of fold")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation of the logistic regression")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--fixed-grid", action="store_true", help="also search the fixed thresholds on a grid")
    args = parser.parse_args()
    bot = Chatbot.load(args.index, settings=None)
    found, x, y, names, files = labelled_features(bot)
    print(f"{len(y)} labelled questions: {int(y.sum())} in scope, {int(len(y) - y.sum())} out of scope")
    p = np.where([f is None for f in found], 0.0, out_of_fold(x, y, args.c))  # no hit: refused whatever the model says
    threshold = threshold_for(p, y, args.answered)
    fixed = replace(bot.scope, decision="fixed")
    rule = np.array([bool(f and f.in_scope(fixed)) for f in found])
    print(f"out of fold (5 folds x 3), threshold {threshold:.3f}: in-scope answered / out-of-scope refused")
    names = np.array(names)
    for name in [*dict.fromkeys(names), "all"]:
        part = names == name if name != "all" else np.ones(len(y), bool)
        inside, outside = part & (y == 1), part & (y == 0)
        print(f"  {name:20s} learned {np.mean(p[inside] >= threshold):.3f} / {np.mean(p[outside] < threshold):.3f}   "
              f"fixed thresholds in force {np.mean(rule[inside]):.3f} / {np.mean(~rule[outside]):.3f}   "
              f"({int(inside.sum())} in, {int(outside.sum())} out)")
    if args.fixed_grid:
        grid = [round(0.15 + 0.01 * i, 2) for i in range(46)]

        def rates(t: float, s: float) -> tuple[float, float]:
            settings = replace(fixed, threshold=t, specific_threshold=s)
            ok = np.array([bool(f and f.in_scope(settings)) for f in found])
            return float(np.mean(ok[y == 1])), float(np.mean(~ok[y == 0]))

        best = max(((t, s) for t in grid for s in grid if s <= t and rates(t, s)[0] >= args.answered),
                   key=lambda ts: sum(rates(*ts)))
        print(f"fixed thresholds, best on the grid over all of them (in sample): threshold={best[0]:.2f} "
              f"specific={best[1]:.2f}: {rates(*best)[0]:.3f} / {rates(*best)[1]:.3f}")
    mean, scale, model = fitted(x, y, args.c)
    data = {"features": list(FEATURES), "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
            "coef": model.coef_[0].round(6).tolist(), "intercept": round(float(model.intercept_[0]), 6),
            "threshold": round(threshold, 6), "c": args.c, "answered_out_of_fold": args.answered,
            "fitted_on": [{"file": str(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f.name),
                           "sha256": hashlib.sha256(f.read_bytes()).hexdigest()} for f in files]}
    ScopeModel.from_json(data)  # what is written must read back
    print("coefficients:", dict(zip(FEATURES, data["coef"])), "intercept", data["intercept"])
    if not args.no_save:
        MODEL_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"saved {MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
