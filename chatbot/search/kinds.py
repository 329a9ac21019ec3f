"""What kind of answer a question wants, learned: a classifier over word and character n-grams.

Fitted by ``benchmarks/fit_kinds.py`` on questions in people's words and on MedQuAD's question
templates (``data/kind_model.json``), and measured there against the hand-written patterns of
``query.pattern_intent``, which decide only where the classifier is unsure (under the
confidence stored with the model).  Where the classifier is unsure, the answer's heading does
not name a kind (``Question.intent_sure``).
"""

from __future__ import annotations

import functools
from pathlib import Path

from chatbot.ngrams import NgramModel, load_shipped
from chatbot.text import asked_part

MODEL_PATH = Path(__file__).parent / "data" / "kind_model.json"


@functools.lru_cache(maxsize=1)
def shipped_model() -> NgramModel | None:
    return load_shipped(MODEL_PATH, "question kinds", "benchmarks/fit_kinds.py")


@functools.lru_cache(maxsize=10_000)
def classify(text: str) -> tuple[str, float] | None:
    """The most probable kind of ``text`` and its probability, if the classifier is sure enough; else None.
    Only the sentences that ask are read: in "My dad had gout. Will I get it?" the story is not the question."""
    model = shipped_model()
    if model is None:
        return None
    kind, probability = model.best(asked_part(text))
    return (kind, probability) if probability >= model.threshold else None
