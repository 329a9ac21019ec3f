"""A deterministic fake embedder: hashed bag of words, fast and with no model to load."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Sequence

import numpy as np


class HashingEmbedder:
    """Each word adds 1 to a hashed coordinate; rows are L2-normalised.

    Texts sharing words get similar vectors, which is enough to test ranking plumbing.
    ``delay`` seconds per text slows builds down for crash tests.
    """

    def __init__(self, dimension: int = 256, name: str = "test/hashing-bow", delay: float = 0.0) -> None:
        self.name = name
        self.dimension = dimension
        self.backend = "torch"  # its vectors stand in for float32 ones
        self.delay = delay
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.calls.append(len(texts))
        return self._vectors(texts)

    def embed_spans(self, texts: Sequence[str], spans, *, progress: bool = False):
        """Like a real model's one pass: each span's vector from its own words, counted as tokens."""
        vectors = self.embed(texts)
        pooled = []
        for text, text_spans in zip(texts, spans):
            pieces = [text[a:b] for a, b in text_spans]
            counts = np.array([max(1, len(re.findall(r"\w+", piece))) for piece in pieces], dtype=np.int32)
            pooled.append((self._vectors(pieces), counts))
        return vectors, pooled

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            if self.delay:
                time.sleep(self.delay)
            for word in re.findall(r"\w+", text.lower()):
                slot = int.from_bytes(hashlib.md5(word.encode()).digest()[:4], "little") % self.dimension
                vectors[row, slot] += 1.0
            norm = np.linalg.norm(vectors[row])
            if norm:
                vectors[row] /= norm
            else:
                vectors[row, 0] = 1.0
        return vectors

    @property
    def embedded(self) -> int:
        """How many texts this embedder has embedded so far."""
        return sum(self.calls)
