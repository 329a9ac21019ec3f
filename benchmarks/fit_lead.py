"""Fit the opening-sentence model (``chatbot/answer/data/lead_model.json``) and report it against the hand-set rule.

    python benchmarks/fit_lead.py             # fit, cross-validate, report, write the model
    python benchmarks/fit_lead.py --report    # report the shipped model only

The opening sentence of an answer is chosen among the best-scored candidate sentences
(``answer.lead``).  Each set's questions are asked once; for each, its candidates, their features
(``lead.FEATURES``) and whether each holds the evidence (its first sentence, after any restated
question: ``chatbot.evaluation.evidence_sentence``) are kept.  The model is scikit-learn's
``HistGradientBoostingClassifier`` (does a candidate hold the evidence?); the candidate it scores
highest opens the answer.  Each question weighs the same within its set, and each fitted set the
same in all.  The trees are written as plain JSON (``lead.Trees`` reads them without scikit-learn),
checked to score exactly as scikit-learn does.

Fitted on three sets, cross-validated (5 folds by question, drawn over the three sets at once; MedQuAD
questions about one article in one fold): ``seed_written.jsonl`` (90 questions about the seed articles in
people's words, written by a helper), ``medquad-heldout`` (600 templated questions about the 1,500-article
corpus, ``heldout_questions.py``) and ``medquad-consumer`` (the same 600 sections asked in a person's words,
``heldout_questions.py --consumer``).  The tree depth and count are chosen by the cross-validated accuracy.
Reported, never fitted or tuned on: seed-dev, the held-out seed questions and long messages
(``data/heldout/``), medquad-dev, and consumer-dev on the 6,154-article index when it is built.
The hand-set rule (``SelectionSettings(lead="fixed")``) is the baseline, in the same run.
Needs ``../shared`` and the 1,500-article index (``bench_retrieval.py`` builds it).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from common import CACHE, ROOT, SHARED, require_shared

import chatbot.answer.lead as lead
import chatbot.answer.selection as selection
from chatbot.answer.bot import Chatbot
from chatbot.evaluation import evidence_sentence, fold, load_questions
from chatbot.settings import Settings, SelectionSettings

FIT = ("seed-written", "medquad-heldout", "medquad-consumer")
GRID = ((2, 100), (2, 250), (3, 100), (3, 250))  # (tree depth, trees)
FOLDS = 5


@dataclasses.dataclass
class Record:
    """One question: its candidates' features and labels, and which candidate each rule chose."""

    group: str
    features: np.ndarray   # rows of lead.FEATURES, one per candidate of lead.learned_pool
    labels: np.ndarray     # whether each candidate holds the evidence
    fixed_hit: bool        # whether the hand-set rule's choice holds it
    shipped_hit: bool      # whether the shipped model's choice holds it


def sets() -> dict[str, tuple[Path, Path]]:
    return {
        "seed-written": (ROOT / "index", ROOT / "benchmarks" / "data" / "seed_written.jsonl"),
        "medquad-heldout": (CACHE / "medquad-1500" / "index", CACHE / "medquad-heldout.jsonl"),
        "medquad-consumer": (CACHE / "medquad-1500" / "index", CACHE / "medquad-consumer.jsonl"),
        "seed-dev": (ROOT / "index", SHARED / "eval" / "seed-dev.jsonl"),
        "seed-heldout": (ROOT / "index", ROOT / "benchmarks" / "data" / "heldout" / "seed-questions.jsonl"),
        "long-messages": (ROOT / "index", ROOT / "benchmarks" / "data" / "heldout" / "long-messages.jsonl"),
        "medquad-dev": (CACHE / "medquad-1500" / "index", SHARED / "eval" / "medquad-dev.jsonl"),
        "consumer-dev": (CACHE / "medquad-6154" / "index", SHARED / "eval" / "consumer-dev.jsonl"),
    }


