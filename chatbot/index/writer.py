"""Write a new index folder batch by batch, holding one batch in memory.

``IndexWriter.add`` appends a batch's chunk records to ``chunks.jsonl`` and its vectors and
sentence arrays to raw part files (``.parts/``); ``finish`` turns the parts into
``vectors.faiss`` and ``sentences.npz`` a block at a time and builds BM25 from the chunks as
stored, then deletes the parts.  ``store`` adds the manifest and swaps the folder in.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from chatbot.errors import IndexFormatError
from chatbot.index.arrays import RawFile, write_npz
from chatbot.index.lexical import FOLDER as LEXICAL, write_lexical
from chatbot.index.sentences import SentenceTable
from chatbot.index.vector_file import write_vector_file
from chatbot.types import Chunk

FORMAT_VERSION = 6
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
CHUNKS = "chunks.jsonl"
SENTENCES = "sentences.npz"
_PARTS = ".parts"


def read_chunks(path: Path) -> Iterator[Chunk]:
    """The chunk records of a ``chunks.jsonl``, one at a time (row order)."""
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            try:
                yield Chunk(**json.loads(line))
            except (json.JSONDecodeError, TypeError) as exc:
                raise IndexFormatError(f"{path} line {number} is not a chunk record ({exc})") from None


class IndexWriter:
    """Rows (chunk, vector, sentences) appended in order to a new index folder."""

    def __init__(self, folder: Path, dimension: int) -> None:
        self.folder, self.dimension = folder, dimension
        parts = folder / _PARTS
        parts.mkdir(parents=True)
        self._chunks = (folder / CHUNKS).open("w", encoding="utf-8")
        self._vectors = RawFile(parts / "vectors", np.float32, (dimension,))
        self._sentences = {
            "spans": RawFile(parts / "spans", np.int32, (2,)),
            "tokens": RawFile(parts / "tokens", np.int32),
            "codes": RawFile(parts / "codes", np.int8, (dimension,)),
            "scales": RawFile(parts / "scales", np.float32),
        }
        self._sizes = RawFile(parts / "sizes", np.int64)  # sentences per chunk
        self._articles = (parts / "articles.jsonl").open("w", encoding="utf-8")  # the manifest's records
        self.article_count = 0

    @property
    def rows(self) -> int:
        return self._vectors.rows

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, sentences: SentenceTable) -> None:
        """Append rows: ``vectors[i]`` and ``sentences`` chunk i belong to ``chunks[i]``."""
        if not len(chunks) == len(vectors) == len(sentences.offsets) - 1:
            raise ValueError(f"{len(vectors)} vectors and sentences of {len(sentences.offsets) - 1} chunks "
                             f"for {len(chunks)} chunks")
        if len(chunks) and (vectors.shape[1] != self.dimension or sentences.dimension != self.dimension):
            raise ValueError(f"vectors of dimension {vectors.shape[1]} for an index of dimension {self.dimension}")
        for chunk in chunks:
            self._chunks.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
        self._vectors.append(vectors)
        for name, raw in self._sentences.items():
            raw.append(getattr(sentences, name))
        self._sizes.append(np.diff(sentences.offsets))

    def add_article(self, article_id: str, record: dict[str, Any]) -> None:
        """The manifest's record of an article, kept on disk until the manifest is written."""
        self._articles.write(json.dumps([article_id, record], ensure_ascii=False) + "\n")
        self.article_count += 1

    def articles(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The records given to ``add_article``, in order; call after ``finish``."""
        with (self.folder / _PARTS / "articles.jsonl").open(encoding="utf-8") as f:
            for line in f:
                article_id, record = json.loads(line)
                yield article_id, record

    def finish(self, **vector_options: Any) -> dict[str, Any]:
        """Write the files that need every row; returns the vector index's description.  The parts stay
        until ``close`` (the manifest is written from the articles' records)."""
        self._chunks.close()
        self._articles.close()
        for raw in (self._vectors, self._sizes, *self._sentences.values()):
            raw.close()
        description = write_vector_file(self._vectors, self.dimension, self.folder / VECTORS, **vector_options)
        self._write_sentences()
        write_lexical(read_chunks(self.folder / CHUNKS), self.folder / LEXICAL)
        return description

    def close(self) -> None:
        """Delete the part files."""
        shutil.rmtree(self.folder / _PARTS, ignore_errors=True)

    def _write_sentences(self) -> None:
        members: dict[str, Any] = {"offsets": (np.int64, (self.rows + 1,), self._offsets())}
        for name, raw in self._sentences.items():
            members[name] = (raw.dtype, (raw.rows, *raw.row_shape), raw.blocks())
        write_npz(self.folder / SENTENCES, members)

    def _offsets(self) -> Iterator[np.ndarray]:
        total = 0
        yield np.zeros(1, dtype=np.int64)
        for sizes in self._sizes.blocks():
            ends = total + np.cumsum(sizes)
            total = int(ends[-1])
            yield ends
