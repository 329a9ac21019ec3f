"""Whether the articles answer a question: the out-of-scope decision, on what retrieval found.

By default (``ScopeSettings.decision == "learned"``) a question is out of scope when a logistic
regression over five features (the cosine similarity of the best passage and of the best sentence
of the passages found, the share of the topic words the articles never use, and how many
specialised terms it names that they do and do not use) gives a probability under its threshold; the model, its threshold and the questions it was
fitted on are in ``data/scope_model.json``, written by ``benchmarks/fit_scope.py``.  With
``decision == "fixed"`` (the baseline, and the fallback when the file is missing): when it names
something specialised (a disease, a drug) that the articles never mention and nothing they do,
or when the similarity, less a penalty for the share of topic words the articles never use,
falls below the bar of ``ScopeSettings`` (lower when the question names a specialised term the
articles use).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from chatbot.search.query import Question
from chatbot.search.spelling import Vocabulary
from chatbot.settings import ScopeSettings
from chatbot.text import asked_part, content_words
from chatbot.types import Hit

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).parent / "data" / "scope_model.json"
# What the learned decision reads, in this order (``ScopeFeatures.row``).
FEATURES = ("top_similarity", "top_sentence_similarity", "uncovered_share", "specific_uncovered", "specific_covered")


@dataclass(frozen=True)
class ScopeFeatures:
    """What the in-scope decision looks at."""

    top_similarity: float                  # the best hit's cosine similarity with the question
    uncovered_share: float                 # share of the topic words the articles never use
    specific_covered: tuple[str, ...]      # specialised topic words the articles use
    specific_uncovered: tuple[str, ...]    # specialised topic words they never use
    top_sentence_similarity: float = 0.0   # the best single sentence's of the hits

    def in_scope(self, settings: ScopeSettings = ScopeSettings()) -> bool:
        model = shipped_model() if settings.decision == "learned" else None
        if model is not None:
            return model.probability(self.row()) >= model.threshold
        if self.specific_uncovered and not self.specific_covered:
            return False  # it names something (a disease, a drug) the articles never mention
        bar = settings.specific_threshold if self.specific_covered else settings.threshold
        return self.top_similarity - settings.uncovered_penalty * self.uncovered_share >= bar

    def row(self) -> list[float]:
        """The values of ``FEATURES`` (counts of specialised terms capped: a third adds nothing)."""
        return [self.top_similarity, self.top_sentence_similarity, self.uncovered_share,
                float(min(2, len(self.specific_uncovered))), float(min(3, len(self.specific_covered)))]


@dataclass(frozen=True)
class ScopeModel:
    """A logistic regression over standardised ``FEATURES``: P(in scope) = sigmoid(coef . (x - mean) / scale + intercept)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, row: Sequence[float]) -> float:
        """P(in scope); 0.0 (refused) where a feature is not a finite number."""
        z = self.intercept + sum(c * (x - m) / s for c, x, m, s in zip(self.coef, row, self.mean, self.scale))
        if not math.isfinite(z):
            return 0.0
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    @classmethod
    def from_json(cls, data: dict) -> "ScopeModel":
        """The model of a ``scope_model.json``; ``ValueError`` if it reads other features or is malformed."""
        if not isinstance(data, dict):
            raise ValueError(f"it holds a {type(data).__name__}, not an object")
        if data.get("features") != list(FEATURES):
            raise ValueError(f"it reads the features {data.get('features')}, this version computes {list(FEATURES)}")
        parts = [tuple(float(v) for v in data[key]) for key in ("mean", "scale", "coef")]
        if any(len(p) != len(FEATURES) for p in parts) or any(v <= 0 for v in parts[1]):
            raise ValueError("mean, scale and coef need one value per feature, and every scale must be positive")
        model = cls(*parts, intercept=float(data["intercept"]), threshold=float(data["threshold"]))
        if not all(math.isfinite(v) for v in (*parts[0], *parts[1], *parts[2], model.intercept)) or not 0 < model.threshold < 1:
            raise ValueError("values must be finite and the threshold a probability")
        return model


def scope_record(settings: ScopeSettings) -> dict:
    """What decided the scope, for eval reports: the fixed thresholds, or the model and its checksum."""
    if settings.decision != "learned" or shipped_model() is None:
        return {"decision": "fixed"}
    return {"decision": "learned", "model": MODEL_PATH.name, "sha256": hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()}


@functools.lru_cache(maxsize=1)
def shipped_model() -> ScopeModel | None:
    """The fitted scope model (``data/scope_model.json``), or None (with a warning: the fixed
    thresholds decide) when it is missing, unreadable or fitted on other features."""
    try:
        return ScopeModel.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("The scope model %s could not be used (%s); using the fixed thresholds. "
                    "Refit it with: python benchmarks/fit_scope.py", MODEL_PATH, error)
        return None


def scope_features(question: Question, hits: Sequence[Hit], vocabulary: Vocabulary,
                   sentence_similarity: float = 0.0) -> ScopeFeatures:
    """The scope features of a question and the hits its search found (``sentence_similarity``: their
    best sentence's cosine similarity with the question, ``Retriever.best_sentence_similarity``).

    Specialised words count only in what is asked: in a message of several sentences, the ones that
    ask ("... can it cause tremor?"), not side remarks ("My GP gave me ibuprofen.").
    """
    uncovered = [w for w in question.topic if not vocabulary.covers(w)]
    asked = set(content_words(asked_part(question.text)))
    return ScopeFeatures(
        top_similarity=max((h.similarity for h in hits), default=0.0),
        uncovered_share=len(uncovered) / max(1, len(question.topic)),
        specific_covered=tuple(w for w in question.topic if vocabulary.covers(w) and not vocabulary.is_common(w)),
        specific_uncovered=tuple(w for w in uncovered if w in asked and not vocabulary.is_common(w) and len(w) > 3),
        top_sentence_similarity=sentence_similarity,
    )
