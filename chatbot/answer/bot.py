"""``Chatbot``: answer a question from the index, with citations and safety notices.

    bot = Chatbot.load("index")
    answer = bot.ask("can back pain cause shaky hands?")

Order of checks: triage first, on everything that is text (``triage.assess``: the message and
the user's earlier turns); a message not in English -> a note that the bot reads English only,
in the reader's language, with the emergency numbers; input that cannot be a question ->
"invalid"; an emergency or crisis -> "urgent" (the notice first, then only passages about that
red flag, none under a crisis notice); low retrieval confidence -> "out_of_scope"; otherwise an
"answer" of quoted, cited sentences, led by a same-day notice or a no-diagnosis / no-dose note
when triage calls for one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np

from chatbot.answer.compose import compose_answer, compose_invalid, compose_other_language, compose_out_of_scope, compose_urgent_only
from chatbot.embedding import Embedder
from chatbot.search.query import Question, understand
from chatbot.answer.scope import ScopeFeatures, scope_features
from chatbot.search.retriever import Retriever
from chatbot.settings import MAX_QUESTION_CHARS, ScopeSettings, SelectionSettings, Settings
from chatbot.triage.redflags import BY_NAME
from chatbot.answer.safety import (DIAGNOSIS_NOTE, DOSE_NOTE, WARNING_SIGNS_NOTE, check_question, emergency_notice,
                     same_day_notice)
from chatbot.answer.selection import Passage, names_any, overlaps, part_words, select_passages
from chatbot.triage.assess import Triage, assess
from chatbot.types import Answer, Chunk, Citation, Hit

log = logging.getLogger(__name__)

URGENT_OPENING = "If it helps while you get care, here is what the articles say about it:"
REQUEST_OPENING = "What the articles say, which may help you talk to your doctor or pharmacist:"


def localised_notice(triage: Triage) -> str:
    """The crisis or emergency notice in the message's language, when there is one in it."""
    from chatbot.triage.languages import CRISIS, EMERGENCY

    if not triage.urgent:
        return ""
    parts = [CRISIS.get(triage.language, "") if "self_harm" in triage.flags else ""]
    if triage.level == "emergency":
        parts.append(EMERGENCY.get(triage.language, ""))
    return "\n\n".join(p for p in parts if p)


def on_red_flag(passages: Sequence[Passage], triage: Triage) -> list[Passage]:
    """The passages that speak of the red flags raised; none at all under a crisis notice."""
    if "self_harm" in triage.flags:
        return []
    words = [w for name in triage.flags for w in BY_NAME[name].topic]
    return [p for p in passages if any(w in p.text.lower() for w in words)]


