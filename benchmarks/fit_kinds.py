"""Fit the question-kind classifier (chatbot/search/kinds.py) and report it against the patterns.

    python benchmarks/fit_kinds.py [--no-save]

Fitted on: benchmarks/data/kinds/train.jsonl (questions in people's words, written by a helper
that had not seen the code) and MedQuAD's own question templates asked about the titles of the
articles outside the evaluation subset (the only examples of the genetics, prevalence, risk and
research kinds).  Cross-validated on the train part (5 folds) for C and for the confidence under
which the patterns decide instead.

Reported, never fitted on, side by side with the hand-written patterns (``query.pattern_intent``),
as accuracy: benchmarks/data/kinds/test.jsonl; the held-out seed questions
(benchmarks/data/heldout/seed-questions.jsonl, their ``type``); consumer-dev (NLM's ``type`` of
95 real questions, mapped to these kinds; a question counts as right when the kind is one of
its types; types with no kind here, "resources" and "usage", are left out); medquad-dev (the kind
of its template).  Needs ../shared.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import re

import numpy as np
from common import MEDQUAD, ROOT, SHARED, require_shared
from heldout_questions import TEMPLATES

from chatbot.answer.compose import OPENINGS
from chatbot.evaluation import kind_labels
from chatbot.ngrams import NgramModel, fit_ngram_model
from chatbot.search.kinds import MODEL_PATH
from chatbot.search.query import pattern_intent
from chatbot.text import asked_part

DATA = ROOT / "benchmarks" / "data" / "kinds"
HEADING_KINDS = {
    "Overview": "definition", "Symptoms": "symptoms", "Treatment": "treatment", "Causes": "causes",
    "Inheritance": "genetics", "Genetic changes": "genetics", "How common is it": "prevalence",
    "Exams and tests": "diagnosis", "Outlook": "outlook", "Who is at risk": "risk", "Prevention": "prevention",
    "Research": "other", "Considerations": "treatment", "Stages": "types",
}
CS = (1.0, 4.0, 16.0)
# kinds whose heading names no kind (the same as when the classifier is unsure): never a wrong heading
GENERIC = {kind for kind, heading in OPENINGS.items() if heading == OPENINGS["other"]}
CONFIDENCES = (0.0, 0.3, 0.4, 0.5, 0.6)


def jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def title_of(path) -> str:
    match = re.search(r"^title:\s*\"?(.+?)\"?\s*$", path.read_text(encoding="utf-8"), re.M)
    return match.group(1) if match else path.stem


def template_questions(paths, per_template: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    titles = [title_of(p) for p in rng.sample(paths, min(len(paths), 400))]
    return [(template.format(rng.choice(titles)), HEADING_KINDS[heading])
            for heading, template in TEMPLATES.items() for _ in range(per_template)]


def template_kind(question: str) -> str | None:
    for heading, template in TEMPLATES.items():
        pattern = "^" + re.escape(template).replace(re.escape("{}"), ".+") + "$"
        if re.match(pattern, question.strip()):
            return HEADING_KINDS[heading]
    return None


def decide(model: NgramModel, text: str, confidence: float) -> str:
    """What ``query.understand`` does: the classifier's kind of the asking sentences, or the patterns' where it is unsure."""
    kind, p = model.best(asked_part(text))
    return kind if p >= confidence else pattern_intent(text)


def report_sets() -> dict[str, list[tuple[str, set[str]]]]:
    sets = {"kinds test": [(r["question"], {r["kind"]}) for r in jsonl(DATA / "test.jsonl")]}
    seed = ROOT / "benchmarks" / "data" / "heldout" / "seed-questions.jsonl"
    sets["seed held-out"] = [(r["question"], {r["type"]}) for r in jsonl(seed) if r.get("type")]
    consumer = []
    for r in jsonl(SHARED / "eval" / "consumer-dev.jsonl"):
        kinds = kind_labels(r)
        if kinds:
            consumer.append((r["question"], kinds))
    sets["consumer-dev"] = consumer
    medquad = [(r["question"], {template_kind(r["question"])}) for r in jsonl(SHARED / "eval" / "medquad-dev.jsonl")]
    sets["medquad-dev"] = [(q, k) for q, k in medquad if k != {None}]
    return sets


def accuracy(guess, items) -> float:
    return sum(guess(q) in kinds for q, kinds in items) / len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-save", action="store_true", help="report only; leave the shipped model as it is")
    args = parser.parse_args()
    require_shared()
    from sklearn.model_selection import StratifiedKFold

    people = [(r["question"], r["kind"]) for r in jsonl(DATA / "train.jsonl")]
    shared = {q.casefold() for q, _ in people} & {r["question"].casefold() for r in jsonl(DATA / "test.jsonl")}
    if shared:
        raise SystemExit(f"{len(shared)} test questions are also in train (e.g. {sorted(shared)[0]!r}); keep the parts apart")
    subset = set((SHARED / "medquad" / "eval-subset.txt").read_text(encoding="utf-8").split())
    outside = [p for p in sorted(MEDQUAD.glob("*.md")) if p.stem not in subset]
    templated = template_questions(outside, per_template=12, seed=0)
    texts = [q for q, _ in people]
    labels = np.array([k for _, k in people])

    scores = {}
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(texts, labels))
    for c in CS:
        guesses = [None] * len(texts)
        models = []
        for train, test in folds:
            model = fit_ngram_model([texts[i] for i in train] + [q for q, _ in templated],
                                    [labels[i] for i in train] + [k for _, k in templated], chars=True, c=c)
            models.append((model, test))
        for confidence in CONFIDENCES:
            for model, test in models:
                for i in test:
                    guesses[i] = decide(model, texts[i], confidence)
            scores[c, confidence] = float(np.mean([g == k for g, k in zip(guesses, labels)]))
    (c, confidence), best = max(scores.items(), key=lambda item: (item[1], -item[0][1]))
    patterns = float(np.mean([pattern_intent(t) == k for t, k in zip(texts, labels)]))
    print(f"5-fold cross-validation on {len(texts)} train questions (+ {len(templated)} templated): "
          f"patterns {patterns:.3f}; " + ", ".join(f"C={k[0]:g} confidence {k[1]}: {v:.3f}" for k, v in scores.items()))
    model = fit_ngram_model(texts + [q for q, _ in templated], list(labels) + [k for _, k in templated], chars=True, c=c)
    digest = hashlib.sha256(json.dumps([people, templated]).encode()).hexdigest()[:16]
    model = dataclasses.replace(model, threshold=confidence, data_digest=digest)
    print(f"chosen C={c:g}, patterns decide under confidence {confidence}; {len(model.weights):,} n-grams")
    print("Accuracy: the kind is right (the classifier's, or the patterns' where it is unsure). Wrong headings: the\n"
          "answer's heading names a kind that is wrong (the shipped heading names one only where the classifier is\n"
          "sure; 'other' and 'yes_no' get the heading that names none).\n")
    print("| set | questions | accuracy: patterns | accuracy: classifier | classifier sure | wrong headings: patterns | wrong headings: shipped |")
    print("|---|---|---|---|---|---|---|")
    for name, items in report_sets().items():
        sure = [(q, kinds) for q, kinds in items if model.best(asked_part(q))[1] >= confidence]
        wrong_patterns = sum(pattern_intent(q) not in kinds | GENERIC for q, kinds in items) / len(items)
        wrong_shipped = sum(model.best(asked_part(q))[0] not in kinds | GENERIC for q, kinds in sure) / len(items)
        print(f"| {name} | {len(items)} | {accuracy(pattern_intent, items):.3f} | "
              f"{accuracy(lambda q: decide(model, q, confidence), items):.3f} | {len(sure) / len(items):.3f} | "
              f"{wrong_patterns:.3f} | {wrong_shipped:.3f} |")
    if not args.no_save:
        model.save(MODEL_PATH)
        print(f"saved {MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