def records_of(bot: Chatbot, questions: list[dict]) -> list[Record | None]:
    """For each in-scope question with evidence, its record; None where no answer was composed
    (refused or urgent: the question counts as missed)."""
    found = []
    original = selection._choose

    def spy(question, scored, settings):
        found.append((question, list(scored)))
        return original(question, scored, settings)

    fixed = dataclasses.replace(bot.selection, lead="fixed")
    shipped = dataclasses.replace(bot.selection, lead="learned")
    selection._choose = spy
    out: list[Record | None] = []
    try:
        for q in questions:
            if q["kind"] != "in_scope" or not q["evidence"]:
                continue
            found.clear()
            bot.ask(q["question"])
            if not found:
                out.append(None)
                continue
            question, scored = found[0]
            wanted = [fold(evidence_sentence(e)) for e in q["evidence"]]
            holds = lambda p: any(w in fold(p.text) for w in wanted)  # noqa: E731
            pool = lead.learned_pool(question, scored)
            group = q["relevant"][0]["article"] if q["id"].startswith("heldout-") else q["id"]
            out.append(Record(group=group, features=lead.lead_features(question, pool),
                              labels=np.array([holds(p) for p in pool]),
                              fixed_hit=holds(lead.choose_lead(question, scored, fixed)),
                              shipped_hit=holds(lead.choose_lead(question, scored, shipped))))
    finally:
        selection._choose = original
    return out