class Chatbot:
    """Answers questions from one index.  Thread-safe for concurrent ``ask`` calls."""

    def __init__(self, retriever: Retriever, *, selection: SelectionSettings | None = None,
                 scope: ScopeSettings | None = None) -> None:
        self.retriever = retriever
        self.vocabulary = retriever.vocabulary
        self.selection = selection or SelectionSettings()
        self.scope = scope or ScopeSettings()
        self._by_section: dict[tuple[str, str], list[tuple[int, Chunk]]] = {}
        self._section_ends: dict[tuple[str, int], int] = {}  # where each section (article, body start) ends
        for row, chunk in enumerate(retriever.chunks):
            self._by_section.setdefault((chunk.article_id, chunk.section), []).append((row, chunk))
            key = (chunk.article_id, chunk.section_start)
            self._section_ends[key] = max(self._section_ends.get(key, 0), chunk.end)

    @classmethod
    def load(cls, index_dir: str | Path = "index", *, model: str | None = None, embedder: Embedder | None = None,
             backend: str | None = None, settings: Settings | None = None) -> "Chatbot":
        """Open ``index_dir`` (see ``Retriever.load``) and answer with ``settings`` (the defaults if None)."""
        settings = settings or Settings()
        retriever = Retriever.load(index_dir, model=model, embedder=embedder, backend=backend, settings=settings.search)
        return cls(retriever, selection=settings.selection, scope=settings.scope)

    @property
    def settings(self) -> Settings:
        """Everything that shapes an answer (written into every ``eval`` JSON)."""
        return Settings(search=self.retriever.settings, selection=self.selection, scope=self.scope)

    def ask(self, question: str, history: Sequence | None = None) -> Answer:
        """Answer ``question``; ``history`` holds earlier turns (strings, role/content dicts or pairs).

        Triage runs first, on every input that is text, over-long or odd as it may be.
        """
        if not isinstance(question, str):
            return Answer(question=str(question)[:200], kind="invalid", markdown=compose_invalid("Please type your question as text."))
        triage = assess(question, history)
        common = dict(question=question, red_flags=triage.flags, triage=triage.level, language=triage.language,
                      request=triage.request)
        kind_if_urgent = "urgent" if triage.urgent else None
        lead = self._lead(triage)
        if triage.language != "en":
            lead = "\n\n".join(filter(None, [localised_notice(triage), lead]))
            return Answer(kind=kind_if_urgent or "out_of_scope", markdown=compose_other_language(triage.language, lead), **common)
        problem = check_question(question)
        if problem:
            return Answer(kind=kind_if_urgent or "invalid", markdown=compose_invalid(problem, lead=lead), **common)
        q = understand(question, self.vocabulary, history, self.retriever.names)
        if not q.search_query.strip():  # nothing left once markup is removed, e.g. "<>"
            return Answer(kind=kind_if_urgent or "invalid", intent=q.intent, **common,
                          markdown=compose_invalid("Please type a question, for example: *Can back pain cause shaky hands?*", lead=lead))
        passages, hits, features = self._quotes_for(q)
        common.update(intent=q.intent, confidence=round(features.top_similarity, 4))
        if triage.urgent:
            on_point = on_red_flag(passages, triage)
            if on_point:
                markdown, citations = compose_answer(q, on_point, lead=lead, opening=URGENT_OPENING, link_line=False,
                                                     articles=self.retriever.manifest["articles"])
                return Answer(kind="urgent", markdown=markdown, citations=citations, **common)
            return Answer(kind="urgent", markdown=compose_urgent_only(lead), **common)
        if not passages:
            return Answer(kind="out_of_scope", markdown=compose_out_of_scope(*self._topics(hits), lead=lead), **common)
        passages = self._with_other_parts(q, passages)
        opening = REQUEST_OPENING if triage.request else ""
        markdown, citations = compose_answer(q, passages, lead=lead, opening=opening, link_line=triage.request != "diagnosis",
                                             articles=self.retriever.manifest["articles"])
        return Answer(kind="answer", markdown=markdown, citations=citations, **common)

    def _quotes_for(self, q: Question) -> tuple[list[Passage], list[Hit], ScopeFeatures]:
        """The verbatim passages that answer ``q`` (none when it is out of scope), the hits and the scope features.
        The question is embedded once: the same vector searches and scores the sentences."""
        vectors = self.retriever.embedder.embed([q.search_query[:MAX_QUESTION_CHARS]])
        hits = self.retriever.search_question(q, k=self.selection.hits, vector=vectors)
        features = scope_features(q, hits, self.vocabulary, self.retriever.best_sentence_similarity(hits, vectors))
        if not (hits and features.in_scope(self.scope)):
            return [], hits, features
        passages = select_passages(q, hits, vectors, self._sentences_of, self.vocabulary.idf,
                                   section_hits=self._sections_of(hits), settings=self.selection,
                                   section_length=self._section_length)
        return [p for p in passages if self._is_verbatim(p)], hits, features

    def _with_other_parts(self, q: Question, passages: list[Passage]) -> list[Passage]:
        """For a message that asks several questions, the best quote for each one that the answer's
        quotes do not name, or that asks another kind of question ("what is X? and how is it
        treated?"): that question answered on its own, read with the ones before it as a follow-up.
        Its quote must name a word of its own, if it has any; one the articles do not cover adds none."""
        for i, (part, own) in enumerate(part_words(q)):
            sub = understand(part, self.vocabulary, [{"role": "user", "content": p} for p in q.parts[:i]], self.retriever.names)
            named = not own or any(names_any(own, p) for p in passages)
            if named and (not sub.intent_sure or sub.intent == q.intent):
                continue
            found = [p for p in self._quotes_for(sub)[0] if not own or names_any(own, p)]
            fresh = [p for p in found if not any(overlaps(p, o) for o in passages)]
            passages = passages + fresh[:1]
        return passages

    @staticmethod
    def _lead(triage: Triage) -> str:
        """The notices that go before anything else the answer says."""
        if triage.urgent:
            return emergency_notice(triage)
        parts = []
        if triage.level == "same_day":
            parts.append(same_day_notice(triage))
        if triage.request == "diagnosis":
            parts.append(DIAGNOSIS_NOTE)
        elif triage.request == "dose":
            parts.append(DOSE_NOTE)
        if triage.about_warning_signs:
            parts.append(WARNING_SIGNS_NOTE)
        return "\n\n".join(parts)

    def _chunk_holding(self, article_id: str, section: str, start: int, end: int) -> Chunk | None:
        """The indexed chunk of that section whose span contains ``start:end``."""
        for _, chunk in self._by_section.get((article_id, section), ()):
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
            best[h.article_id, chunks[h.row].section_start] = h
        found = []
        for (article_id, section_start), hit in best.items():
            if not hit.section:
                continue  # text before any heading is not one topic
            for row, c in self._by_section.get((article_id, hit.section), ()):
                if c.section_start == section_start:
                    found.append(Hit.of(c, row=row, score=hit.score, similarity=hit.similarity))
        return found

    def _section_length(self, hit: Hit) -> int:
        """The length in characters of the section a hit is from (0 if not known)."""
        if hit.section_start < 0:
            return 0
        return self._section_ends.get((hit.article_id, hit.section_start), hit.end) - hit.section_start

    def _sentences_of(self, hit: Hit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The stored sentences (spans, token counts, vectors) of the chunk a hit is."""
        return self.retriever.sentences.of_chunk(hit.row)

    def _topics(self, hits: Sequence[Hit]) -> tuple[list[str], int]:
        articles = self.retriever.manifest["articles"]
        if len(articles) <= 8:
            return [a["title"] for a in articles.values()], len(articles)
        return list(dict.fromkeys(h.title for h in hits))[:5], len(articles)
