"""The sentences of every chunk with their vectors, stored so that answering embeds only the question."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# One chunk's sentences: spans (start, end) into the chunk's text, token counts, mean token vectors.
ChunkSentences = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass
class SentenceTable:
    """The sentences of every chunk, with vectors computed at build time so that answering
    a question embeds only the question.

    Row range ``offsets[i]:offsets[i + 1]`` holds chunk i's sentences: ``spans`` (start, end)
    into the chunk's text, ``tokens`` (how many of the model's tokens each spans) and their
    mean token vectors, stored as int8 ``codes`` times a per-row ``scales`` (a quarter of the
    float32 size; cosine similarity changes by about 0.001).  The vector of sentences a..b
    together is the token-weighted mean of theirs.
    """

    offsets: np.ndarray
    spans: np.ndarray
    tokens: np.ndarray
    codes: np.ndarray
    scales: np.ndarray

    @classmethod
    def from_chunks(cls, per_chunk: list[ChunkSentences], dimension: int) -> "SentenceTable":
        sizes = [len(spans) for spans, _, _ in per_chunk]
        offsets = np.zeros(len(per_chunk) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        if not per_chunk or not offsets[-1]:
            return cls(offsets, np.zeros((0, 2), np.int32), np.zeros(0, np.int32), np.zeros((0, dimension), np.int8),
                       np.zeros(0, np.float32))
        vectors = np.concatenate([np.asarray(v, dtype=np.float32).reshape(-1, dimension) for _, _, v in per_chunk])
        scales = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
        codes = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
        return cls(offsets,
                   np.concatenate([np.asarray(s, dtype=np.int32).reshape(-1, 2) for s, _, _ in per_chunk]),
                   np.concatenate([np.asarray(t, dtype=np.int32) for _, t, _ in per_chunk]),
                   codes, scales.astype(np.float32))

    def of_chunk(self, row: int) -> ChunkSentences:
        """Chunk ``row``'s sentence spans, token counts and (float32) vectors."""
        a, b = self.offsets[row], self.offsets[row + 1]
        return (self.spans[a:b], self.tokens[a:b],
                self.codes[a:b].astype(np.float32) * self.scales[a:b, None])

    def take(self, rows: np.ndarray) -> "SentenceTable":
        """The table of chunks ``rows`` only, in that order (codes copied as they are)."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, sizes = self.offsets[rows], self.offsets[rows + 1] - self.offsets[rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        picked = np.arange(int(offsets[-1])) + np.repeat(starts - offsets[:-1], sizes)
        return SentenceTable(offsets, self.spans[picked], self.tokens[picked], self.codes[picked], self.scales[picked])

    @classmethod
    def concat(cls, tables: list["SentenceTable"], dimension: int) -> "SentenceTable":
        """One table of the given tables' chunks, one after the other."""
        if not tables:
            return cls.from_chunks([], dimension)
        sizes = np.concatenate([np.diff(t.offsets) for t in tables])
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        return cls(offsets, *(np.concatenate([getattr(t, name) for t in tables]) for name in ("spans", "tokens", "codes", "scales")))

    @property
    def dimension(self) -> int:
        return self.codes.shape[1]

    @classmethod
    def load(cls, path: Path, *, mmap: bool = False) -> "SentenceTable":
        """The table in ``path``; with ``mmap`` its arrays are memory-mapped (read-only, shared between processes)."""
        if mmap:
            from chatbot.index.arrays import npz_arrays

            arrays = npz_arrays(path)
            table = cls(*(arrays[name].map() for name in ("offsets", "spans", "tokens", "codes", "scales")))
        else:
            with np.load(path, allow_pickle=False) as data:
                table = cls(data["offsets"], data["spans"], data["tokens"], data["codes"], data["scales"])
        if table.codes.dtype != np.int8 or not len(table.codes) == len(table.scales) == len(table.spans) == table.offsets[-1]:
            raise ValueError("sentence arrays of unexpected type or length")
        return table
