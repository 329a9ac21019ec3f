"""``Retriever``: load an index folder and search it.

The shipped search is hybrid: the query is expanded (lay terms -> clinical words, misspellings
corrected against the corpus), then each candidate chunk (the best by embedding and the best
by BM25) gets a weighted sum (``WEIGHTS``) of its dense and BM25 scores, the similarity of its
best sentence (stored sentence vectors), and small bonuses for opening its section and for a
section heading that fits the kind of question.
Exact duplicates of a better-ranked chunk are dropped so one text cannot fill the results.
``mode="dense"`` and ``mode="lexical"`` search one way only, on the raw query (the baselines
of benchmarks/bench_retrieval.py).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from chatbot.index import store
from chatbot.embedding import DEFAULT_BACKEND, DEFAULT_MODEL, Embedder, backend_of, bundled_model_dir, load_embedder, same_model, vector_kind
from chatbot.errors import ChatbotError, IndexMismatchError, InvalidQueryError
from chatbot.search.query import INTENT_CUES, INTENT_WORDS, STOPWORDS, Question, Vocabulary, stem, understand, words
from chatbot.types import Chunk, Hit

log = logging.getLogger(__name__)

MAX_K = 100
MAX_QUERY_CHARS = 2000
MODES = ("hybrid", "dense", "lexical")
# How the hybrid score is made, and how many candidates each side brings; chosen with
# benchmarks/bench_retrieval.py on both dev sets (README, "How it works").
WEIGHTS = {
    "dense": 0.35,            # cosine similarity of query and chunk, scaled over the candidates
    "lexical": 0.35,          # BM25, divided by the best candidate's
    "sentence": 0.3,          # the chunk's best sentence's cosine similarity, scaled
    "section_opening": 0.15,  # the chunk opens its section: where articles state the point
    "section_cue": 0.06,      # the section heading fits the kind of question ("Causes" for "what causes")
    "heading_words": 0.1,     # share of the section heading's words that the query uses ("Genetic changes")
    "title_fit": 0.1,         # overlap of the query's topic words and the article title's (Jaccard)
}
CANDIDATES = 100
SENTENCE_CANDIDATES = 40


class Reranker(Protocol):
    """Scores (query, passage) pairs; higher is more relevant.  A cross-encoder, for instance."""

    def rerank(self, query: str, texts: Sequence[str]) -> Sequence[float]: ...


class CrossEncoderReranker:
    """A sentence-transformers cross-encoder from a local folder (or the Hugging Face cache)."""

    def __init__(self, model: str, *, device: str | None = None) -> None:
        try:
            from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(model, device=device or "cpu")
        except Exception as exc:
            raise ChatbotError(f"Cannot load reranker {model!r}: {exc}. Pass a local cross-encoder folder.") from exc

    def rerank(self, query: str, texts: Sequence[str]) -> Sequence[float]:
        return [float(s) for s in self._model.predict([(query, t) for t in texts], show_progress_bar=False)]


class Retriever:
    """Search over the chunks of one index.

    Build one with ``Retriever.load(index_dir)``; ``search(query, k)`` returns ``Hit``s,
    best first.
    """

    def __init__(self, stored: store.StoredIndex, embedder: Embedder, index_dir: Path,
                 reranker: Reranker | None = None, rerank_depth: int = 20) -> None:
        self._stored = stored
        self._embedder = embedder
        self.index_dir = index_dir
        self.reranker = reranker
        self.rerank_depth = rerank_depth
        self.vocabulary = Vocabulary((f"{c.title} {c.section} {c.text}" for c in stored.chunks),
                                     _dictionary(stored.manifest["model"]["name"]))
        self._opens_section, self._section_cue = _section_features(stored.chunks)
        self._headings = _FieldTerms([c.section for c in stored.chunks])
        self._titles = _FieldTerms([c.title for c in stored.chunks])
        codes = stored.sentences.codes  # cosine similarity ignores each row's scale
        self._sentence_norms = np.maximum(np.sqrt(np.einsum("ij,ij->i", codes, codes, dtype=np.float32)), 1e-12)

    @classmethod
    def load(cls, index_dir: str | Path = "index", *, model: str | None = None, embedder: Embedder | None = None,
             backend: str | None = None, reranker: Reranker | str | None = None) -> "Retriever":
        """Open ``index_dir``, checking its files and that the model matches the one that built it.

        ``model`` (a name or path) or ``embedder`` must name the index's model if given; by
        default the index's own model is loaded, on the index's backend unless ``backend``
        names another that makes the same vectors.  ``reranker`` (off by default): a cross-encoder
        folder or any object with ``rerank(query, texts)``, applied to the best 20 candidates.
        """
        index_dir = Path(index_dir)
        stored = store.load_index(index_dir)
        built_with = stored.manifest["model"]["name"]
        asked = embedder.name if embedder else model
        if asked and not same_model(asked, built_with):
            raise IndexMismatchError(
                f"Index at '{index_dir}/' was built with model {built_with!r}, but {asked!r} was asked for. "
                f"Use --model {built_with!r}, or rebuild: python -m chatbot build --index {index_dir} --model {asked!r}"
            )
        built_on = stored.manifest["model"].get("backend", "torch")
        if not (embedder or backend) and vector_kind(built_on) != vector_kind(DEFAULT_BACKEND):
            backend = built_on  # an int8 index is searched with int8 query vectors
        backend = backend_of(embedder) if embedder else backend or DEFAULT_BACKEND
        if vector_kind(backend) != vector_kind(built_on):
            raise IndexMismatchError(
                f"Index at '{index_dir}/' holds {vector_kind(built_on)} vectors (backend {built_on}); backend {backend} "
                f"makes {vector_kind(backend)} ones. Use --backend {built_on}, or rebuild: "
                f"python -m chatbot build --index {index_dir} --backend {backend}"
            )
        embedder = embedder or load_embedder(built_with, backend=None if backend == DEFAULT_BACKEND else backend)
        if embedder.dimension != stored.faiss_index.d:
            raise IndexMismatchError(
                f"Model {embedder.name!r} makes {embedder.dimension}-dimensional vectors but the index at "
                f"'{index_dir}/' holds {stored.faiss_index.d}-dimensional ones. {store.rebuild_hint(index_dir)}"
            )
        if isinstance(reranker, str):
            reranker = CrossEncoderReranker(reranker)
        return cls(stored, embedder, index_dir, reranker)

    @property
    def manifest(self) -> dict:
        return self._stored.manifest

    @property
    def chunks(self) -> list[Chunk]:
        """The indexed chunks; row i of the vectors is chunk i."""
        return self._stored.chunks

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def __len__(self) -> int:
        return len(self._stored.chunks)

    @property
    def sentences(self) -> store.SentenceTable:
        """The stored sentences of every chunk, with their vectors."""
        return self._stored.sentences

    def search(self, query: str, k: int = 5, *, mode: str = "hybrid", expand: bool = True) -> list[Hit]:
        """The ``k`` best chunks for ``query``, best first (fewer if the index is smaller).

        ``expand=False`` searches the query as given (for callers that expanded it already).
        """
        query = _check_query(query)
        k = _check_k(k)
        if mode not in MODES:
            raise InvalidQueryError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not len(self):
            return []
        if mode == "lexical":
            scores = self._stored.lexical.scores(query)
            rows = np.argsort(-scores, kind="stable")[:k]
            return [self._hit(int(r), float(scores[r])) for r in rows]
        if mode == "hybrid" and expand:
            return self.search_question(understand(query, self.vocabulary), k)
        vector = self._embedder.embed([query])
        if mode == "dense":
            scores, rows = self._stored.faiss_index.search(np.ascontiguousarray(vector, dtype=np.float32), min(k, len(self)))
            return [self._hit(int(r), float(s), float(s)) for s, r in zip(scores[0], rows[0]) if r >= 0]
        return self._hybrid(query, vector, k)

    def search_question(self, question: Question, k: int = 5, *, vector: np.ndarray | None = None) -> list[Hit]:
        """Hybrid search for a question ``understand`` has already read (with its history, say)."""
        query = _check_query(question.search_query[:MAX_QUERY_CHARS])
        k = _check_k(k)
        if not len(self):
            return []
        vector = self._embedder.embed([query]) if vector is None else np.atleast_2d(vector)
        return self._hybrid(query, vector, k, question.intent)

    def _hybrid(self, query: str, vector: np.ndarray, k: int, intent: str = "other") -> list[Hit]:
        n = len(self)
        depth = min(n, max(CANDIDATES, k))
        lexical = self._stored.lexical.scores(query)
        if depth < n:
            _, dense_rows = self._stored.faiss_index.search(np.ascontiguousarray(vector, dtype=np.float32), depth)
            lexical_rows = np.argpartition(-lexical, depth - 1)[:depth]
            rows = np.unique(np.concatenate([dense_rows[0][dense_rows[0] >= 0], lexical_rows]))
        else:  # a small index: every chunk is a candidate
            rows = np.arange(n)
        # Unit vectors: the inner product is the cosine similarity.
        similarity = self._stored.vectors(rows) @ vector[0]
        top_lexical = float(lexical[rows].max()) or 1.0
        w = WEIGHTS
        fused = (w["dense"] * _scaled(similarity) + w["lexical"] * lexical[rows] / top_lexical
                 + w["section_opening"] * self._opens_section[rows])
        if intent in self._section_cue:
            fused += w["section_cue"] * self._section_cue[intent][rows]
        if w["heading_words"] or w["title_fit"]:
            terms = _name_terms(query)
            topic = terms - _QUESTION_TERMS
            fused += w["heading_words"] * self._headings.score(rows, lambda h: len(terms & h) / len(h))
            fused += w["title_fit"] * self._titles.score(rows, lambda t: len(topic & t) / len(topic | t))
        # Sentences are compared for the best candidates only: the rest cannot reach the top.
        best = np.argsort(-fused, kind="stable")[:SENTENCE_CANDIDATES]
        fused[best] += w["sentence"] * _scaled(self._best_sentence(rows[best], vector[0]))
        order = np.argsort(-fused, kind="stable")
        hits: list[Hit] = []
        seen_texts: set[str] = set()
        wanted = max(k, self.rerank_depth) if self.reranker else k
        for i in order:
            chunk = self._stored.chunks[rows[i]]
            if chunk.text in seen_texts:
                continue  # the same text again (a page repeated in a source) would crowd out others
            seen_texts.add(chunk.text)
            hits.append(self._hit(int(rows[i]), float(fused[i]), float(similarity[i])))
            if len(hits) >= wanted:
                break
        if self.reranker:
            scores = self.reranker.rerank(query, [h.text for h in hits])
            hits = [h for _, h in sorted(zip(scores, hits), key=lambda pair: -pair[0])]
        return hits[:k]

    def _best_sentence(self, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """For each chunk row, the highest cosine similarity of one of its sentences with ``vector``."""
        table = self._stored.sentences
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

    def _hit(self, row: int, score: float, similarity: float = 0.0) -> Hit:
        c = self._stored.chunks[row]
        return Hit(c.article_id, c.title, c.url, c.section, c.text, c.start, c.end, score, similarity)


def _scaled(values: np.ndarray) -> np.ndarray:
    """``values`` mapped onto 0..1 (min to max); all zeros if they are all equal."""
    low, span = float(values.min()), float(values.max() - values.min())
    return (values - low) / span if span else np.zeros_like(values)


def _section_features(chunks: Sequence[Chunk]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per chunk: whether it opens its section, and per kind of question whether its heading fits."""
    opens = np.zeros(len(chunks), dtype=np.float32)
    first: dict[tuple[str, int], int] = {}
    for row, chunk in enumerate(chunks):
        key = (chunk.article_id, chunk.section_start)
        if key not in first or chunk.start < chunks[first[key]].start:
            first[key] = row
    opens[list(first.values())] = 1.0
    cues = {}
    for intent, pattern in INTENT_CUES.items():
        compiled = re.compile(pattern, re.I)
        fits = {heading: bool(heading and compiled.search(heading)) for heading in {c.section for c in chunks}}
        cues[intent] = np.array([fits[c.section] for c in chunks], dtype=np.float32)
    return opens, cues


