"""Fit the learned half of `answer.informative`: which sentences do not inform, beyond the rules.

    python benchmarks/fit_sentences.py [--no-save]

Data: the labelled sentences of benchmarks/data/sentences/train.jsonl (a helper wrote them;
anecdotes, promotion, restated questions and page furniture against informative sentences), and
as further informative examples ("anchors") 1,500 sentences of MedQuAD articles outside the
evaluation subset (``../shared/medquad/eval-subset.txt``), so that the model learns what real
article text looks like and does not hold it back.  The test part (test.jsonl) is never read.

Model: logistic regression (scikit-learn, C=16, balanced classes) over binary word uni- and
bigrams, L2-normalised; it judges only what the rules pass.  The threshold on its probability is the
lowest of a grid whose 5-fold cross-validated losses (informative train sentences held back)
stay at most 2% and that holds back at most 2% of 3,000 sentences of other MedQuAD articles
(the evaluation subset, not fitted on).  Writes chatbot/answer/data/sentence_model.json: the
weight of each n-gram, the intercept, the threshold and a digest of the data.
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

from chatbot.answer.informative import MODEL_PATH, NOT_INFORMATIVE, rule_kind
from chatbot.ngrams import NgramModel, fit_ngram_model

TRAIN = ROOT / "benchmarks" / "data" / "sentences" / "train.jsonl"
C = 16.0
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)
MAX_LOSS = 0.02


def article_sentences(paths, limit: int, seed: int) -> list[str]:
    """Sentences (5 words or more) of MedQuAD articles that the rules pass, shuffled with ``seed``."""
    found = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith(("#", "---", "title:", "url:", "source:", "license:", "- ")):
                continue
            found += [s for s in re.split(r"(?<=[.!?])\s+", line) if len(s.split()) >= 5 and rule_kind(s) == "informative"]
    random.Random(seed).shuffle(found)
    return found[:limit]


def fit(texts: list[str], noise: np.ndarray) -> NgramModel:
    return fit_ngram_model(texts, [NOT_INFORMATIVE if n else "informative" for n in noise], c=C)


def probability(model: NgramModel, text: str) -> float:
    return model.probabilities(text)[NOT_INFORMATIVE]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-save", action="store_true", help="report only; leave the shipped model as it is")
    args = parser.parse_args()
    require_shared()
    from sklearn.model_selection import StratifiedKFold

    rows = [json.loads(line) for line in TRAIN.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    noise = np.array([r["label"] != "informative" for r in rows])
    passed = np.array([rule_kind(t) == "informative" for t in texts])  # what the model must judge
    subset = set((SHARED / "medquad" / "eval-subset.txt").read_text(encoding="utf-8").split())
    articles = sorted(MEDQUAD.glob("*.md"))
    outside = [p for p in articles if p.stem not in subset]
    inside = [p for p in articles if p.stem in subset]
    anchors = article_sentences(random.Random(0).sample(outside, 600), 1500, seed=1)
    check = article_sentences(random.Random(0).sample(inside, 300), 3000, seed=2)

    held_out = np.zeros(len(rows))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, noise):
        model = fit([texts[i] for i in train] + anchors, np.concatenate([noise[train], np.zeros(len(anchors), bool)]))
        held_out[test] = [probability(model, texts[i]) for i in test]
    model = fit(texts + anchors, np.concatenate([noise, np.zeros(len(anchors), bool)]))
    on_articles = np.array([probability(model, s) for s in check])
    print(f"{len(texts)} train sentences ({noise.sum()} do not inform; the rules pass {passed.sum()}, of which "
          f"{(noise & passed).sum()} do not inform), {len(anchors)} anchors; 5-fold cross-validation:")
    print("| threshold | leaks caught (of the rules' leaks) | informative held back | other MedQuAD sentences held back |")
    print("|---|---|---|---|")
    chosen = None
    for threshold in THRESHOLDS:
        caught = float(np.mean(held_out[noise & passed] >= threshold))
        loss = float(np.mean(held_out[~noise & passed] >= threshold))
        flagged = float(np.mean(on_articles >= threshold))
        print(f"| {threshold} | {caught:.3f} | {loss:.3f} | {flagged:.3f} |")
        if chosen is None and loss <= MAX_LOSS and flagged <= MAX_LOSS:
            chosen = threshold
    chosen = chosen or THRESHOLDS[-1]
    digest = hashlib.sha256(json.dumps([texts, anchors]).encode()).hexdigest()[:16]
    model = dataclasses.replace(model, threshold=chosen, data_digest=digest)
    print(f"threshold {chosen}; {len(model.weights):,} n-grams")
    if not args.no_save:
        model.save(MODEL_PATH)
        print(f"saved {MODEL_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