def training_rows(by_set: dict[str, list[Record | None]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every candidate of every question that has the evidence among its candidates, with its label;
    each question weighs the same within its set, and each set the same in all."""
    xs, ys, ws = [], [], []
    for recs in by_set.values():
        for r in recs:
            if r is None or not r.labels.any():
                continue
            xs.append(r.features)
            ys.append(r.labels)
            ws.append(np.full(len(r.labels), 1.0 / len(recs) / len(r.labels)))
    weights = np.concatenate(ws)
    return np.vstack(xs), np.concatenate(ys), weights * len(weights) / weights.sum()


def fit(by_set: dict[str, list[Record | None]], params: tuple[int, int]) -> HistGradientBoostingClassifier:
    depth, trees = params
    x, y, w = training_rows(by_set)
    model = HistGradientBoostingClassifier(max_depth=depth, max_iter=trees, learning_rate=0.05, min_samples_leaf=20,
                                           early_stopping=False, random_state=0)
    return model.fit(x, y, sample_weight=w)


def exported(model: HistGradientBoostingClassifier) -> dict:
    """The model as plain lists (``lead.Trees`` reads them)."""
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append({"feature": nodes["feature_idx"].tolist(), "threshold": nodes["num_threshold"].tolist(),
                      "left": nodes["left"].tolist(), "right": nodes["right"].tolist(),
                      "leaf": nodes["is_leaf"].astype(bool).tolist(), "value": nodes["value"].tolist(),
                      "missing_left": nodes["missing_go_to_left"].astype(bool).tolist(),
                      "depth": int(nodes["depth"].max())})
    return {"base": float(np.ravel(model._baseline_prediction)[0]), "trees": trees}


def scorer(model: HistGradientBoostingClassifier):
    return lambda rows: model.decision_function(rows)


def accuracy(records: list[Record | None], score=None, rule: str = "") -> float:
    """The share of questions whose opening holds the evidence: by ``score`` (rows to scores), or as ``rule``
    ("fixed", "shipped") chose."""
    hits = 0
    for r in records:
        if r is None:
            continue
        if score is not None:
            hits += bool(r.labels[lead.best_row(r.features, score(r.features))]) if len(r.labels) else 0
        else:
            hits += r.fixed_hit if rule == "fixed" else r.shipped_hit
    return hits / len(records) if records else float("nan")


def cross_validate(by_set: dict[str, list[Record | None]], params: tuple[int, int]) -> dict[str, float]:
    """Each fitted set's accuracy with every question judged by a model fitted without its fold.  Folds are
    drawn over all sets at once by group, so questions about one MedQuAD article (templated and in a person's
    words) always share a fold."""
    flat = [(name, i, r.group if r else f"{name}:{i}") for name, recs in by_set.items() for i, r in enumerate(recs)]
    fold_of = {}
    for k, (_, held) in enumerate(GroupKFold(FOLDS).split(flat, groups=[g for _, _, g in flat])):
        fold_of.update({flat[j][:2]: k for j in held})
    hits = dict.fromkeys(by_set, 0.0)
    for k in range(FOLDS):
        model = fit({name: [r for i, r in enumerate(recs) if fold_of[name, i] != k] for name, recs in by_set.items()}, params)
        for name, recs in by_set.items():
            held = [r for i, r in enumerate(recs) if fold_of[name, i] == k]
            hits[name] += accuracy(held, scorer(model)) * len(held)
    return {name: hits[name] / len(recs) for name, recs in by_set.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="report the shipped model; fit nothing")
    args = parser.parse_args()
    require_shared()
    for name, flag in (("medquad-heldout", ""), ("medquad-consumer", " --consumer")):
        if not (CACHE / f"{name}.jsonl").exists():
            sys.exit(f"benchmarks/.cache/{name}.jsonl is missing: run python benchmarks/heldout_questions.py{flag} "
                     f"--out benchmarks/.cache/{name}.jsonl first")
    bots: dict[Path, Chatbot] = {}
    records: dict[str, list[Record | None]] = {}
    for name, (index, path) in sets().items():
        if not Path(index).exists() or not Path(path).exists():
            print(f"skipped {name}: {index if not Path(index).exists() else path} is missing")
            continue
        if index not in bots:
            bots[index] = Chatbot.load(index, settings=Settings(selection=SelectionSettings()))
        records[name] = records_of(bots[index], load_questions(path))
        print(f"asked {name}: {len(records[name])} questions", flush=True)
    fitted = {name: records[name] for name in FIT}
    learned: dict[str, float] = {}
    if not args.report:
        scores = {params: cross_validate(fitted, params) for params in GRID}
        for params, by_name in scores.items():
            print(f"depth {params[0]}, {params[1]} trees: cross-validated " + ", ".join(f"{n} {v:.3f}" for n, v in by_name.items()))
        best = max(GRID, key=lambda params: (round(np.mean(list(scores[params].values())), 4), -params[0], -params[1]))
        model = fit(fitted, best)
        trees = exported(model)
        check = np.vstack([r.features for recs in records.values() for r in recs if r is not None and len(r.labels)])
        assert np.allclose(lead.Trees(trees["trees"], trees["base"], len(lead.FEATURES)).scores(check), model.decision_function(check)), \
            "the exported trees do not score as scikit-learn does"
        learned = {name: scores[best][name] for name in FIT}
        learned |= {name: accuracy(recs, scorer(model)) for name, recs in records.items() if name not in FIT}
        write_model(trees, best, learned, {name: len(records[name]) for name in FIT})
        print(f"wrote {lead.MODEL_PATH} (depth {best[0]}, {best[1]} trees)")
    print("\nEvidence in the opening sentence (the first quote), share of in-scope questions with evidence:\n")
    print("| set | questions | fitted on | hand-set rule | learned | evidence among the candidates |")
    print("|---|---|---|---|---|---|")
    for name, recs in records.items():
        value = learned.get(name, accuracy(recs, rule="shipped"))
        reachable = sum(bool(r is not None and r.labels.any()) for r in recs) / len(recs)
        note = "yes (5-fold CV)" if name in FIT and learned else ("yes" if name in FIT else "no")
        print(f"| {name} | {len(recs)} | {note} | {accuracy(recs, rule='fixed'):.3f} | {value:.3f} | {reachable:.3f} |")


def write_model(trees: dict, params: tuple[int, int], figures: dict[str, float], sizes: dict[str, int]) -> None:
    model = {
        "what": "The opening-sentence model (chatbot/answer/lead.py): gradient-boosted trees; the candidate "
                "with the highest score opens the answer.",
        "features": list(lead.FEATURES),
        "fitted": {"by": "benchmarks/fit_lead.py", "on": sizes, "depth": params[0], "trees": params[1],
                   "date": datetime.date.today().isoformat(),
                   "method": "scikit-learn HistGradientBoostingClassifier (learning rate 0.05, at least 20 rows a "
                             "leaf): does a candidate hold the evidence sentence; questions weighted equally per set"},
        "evidence_in_opening": {name: round(v, 4) for name, v in figures.items()},
        "evidence_in_opening_note": "fitted sets: 5-fold cross-validated; others: never fitted or tuned on",
        **trees,
    }
    lead.MODEL_PATH.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
