"""What the hybrid search knows about each candidate chunk, one array per feature.

``ChunkFeatures`` precomputes, once per index, what does not depend on the query (which chunk
opens its section, which headings fit which kind of question, the words of each title and
heading, the norms of the sentence vectors); ``first_stage`` gives the features of a set of
candidate rows for one query, and ``best_sentence`` the costlier sentence feature for the
best of them.  Every feature lies in 0..1; ``fuse`` weighs them: with the learned ranker's
weights (``search.ranker``) or the hand-set ones of ``SearchSettings``.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping, Sequence

import numpy as np

from chatbot.index.sentences import SentenceTable
from chatbot.search.query import INTENT_CUES, INTENT_WORDS
from chatbot.text import jaccard, name_terms, stem
from chatbot.types import Chunk

_QUESTION_TERMS = frozenset(stem(w) for w in INTENT_WORDS)


class ChunkFeatures:
    """Query-independent facts of every chunk of an index, and the features of candidates."""

    def __init__(self, chunks: Sequence[Chunk], sentences: SentenceTable,
                 idf: Callable[[str], float] = lambda term: 1.0) -> None:
        self._opens_section = _opens_section(chunks)
        articles: dict[str, int] = {}
        self._article = np.array([articles.setdefault(c.article_id, len(articles)) for c in chunks], dtype=np.int64)
        self._article_ids = list(articles)
        self._article_number = articles
        order = np.argsort(self._article, kind="stable")
        self._article_rows = np.split(order, np.cumsum(np.bincount(self._article, minlength=len(articles)))[:-1])
        self._idf = idf
        self._section_cue = _section_cues(chunks)
        self._headings = _FieldTerms([c.section for c in chunks])
        self._titles = _FieldTerms([c.title for c in chunks])
        self._sentences = sentences
        codes = sentences.codes  # cosine similarity ignores each row's scale
        self._sentence_norms = np.maximum(np.sqrt(np.einsum("ij,ij->i", codes, codes, dtype=np.float32)), 1e-12)

    def first_stage(self, rows: np.ndarray, similarity: np.ndarray, lexical: np.ndarray, query: str,
                    intent: str, named: Mapping[str, float] | None = None) -> dict[str, np.ndarray]:
        """The features of candidate ``rows`` (named as in ``search.ranker.FEATURES``), all but "sentence".
        ``named`` maps the articles the message names (its foci) to how specific the name is (0..1)."""
        terms = name_terms(query)
        topic = terms - _QUESTION_TERMS
        no_cue = np.zeros(len(rows), dtype=np.float32)
        dense = scaled(similarity)
        return {
            "dense": dense,
            "lexical": lexical / (float(lexical.max()) or 1.0),
            "section_opening": self._opens_section[rows],
            "section_cue": self._section_cue[intent][rows] if intent in self._section_cue else no_cue,
            "heading_words": self._headings.score(rows, lambda h: len(terms & h) / len(h)),
            "title_fit": self._titles.score(rows, lambda t: jaccard(topic, t)),
            "title_cover": self._titles.score(rows, lambda t: self._covered(t, terms)),
            "named": self._named(rows, named or {}),
            "article_dense": self._article_best(rows, dense),
        }

    def _covered(self, title: frozenset[str], terms: frozenset[str]) -> float:
        """The idf-weighted share of a title's words that the query uses: all of "Wilson disease" in a long story."""
        weights = {t: self._idf(t) for t in title}
        return sum(w for t, w in weights.items() if t in terms) / (sum(weights.values()) or 1.0)

    def _named(self, rows: np.ndarray, named: Mapping[str, float]) -> np.ndarray:
        if not named:
            return np.zeros(len(rows), dtype=np.float32)
        return np.array([named.get(self._article_ids[a], 0.0) for a in self._article[rows]], dtype=np.float32)

    def _article_best(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """For each row, the best value of any candidate of the same article: an article that fits as a whole."""
        articles, inverse = np.unique(self._article[rows], return_inverse=True)
        best = np.zeros(len(articles), dtype=np.float32)
        np.maximum.at(best, inverse, values)
        return best[inverse]

    def rows_of(self, article_ids: Sequence[str], limit: int) -> np.ndarray:
        """The rows of the chunks of ``article_ids`` (at most ``limit``, the first articles first)."""
        found = [self._article_rows[self._article_number[a]] for a in article_ids if a in self._article_number]
        return np.concatenate(found)[:limit] if found else np.zeros(0, dtype=np.int64)

    def best_sentence(self, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """For each chunk row, the highest cosine similarity of one of its sentences with ``vector``."""
        table = self._sentences
        starts, ends = table.offsets[rows], table.offsets[rows + 1]
        sizes = ends - starts
        best = np.zeros(len(rows), dtype=np.float32)
        has = sizes > 0
        if not has.any():
            return best
        sizes, starts = sizes[has], starts[has]
        firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        picked = np.arange(int(sizes.sum())) + np.repeat(starts - firsts, sizes)  # every sentence row of those chunks
        cosine = (table.codes[picked].astype(np.float32) @ vector) / self._sentence_norms[picked]
        best[has] = np.maximum.reduceat(cosine, firsts)
        return best


def fuse(features: dict[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """The weighted sum of the features, each weighed by the weight of the same name (0 if it has none)."""
    return sum(weights.get(name, 0.0) * values for name, values in features.items())


def scaled(values: np.ndarray) -> np.ndarray:
    """``values`` mapped onto 0..1 (min to max); all zeros if they are all equal."""
    low, span = float(values.min()), float(values.max() - values.min())
    return (values - low) / span if span else np.zeros_like(values)


def _opens_section(chunks: Sequence[Chunk]) -> np.ndarray:
    """1 for the first chunk of each section (an occurrence of a heading), else 0."""
    opens = np.zeros(len(chunks), dtype=np.float32)
    first: dict[tuple[str, int], int] = {}
    for row, chunk in enumerate(chunks):
        key = (chunk.article_id, chunk.section_start)
        if key not in first or chunk.start < chunks[first[key]].start:
            first[key] = row
    opens[list(first.values())] = 1.0
    return opens


def _section_cues(chunks: Sequence[Chunk]) -> dict[str, np.ndarray]:
    """Per kind of question, 1 for the chunks whose section heading fits it ("Causes" for "what causes")."""
    cues = {}
    headings = {c.section for c in chunks}
    for intent, pattern in INTENT_CUES.items():
        compiled = re.compile(pattern, re.I)
        fits = {heading: bool(heading and compiled.search(heading)) for heading in headings}
        cues[intent] = np.array([fits[c.section] for c in chunks], dtype=np.float32)
    return cues


class _FieldTerms:
    """The words of one short field (title or heading) of every chunk, each distinct value once."""

    def __init__(self, values: list[str]) -> None:
        ids: dict[str, int] = {}
        self._ids = np.array([ids.setdefault(v, len(ids)) for v in values], dtype=np.int64)
        self._terms = [name_terms(v) for v in ids]

    def score(self, rows: np.ndarray, fit: Callable[[frozenset[str]], float]) -> np.ndarray:
        """``fit(terms)`` for the field of each row (0 where the field has no words), computed once per value."""
        ids = self._ids[rows]
        if len(self._terms) <= len(rows):  # few distinct values (a small index): score them all
            return np.array([fit(t) if t else 0.0 for t in self._terms], dtype=np.float32)[ids]
        distinct, inverse = np.unique(ids, return_inverse=True)
        values = np.array([fit(self._terms[i]) if self._terms[i] else 0.0 for i in distinct], dtype=np.float32)
        return values[inverse]
