"""``Chatbot``: answer a question from the index, with citations and safety notices.

    bot = Chatbot.load("index")
    answer = bot.ask("can back pain cause shaky hands?")

Order of checks: input that cannot be a question -> "invalid"; a red flag -> "urgent" (the
emergency notice first, then quotes if the articles cover the question); low retrieval
confidence -> "out_of_scope"; otherwise an "answer" of quoted, cited sentences.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .compose import compose_answer, compose_invalid, compose_out_of_scope, compose_urgent_only
from .embedding import Embedder
from .query import Question, understand
from .retriever import MAX_QUERY_CHARS, Retriever
from .safety import check_question, detect_red_flags, emergency_notice
from .selection import Passage, select_passages
from .types import Answer, Chunk, Citation, Hit

log = logging.getLogger(__name__)

SEARCH_K = 8
# Out-of-scope thresholds on the best chunk's cosine score, chosen on labelled in-scope and
# out-of-scope questions by benchmarks/calibrate_scope.py (see README, "Refusals").
SCOPE_THRESHOLD = 0.40
SCOPE_THRESHOLD_SPECIFIC = 0.2   # when the question names a specialised term the articles use
UNCOVERED_PENALTY = 0.1          # per share of topic words the articles never use


@dataclass(frozen=True)
class ScopeFeatures:
    """What the in-scope decision looks at."""

    top_score: float
    uncovered_share: float
    specific_covered: tuple[str, ...]
    specific_uncovered: tuple[str, ...]

    def in_scope(self, threshold: float = SCOPE_THRESHOLD, specific_threshold: float = SCOPE_THRESHOLD_SPECIFIC,
                 penalty: float = UNCOVERED_PENALTY) -> bool:
        if self.specific_uncovered and not self.specific_covered:
            return False  # it names something (a disease, a drug) the articles never mention
        bar = specific_threshold if self.specific_covered else threshold
        return self.top_score - penalty * self.uncovered_share >= bar


class Chatbot:
    """Answers questions from one index.  Thread-safe for concurrent ``ask`` calls."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        self.vocabulary = retriever.vocabulary
        self._by_section: dict[tuple[str, str], list] = {}
        self._row: dict[tuple[str, int], int] = {}
        for row, chunk in enumerate(retriever.chunks):
            self._by_section.setdefault((chunk.article_id, chunk.section), []).append(chunk)
            self._row[chunk.article_id, chunk.start] = row

    @classmethod
    def load(cls, index_dir: str | Path = "index", *, model: str | None = None, embedder: Embedder | None = None,
             backend: str | None = None) -> "Chatbot":
        retriever = Retriever.load(index_dir, model=model, embedder=embedder, backend=backend)
        return cls(retriever)

    def ask(self, question: str, history: Sequence | None = None) -> Answer:
        """Answer ``question``; ``history`` holds earlier turns (strings, role/content dicts or pairs)."""
        problem = check_question(question)
        if problem:
            return Answer(question=str(question)[:200], kind="invalid", markdown=compose_invalid(problem))
        flags = detect_red_flags(question)
        q = understand(question, self.vocabulary, history)
        if not q.search_query.strip():  # nothing left once markup is removed, e.g. "<>"
            return Answer(question=question[:200], kind="invalid",
                          markdown=compose_invalid("Please type a question, for example: *Can back pain cause shaky hands?*"))
        # The question is embedded once: the same vector searches and scores the sentences.
        query = q.search_query[:MAX_QUERY_CHARS]
        vectors = self.retriever.embedder.embed([query])
        hits = self.retriever.search_question(q, k=SEARCH_K, vector=vectors)
        features = self.scope_features(q, hits)
        in_scope = bool(hits) and features.in_scope()
        passages = select_passages(q, hits, vectors, self._sentences_of, self.vocabulary.idf,
                                   section_hits=self._sections_of(hits)) if in_scope else []
        passages = [p for p in passages if self._is_verbatim(p)]
        flag_names = tuple(f.name for f in flags)
        common = dict(question=question, intent=q.intent, red_flags=flag_names, confidence=round(features.top_score, 4))
        if flags:
            lead = emergency_notice(flags)
            if passages:
                markdown, citations = compose_answer(q, passages, lead=lead)
                return Answer(kind="urgent", markdown=markdown, citations=citations, **common)
            return Answer(kind="urgent", markdown=compose_urgent_only(lead), **common)
        if not passages:
            return Answer(kind="out_of_scope", markdown=compose_out_of_scope(*self._topics(hits)), **common)
        markdown, citations = compose_answer(q, passages)
        return Answer(kind="answer", markdown=markdown, citations=citations, **common)

    def _chunk_holding(self, article_id: str, section: str, start: int, end: int) -> Chunk | None:
        """The indexed chunk of that section whose span contains ``start:end``."""
        for chunk in self._by_section.get((article_id, section), ()):
            if chunk.start <= start and end <= chunk.end:
                return chunk
        return None

    def _is_verbatim(self, passage: Passage) -> bool:
        """Whether the passage is the exact text of an indexed chunk at its offsets; never cite one that is not."""
        chunk = self._chunk_holding(passage.article_id, passage.section, passage.start, passage.end)
        if chunk and chunk.text[passage.start - chunk.start : passage.end - chunk.start] == passage.text:
            return True
        log.error("Dropped a quote that is not verbatim in %s at %d-%d", passage.article_id, passage.start, passage.end)
        return False

    def passage_around(self, citation: Citation) -> tuple[str, int]:
        """The indexed chunk holding ``citation``'s quote, and the chunk's start offset."""
        chunk = self._chunk_holding(citation.article_id, citation.section, citation.start, citation.end)
        return (chunk.text, chunk.start) if chunk else (citation.quote, citation.start)

    def _sections_of(self, hits: Sequence[Hit]) -> list[Hit]:
        """Every chunk of the sections the given hits come from, scored as the hit.

        A section is one occurrence of a heading: a page may repeat "Overview" for each answer it holds.
        """
        chunks = self.retriever.chunks
        best: dict[tuple[str, int], Hit] = {}
        for h in reversed(hits):  # the best-ranked hit of each section is the one kept
            best[h.article_id, chunks[self._row[h.article_id, h.start]].section_start] = h
        found = []
        for (article_id, section_start), hit in best.items():
            if not hit.section:
                continue  # text before any heading is not one topic
            for c in self._by_section.get((article_id, hit.section), ()):
                if c.section_start == section_start:
                    found.append(Hit(c.article_id, c.title, c.url, c.section, c.text, c.start, c.end, hit.score, hit.similarity))
        return found

    def _sentences_of(self, hit: Hit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The stored sentences (spans, token counts, vectors) of the chunk a hit is."""
        return self.retriever.sentences.of_chunk(self._row[hit.article_id, hit.start])

    def scope_features(self, q: Question, hits: Sequence[Hit]) -> ScopeFeatures:
        vocab = self.vocabulary
        uncovered = [w for w in q.topic if not vocab.covers(w)]
        return ScopeFeatures(
            top_score=max((h.similarity for h in hits), default=0.0),
            uncovered_share=len(uncovered) / max(1, len(q.topic)),
            specific_covered=tuple(w for w in q.topic if vocab.covers(w) and not vocab.is_common(w)),
            specific_uncovered=tuple(w for w in uncovered if not vocab.is_common(w) and len(w) > 3),
        )

    def _topics(self, hits: Sequence[Hit]) -> tuple[list[str], int]:
        articles = self.retriever.manifest["articles"]
        if len(articles) <= 8:
            return [a["title"] for a in articles.values()], len(articles)
        return list(dict.fromkeys(h.title for h in hits))[:5], len(articles)
