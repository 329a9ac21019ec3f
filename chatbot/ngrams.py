"""Small linear text classifiers over n-grams, scored in plain Python.

The models are fitted with scikit-learn (``benchmarks/fit_*.py``) on binary n-gram features,
L2-normalised per kind of n-gram, exactly as ``TfidfVectorizer(binary=True, use_idf=False)``
makes them: word uni- and bigrams, and optionally character 3- to 5-grams within words (which
carry misspellings).  Only the weight of each n-gram seen in fitting is stored (JSON), so a
model is a few hundred kilobytes and scoring one text takes some microseconds, with no
scikit-learn at run time.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

FORMAT = 1
TOKEN_PATTERN = r"(?u)\b[\w']+\b"  # scikit-learn's token_pattern for the word n-grams
_TOKEN = re.compile(TOKEN_PATTERN)
CHAR_RANGE = (3, 5)


def word_grams(text: str) -> set[str]:
    tokens = _TOKEN.findall(text.lower())
    return set(tokens) | {f"{a} {b}" for a, b in zip(tokens, tokens[1:])}


def char_grams(text: str) -> set[str]:
    """Character n-grams within words, padded with a space each side (scikit-learn's ``char_wb``)."""
    found = set()
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(CHAR_RANGE[0], CHAR_RANGE[1] + 1):
            if len(padded) < n:
                found.add(padded)
                break
            found.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return found


@dataclass(frozen=True)
class NgramModel:
    """Logistic regression over n-grams.  ``weights`` maps ``"w <word n-gram>"`` and ``"c <char n-gram>"``
    to one weight per class (one in all for a binary model, whose positive class is ``classes[1]``)."""

    classes: tuple[str, ...]
    weights: dict[str, list[float]] = field(repr=False)
    intercepts: tuple[float, ...]
    chars: bool = False
    threshold: float = 0.5
    data_digest: str = ""

    def probabilities(self, text: str) -> dict[str, float]:
        """The probability of each class for ``text``."""
        scores = list(self.intercepts)
        for kind, grams in (("w", word_grams(text)), ("c", char_grams(text) if self.chars else set())):
            known = [self.weights[key] for g in grams if (key := f"{kind} {g}") in self.weights]
            if known:
                norm = math.sqrt(len(known))
                for row in known:
                    for i, w in enumerate(row):
                        scores[i] += w / norm
        if len(scores) == 1:  # binary
            p = 1.0 / (1.0 + math.exp(-scores[0]))
            return {self.classes[0]: 1.0 - p, self.classes[1]: p}
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp)}

    def best(self, text: str) -> tuple[str, float]:
        """The most probable class and its probability."""
        found = self.probabilities(text)
        kind = max(found, key=found.get)
        return kind, found[kind]

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"format": FORMAT, "classes": list(self.classes), "intercepts": list(self.intercepts),
                  "chars": self.chars, "threshold": self.threshold, "data_digest": self.data_digest,
                  "weights": dict(sorted(self.weights.items()))}
        path.write_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "NgramModel":
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        if record.get("format") != FORMAT:
            raise ValueError(f"{path} is n-gram model format {record.get('format')}; this version reads {FORMAT}")
        return cls(classes=tuple(record["classes"]), weights=record["weights"], intercepts=tuple(record["intercepts"]),
                   chars=record["chars"], threshold=record["threshold"], data_digest=record.get("data_digest", ""))


def load_shipped(path: Path, what: str, fit_script: str) -> NgramModel | None:
    """A model shipped with the package, or None (logged) if it cannot be read, so that the rules or
    patterns it adds to decide alone: ``what`` it tells and the ``fit_script`` that remakes it."""
    try:
        return NgramModel.load(path)
    except (OSError, ValueError, KeyError) as exc:
        logging.getLogger(__name__).warning(
            "The model of %s could not be read (%s); the rules alone decide. Reinstall the package or run: python %s",
            what, exc, fit_script)
        return None


def fit_ngram_model(texts: Sequence[str], labels: Sequence[str], *, chars: bool = False, c: float = 16.0,
                    sample_weight=None, class_weight: str | None = "balanced") -> NgramModel:
    """Fit an ``NgramModel`` with scikit-learn (for the benchmarks/fit_*.py scripts; not used at run time)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    options = dict(binary=True, use_idf=False, norm="l2")
    vectorizers = [("w", TfidfVectorizer(ngram_range=(1, 2), token_pattern=TOKEN_PATTERN, **options))]
    if chars:
        vectorizers.append(("c", TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_RANGE, **options)))
    x = hstack([v.fit_transform(texts) for _, v in vectorizers]).tocsr()
    names = [f"{kind} {g}" for kind, v in vectorizers for g in v.get_feature_names_out()]
    model = LogisticRegression(C=c, max_iter=5000, class_weight=class_weight).fit(x, labels, sample_weight=sample_weight)
    coefficients = model.coef_.T  # (features, 1 or classes)
    weights = {name: [round(float(w), 5) for w in row] for name, row in zip(names, coefficients)
               if any(abs(w) >= 1e-5 for w in row)}
    return NgramModel(classes=tuple(str(c) for c in model.classes_), weights=weights,
                      intercepts=tuple(float(b) for b in model.intercept_), chars=chars)
