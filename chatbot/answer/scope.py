"""Whether the articles answer a question: the out-of-scope decision, on what retrieval found.

A question is out of scope when it names something specialised (a disease, a drug) that the
articles never mention, or when the best passage's cosine similarity, less a penalty for the
share of its topic words the articles never use, falls below the bar (lower when the question
names a specialised term the articles do use).  The bars are ``ScopeSettings``, calibrated by
``benchmarks/calibrate_scope.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from chatbot.search.query import Question
from chatbot.search.spelling import Vocabulary
from chatbot.settings import ScopeSettings
from chatbot.text import asked_part, content_words
from chatbot.types import Hit


@dataclass(frozen=True)
class ScopeFeatures:
    """What the in-scope decision looks at."""

    top_similarity: float                  # the best hit's cosine similarity with the question
    uncovered_share: float                 # share of the topic words the articles never use
    specific_covered: tuple[str, ...]      # specialised topic words the articles use
    specific_uncovered: tuple[str, ...]    # specialised topic words they never use

    def in_scope(self, settings: ScopeSettings = ScopeSettings()) -> bool:
        if self.specific_uncovered and not self.specific_covered:
            return False  # it names something (a disease, a drug) the articles never mention
        bar = settings.specific_threshold if self.specific_covered else settings.threshold
        return self.top_similarity - settings.uncovered_penalty * self.uncovered_share >= bar


def scope_features(question: Question, hits: Sequence[Hit], vocabulary: Vocabulary) -> ScopeFeatures:
    """The scope features of a question and the hits its search found.

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
    )
