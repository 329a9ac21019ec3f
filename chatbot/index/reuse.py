"""Read back the stored rows of unchanged articles, one article at a time, for an incremental build.

Nothing of the old index is loaded whole: one pass over its ``chunks.jsonl`` finds where
each article's rows are (an article's rows are consecutive), and an article's vectors and
sentences are then read by position: from ``vectors.faiss`` directly for a flat index, by
reconstruction from a memory-mapped one for IVF, and from ``sentences.npz``'s members.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from chatbot.index.arrays import StoredArray, npz_arrays
from chatbot.index.sentences import SentenceTable
from chatbot.index.vector_file import FLAT_DATA_OFFSET
from chatbot.index.writer import CHUNKS, SENTENCES, VECTORS
from chatbot.types import Chunk

log = logging.getLogger(__name__)

Rows = tuple[list[Chunk], np.ndarray, SentenceTable]


class StoredRows:
    """The rows of an existing index, by article."""

    def __init__(self, index_dir: Path, manifest: dict[str, Any], wanted: set[str]) -> None:
        self.dimension = int(manifest["model"]["dimension"])
        self._chunks = index_dir / CHUNKS
        self._where = _article_rows(self._chunks, wanted)  # article -> (first row, rows, byte offset)
        self._sentences = npz_arrays(index_dir / SENTENCES)
        self._vectors = _vector_reader(index_dir / VECTORS, manifest, self.dimension)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._where

    def rows(self, article_id: str) -> Rows:
        first, count, offset = self._where[article_id]
        with self._chunks.open("rb") as f:
            f.seek(offset)
            chunks = [Chunk(**json.loads(f.readline())) for _ in range(count)]
        if any(c.article_id != article_id for c in chunks):
            raise ValueError(f"{self._chunks} changed while it was read")
        return chunks, self._vectors(first, first + count), _sentence_rows(self._sentences, first, count)


def _article_rows(path: Path, wanted: set[str]) -> dict[str, tuple[int, int, int]]:
    where: dict[str, tuple[int, int, int]] = {}
    offset = 0
    with path.open("rb") as f:
        for row, line in enumerate(f):
            article_id = json.loads(line)["article_id"]
            if article_id in wanted:
                first, count, start = where.get(article_id, (row, 0, offset))
                if first + count != row:
                    raise ValueError(f"{path}: the rows of {article_id!r} are not consecutive")
                where[article_id] = (first, count + 1, start)
            offset += len(line)
    return where


def _vector_reader(path: Path, manifest: dict[str, Any], dimension: int):
    """A function of (start, stop) giving the stored vectors of those rows."""
    import faiss

    if manifest.get("vector_index", {}).get("type", "flat") == "flat":
        rows = manifest["counts"]["chunks"]
        if path.stat().st_size != FLAT_DATA_OFFSET + rows * dimension * 4:
            raise ValueError(f"{path} is not a flat index of {rows} vectors")
        stored = StoredArray(path, FLAT_DATA_OFFSET, np.dtype(np.float32), (rows, dimension))
        return stored.read
    index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    return lambda start, stop: index.reconstruct_n(start, stop - start)


def _sentence_rows(arrays: dict[str, StoredArray], first: int, count: int) -> SentenceTable:
    offsets = arrays["offsets"].read(first, first + count + 1)
    a, b = int(offsets[0]), int(offsets[-1])
    return SentenceTable(offsets - a, *(arrays[name].read(a, b) for name in ("spans", "tokens", "codes", "scales")))
