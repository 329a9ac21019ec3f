"""The corpus vocabulary: word counts for spelling correction, idf, and telling known words from unknown."""

from __future__ import annotations

import functools
import math
from collections import Counter
from typing import Iterable

from chatbot.search.synonyms import SYNONYMS
from chatbot.text import STOPWORDS, stem, words

MAX_CORRECTED_LETTERS = 30
CORRECTION_CACHE = 100_000


class Vocabulary:
    """Word counts of a corpus, for spelling correction and for telling known words from unknown."""

    def __init__(self, texts: Iterable[str], dictionary: Iterable[str] = ()) -> None:
        """``texts`` are the corpus; ``dictionary`` holds correctly spelled words never to correct."""
        self.counts: Counter[str] = Counter()
        self.document_frequency: Counter[str] = Counter()  # of stems
        self.documents = 0
        for text in texts:
            tokens = words(text)
            self.counts.update(tokens)
            self.document_frequency.update({stem(w) for w in tokens})
            self.documents += 1
        self.stems = set(self.document_frequency)
        self.dictionary = frozenset(dictionary)
        # Words seen before and what they became; lru_cache is safe to share between threads.
        self._cached_correction = functools.lru_cache(maxsize=CORRECTION_CACHE)(self._correct)

    def idf(self, term_stem: str) -> float:
        """Inverse document frequency of a stem: rare words say more about what is asked."""
        return math.log(1 + (self.documents + 1) / (self.document_frequency.get(term_stem, 0) + 1))

    def is_common(self, word: str) -> bool:
        """Whether ``word`` is an ordinary English word (in the dictionary), not a specialised term."""
        return any(w in self.dictionary for w in (word, stem(word), word.rstrip("s")))

    def covers(self, word: str) -> bool:
        """Whether the corpus speaks of ``word``, directly or through its clinical synonym."""
        return self.knows(word) or any(self.knows(w) for w in words(SYNONYMS.get(word, "")))

    def knows(self, word: str) -> bool:
        return word in self.counts or stem(word) in self.stems

    def correct(self, word: str) -> str:
        """``word``, or the most frequent corpus word one edit away when ``word`` is unknown.

        Words longer than ``MAX_CORRECTED_LETTERS`` are left as they are: nobody misspells a
        word that long, and the edits of a pasted 2,000-letter string would cost ~200 MB.
        """
        if len(word) > MAX_CORRECTED_LETTERS:
            return word
        return self._cached_correction(word)

    def _correct(self, word: str) -> str:
        if len(word) < 4 or self.knows(word) or self.is_common(word) or word in STOPWORDS or word in SYNONYMS:
            return word
        # Four-letter words only gain a letter ("lowr" -> "lower"), never lose one ("gout" -> "out").
        edits = _inserts_and_transposes(word) if len(word) == 4 else _edits1(word)
        candidates = [c for c in edits if c in self.counts]
        return max(candidates, key=lambda c: (self.counts[c], c)) if candidates else word


def _inserts_and_transposes(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    return transposes | {a + c + b for a, b in splits for c in "abcdefghijklmnopqrstuvwxyz"}


def _edits1(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters]
    inserts = [a + c + b for a, b in splits for c in letters]
    return set(deletes + transposes + replaces + inserts)
