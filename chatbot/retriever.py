"""``Retriever``: load an index folder and search it."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from . import store
from .embedding import Embedder, load_embedder, same_model
from .errors import IndexMismatchError, InvalidQueryError
from .types import Chunk, Hit

log = logging.getLogger(__name__)

MAX_K = 100
MAX_QUERY_CHARS = 2000


class Retriever:
    """Semantic search over the chunks of one index.

    Build one with ``Retriever.load(index_dir)``; ``search(query, k)`` returns ``Hit``s,
    best first.
    """

    def __init__(self, stored: store.StoredIndex, embedder: Embedder, index_dir: Path) -> None:
        self._stored = stored
        self._embedder = embedder
        self.index_dir = index_dir

    @classmethod
    def load(cls, index_dir: str | Path = "index", *, model: str | None = None, embedder: Embedder | None = None) -> "Retriever":
        """Open ``index_dir``, checking its files and that the model matches the one that built it.

        ``model`` (a name or path) or ``embedder`` must name the index's model if given;
        by default the index's own model is loaded.
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
        embedder = embedder or load_embedder(built_with)
        if embedder.dimension != stored.faiss_index.d:
            raise IndexMismatchError(
                f"Model {embedder.name!r} makes {embedder.dimension}-dimensional vectors but the index at "
                f"'{index_dir}/' holds {stored.faiss_index.d}-dimensional ones. {store.rebuild_hint(index_dir)}"
            )
        return cls(stored, embedder, index_dir)

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

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The ``k`` chunks most similar to ``query``, best first (fewer if the index is smaller)."""
        query = _check_query(query)
        k = _check_k(k)
        vector = self._embedder.embed([query])
        return self._hits(vector, k)

    def _hits(self, vector: np.ndarray, k: int) -> list[Hit]:
        k = min(k, len(self))
        if k == 0:
            return []
        scores, rows = self._stored.faiss_index.search(np.ascontiguousarray(vector, dtype=np.float32), k)
        hits = []
        for score, row in zip(scores[0], rows[0]):
            if row < 0:
                continue
            c = self._stored.chunks[row]
            hits.append(Hit(c.article_id, c.title, c.url, c.section, c.text, c.start, c.end, float(score)))
        return hits


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
