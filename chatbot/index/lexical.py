"""BM25 over the indexed chunks (bm25s), stored in the index folder beside the vectors.

The tokens of a chunk are the stemmed content words of its title, section heading and text,
the same words the dense model sees.  BM25's statistics (document frequencies, average
length) depend on every chunk, so each build recomputes them from the stored chunk texts;
that takes well under a second for 10,000 chunks and embeds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from chatbot.text import lexical_tokens as _tokens
from chatbot.types import Chunk

FOLDER = "bm25"  # inside the index folder; bm25s writes json and npy files there (no pickle)
_EMPTY = "__empty__"  # bm25s needs at least one token per document and per query


def lexical_tokens(text: str) -> list[str]:
    """Stemmed, lower-cased content words: what BM25 matches on (``text.TOKENIZER_VERSION`` names the recipe)."""
    return _tokens(text, _EMPTY)


def chunk_tokens(chunk: Chunk) -> list[str]:
    return lexical_tokens(f"{chunk.title} {chunk.section} {chunk.text}")


class LexicalIndex:
    """BM25 scores of a query against every chunk."""

    def __init__(self, model) -> None:
        self._model = model
        scores = getattr(model, "scores", None)
        self.size = int(scores["num_docs"]) if isinstance(scores, dict) else 0
        self._vocab = getattr(model, "vocab_dict", None) or {}

    @classmethod
    def build(cls, chunks: Sequence[Chunk]) -> "LexicalIndex":
        import bm25s

        model = bm25s.BM25()
        if chunks:
            model.index([chunk_tokens(c) for c in chunks], show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import bm25s

        return cls(bm25s.BM25.load(str(folder), mmap=False, load_corpus=False))

    def scores(self, query: str) -> np.ndarray:
        """One BM25 score per chunk (row order), zero where no query word occurs."""
        tokens = [t for t in lexical_tokens(query) if t in self._vocab]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens), dtype=np.float32)

