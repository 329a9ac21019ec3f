"""``Retriever``: load an index folder and search it.

The shipped search is hybrid: the query is expanded (lay terms -> clinical words, misspellings
corrected against the corpus), then each candidate chunk (the best by embedding and the best
by BM25) gets a weighted sum of its features (``search.features``; the weights are
``SearchSettings``): dense and BM25 scores, the similarity of its best sentence (stored
sentence vectors), and small bonuses for opening its section and for a section heading that
fits the kind of question.  Exact duplicates of a better-ranked chunk are dropped so one text
cannot fill the results.  ``mode="dense"`` and ``mode="lexical"`` search one way only, on the
raw query (the baselines of benchmarks/bench_retrieval.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from chatbot.embedding import DEFAULT_BACKEND, DEFAULT_MODEL, Embedder, bundled_model_dir, load_embedder, same_model, vector_kind
from chatbot.embedding.rerank import CrossEncoderReranker, Reranker
from chatbot.errors import ChatbotError, IndexMismatchError, InvalidQueryError
from chatbot.index import store
from chatbot.index.sentences import SentenceTable
from chatbot.search.features import ChunkFeatures, fuse, scaled
from chatbot.search.names import ArticleNames, Focus, name_key
from chatbot.search.query import Question, understand
from chatbot.search.ranker import ranking_weights
from chatbot.search.spelling import Vocabulary
from chatbot.settings import MAX_K, MAX_QUESTION_CHARS, SEARCH_MODES, SearchSettings
from chatbot.text import TOKENIZER_VERSION, stem
from chatbot.types import Chunk, Hit

class Retriever:
    """Search over the chunks of one index.

    Build one with ``Retriever.load(index_dir)``; ``search(query, k)`` returns ``Hit``s,
    best first.
    """

    def __init__(self, stored: store.StoredIndex, embedder: Embedder, index_dir: Path,
                 reranker: Reranker | None = None, settings: SearchSettings | None = None) -> None:
        self._stored = stored
        self._embedder = embedder
        self.index_dir = index_dir
        self.reranker = reranker
        self.settings = settings or SearchSettings()
        dictionary = _dictionary(stored.manifest["model"]["name"])
        self.vocabulary = Vocabulary((f"{c.title} {c.section} {c.text}" for c in stored.chunks), dictionary)
        self.names = ArticleNames(stored.chunks, dictionary)
        self._features = ChunkFeatures(stored.chunks, stored.sentences, self.vocabulary.idf)
        self.weights = ranking_weights(self.settings)

    @classmethod
    def load(cls, index_dir: str | Path = "index", *, model: str | None = None, embedder: Embedder | None = None,
             backend: str | None = None, reranker: Reranker | str | None = None,
             settings: SearchSettings | None = None) -> "Retriever":
        """Open ``index_dir``, checking its files and that the model matches the one that built it.

        ``model`` (a name or path) or ``embedder`` must name the index's model if given; by
        default the index's own model is loaded, on the index's backend unless ``backend``
        names another that makes the same vectors.  ``reranker`` (off by default): a cross-encoder
        folder or any object with ``rerank(query, texts)``, applied to the best
        ``settings.rerank_depth`` candidates.
        """
        index_dir = Path(index_dir)
        stored = store.load_index(index_dir)
        if store.tokenizer_version(stored.manifest) != TOKENIZER_VERSION:
            raise IndexMismatchError(
                f"Index at '{index_dir}/' holds BM25 tokens of tokenizer version {store.tokenizer_version(stored.manifest)}; "
                f"this version makes version {TOKENIZER_VERSION}. {store.rebuild_hint(index_dir)}"
            )
        built_with = stored.manifest["model"]["name"]
        asked = embedder.name if embedder else model
        if asked and not same_model(asked, built_with):
            raise IndexMismatchError(
                f"Index at '{index_dir}/' was built with model {built_with!r}, but {asked!r} was asked for. "
                f"Use --model {built_with!r}, or rebuild: python -m chatbot build --index {index_dir} --model {asked!r}"
            )
        built_on = stored.manifest["model"]["backend"]
        if not (embedder or backend) and vector_kind(built_on) != vector_kind(DEFAULT_BACKEND):
            backend = built_on  # an int8 index is searched with int8 query vectors
        backend = embedder.backend if embedder else backend or DEFAULT_BACKEND
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
        return cls(stored, embedder, index_dir, reranker, settings)

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
    def sentences(self) -> SentenceTable:
        """The stored sentences of every chunk, with their vectors."""
        return self._stored.sentences

    def search(self, query: str, k: int = 5, *, mode: str = "hybrid") -> list[Hit]:
        """The ``k`` best chunks for ``query``, best first (fewer if the index is smaller)."""
        query = _check_query(query)
        k = _check_k(k)
        if mode not in SEARCH_MODES:
            raise InvalidQueryError(f"mode must be one of {', '.join(SEARCH_MODES)}, got {mode!r}")
        if not len(self):
            return []
        if mode == "hybrid":
            return self.search_question(understand(query, self.vocabulary, names=self.names), k)
        if mode == "lexical":
            scores = self._stored.lexical.scores(query)
            rows = np.argsort(-scores, kind="stable")[:k]
            return [self._hit(int(r), float(scores[r])) for r in rows]
        vector = np.ascontiguousarray(self._embedder.embed([query]), dtype=np.float32)
        scores, rows = self._stored.faiss_index.search(vector, min(k, len(self)))
        return [self._hit(int(r), float(s), float(s)) for s, r in zip(scores[0], rows[0]) if r >= 0]

    def search_question(self, question: Question, k: int = 5, *, vector: np.ndarray | None = None) -> list[Hit]:
        """Hybrid search for a question ``understand`` has already read (with its history, say)."""
        query = _check_query(question.search_query[:MAX_QUESTION_CHARS])
        k = _check_k(k)
        if not len(self):
            return []
        vector = self._embedder.embed([query]) if vector is None else np.atleast_2d(vector)
        return self._hybrid(query, vector, k, question.intent, question.foci)

    def best_sentence_similarity(self, hits: Sequence[Hit], vector: np.ndarray) -> float:
        """The highest cosine similarity of one stored sentence of the hits' chunks with ``vector`` (0 if none)."""
        rows = np.array([h.row for h in hits if h.row >= 0], dtype=np.int64)
        return float(self._features.best_sentence(rows, np.atleast_2d(vector)[0]).max()) if len(rows) else 0.0

    def candidate_features(self, question: Question, vector: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The candidate rows for ``question`` and every feature of each, the sentence feature too
        (what benchmarks/fit_ranker.py fits the ranker on)."""
        query = _check_query(question.search_query[:MAX_QUESTION_CHARS])
        rows, _, features = self._first_stage(query, np.atleast_2d(vector), question.intent, question.foci,
                                              self.settings.candidates)
        features["sentence"] = scaled(self._features.best_sentence(rows, np.atleast_2d(vector)[0]))
        return rows, features

    def _first_stage(self, query: str, vector: np.ndarray, intent: str, foci: tuple[Focus, ...],
                     depth: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """The candidate rows, their cosine similarities with the query and their first-stage features."""
        lexical = self._stored.lexical.scores(query)
        # the hand-set weights ignore the foci: the fixed search stays the baseline it was
        named = self._named_articles(foci) if "named" in self.weights else {}
        rows = self._candidates(vector, lexical, depth, named)
        similarity = self._stored.vectors(rows) @ vector[0]  # unit vectors: the inner product is the cosine
        return rows, similarity, self._features.first_stage(rows, similarity, lexical[rows], query, intent, named)

    def _hybrid(self, query: str, vector: np.ndarray, k: int, intent: str = "other", foci: tuple[Focus, ...] = ()) -> list[Hit]:
        s, weights = self.settings, self.weights
        rows, similarity, features = self._first_stage(query, vector, intent, foci, max(s.candidates, k))
        fused = fuse(features, weights)
        # Sentences are compared for the best candidates only: the rest cannot reach the top.
        best = np.argsort(-fused, kind="stable")[: s.sentence_candidates]
        fused[best] += weights.get("sentence", 0.0) * scaled(self._features.best_sentence(rows[best], vector[0]))
        hits = self._distinct_hits(rows, fused, similarity, max(k, s.rerank_depth) if self.reranker else k)
        if self.reranker:
            scores = self.reranker.rerank(query, [h.text for h in hits])
            hits = [h for _, h in sorted(zip(scores, hits), key=lambda pair: -pair[0])]
        return hits[:k]

    def specificity(self, focus: Focus) -> float:
        """How much a name says (0..1): the mean idf of its words over the highest idf."""
        key = name_key(focus.abbreviation or focus.text)
        top = self.vocabulary.idf("") or 1.0
        return min(1.0, sum(self.vocabulary.idf(stem(w)) for w in key) / (len(key) * top)) if key else 0.0

    def _named_articles(self, foci: tuple[Focus, ...]) -> dict[str, float]:
        """The articles the foci name, each with its most specific name's specificity (0..1): the mean idf
        of the name's words over the highest idf, so "Wilson disease" counts more than "Treatment"."""
        named: dict[str, float] = {}
        for focus in foci:
            specificity = self.specificity(focus)
            for article in focus.articles:
                named[article] = max(named.get(article, 0.0), specificity)
        return named

    def _candidates(self, vector: np.ndarray, lexical: np.ndarray, depth: int, named: dict[str, float]) -> np.ndarray:
        """Rows of the best chunks by embedding, the best by BM25 and those of the articles the message
        names, most specific name first (every row of a small index)."""
        n = len(self)
        if depth >= n:
            return np.arange(n)
        _, dense_rows = self._stored.faiss_index.search(np.ascontiguousarray(vector, dtype=np.float32), depth)
        lexical_rows = np.argpartition(-lexical, depth - 1)[:depth]
        by_specificity = sorted(named, key=lambda a: -named[a])
        named_rows = self._features.rows_of(by_specificity, self.settings.named_candidates)
        return np.unique(np.concatenate([dense_rows[0][dense_rows[0] >= 0], lexical_rows, named_rows]))

    def _distinct_hits(self, rows: np.ndarray, fused: np.ndarray, similarity: np.ndarray, wanted: int) -> list[Hit]:
        """The best ``wanted`` candidates by fused score, each text once."""
        hits: list[Hit] = []
        seen_texts: set[str] = set()
        for i in np.argsort(-fused, kind="stable"):
            chunk = self._stored.chunks[rows[i]]
            if chunk.text in seen_texts:
                continue  # the same text again (a page repeated in a source) would crowd out others
            seen_texts.add(chunk.text)
            hits.append(self._hit(int(rows[i]), float(fused[i]), float(similarity[i])))
            if len(hits) >= wanted:
                break
        return hits

    def _hit(self, row: int, score: float, similarity: float = 0.0) -> Hit:
        return Hit.of(self._stored.chunks[row], row=row, score=score, similarity=similarity)


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
    if len(query) > MAX_QUESTION_CHARS:
        raise InvalidQueryError(f"The query is {len(query):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. Shorten it.")
    return query


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidQueryError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}")
    return k