def _name_terms(text: str) -> frozenset[str]:
    """Stems of the words of a title or heading, numbers kept ("type 2" is not "type 1")."""
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS)


_QUESTION_TERMS = frozenset(stem(w) for w in INTENT_WORDS)


class _FieldTerms:
    """The words of one short field (title or heading) of every chunk, each distinct value once."""

    def __init__(self, values: list[str]) -> None:
        ids: dict[str, int] = {}
        self._ids = np.array([ids.setdefault(v, len(ids)) for v in values], dtype=np.int64)
        self._terms = [_name_terms(v) for v in ids]

    def score(self, rows: np.ndarray, fit: Callable[[frozenset[str]], float]) -> np.ndarray:
        """``fit(terms)`` for the field of each row (0 where the field has no words), computed once per value."""
        ids = self._ids[rows]
        if len(self._terms) <= len(rows):  # few distinct values (a small index): score them all
            return np.array([fit(t) if t else 0.0 for t in self._terms], dtype=np.float32)[ids]
        distinct, inverse = np.unique(ids, return_inverse=True)
        values = np.array([fit(self._terms[i]) if self._terms[i] else 0.0 for i in distinct], dtype=np.float32)
        return values[inverse]


def _dictionary(model_name: str) -> list[str]:
    """Ordinary English words (the default model's word-piece vocabulary), never spell-corrected."""
    if model_name != DEFAULT_MODEL:
        return []
    try:
        vocab = (bundled_model_dir() / "vocab.txt").read_text(encoding="utf-8").split()
    except (OSError, ChatbotError):
        return []
    return [w for w in vocab if w.isalpha()]


def _check_query(query: str) -> str:
    if not isinstance(query, str) or not query.strip():
        raise InvalidQueryError("The query is empty. Type a question, e.g. 'can back pain cause shaky hands?'")
    query = " ".join(query.split())
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQueryError(f"The query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS:,}. Shorten it.")
    return query


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidQueryError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}")
    return k
