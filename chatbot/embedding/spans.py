"""Pooling token vectors into vectors of character spans (a passage's sentences), shared by the backends."""

from __future__ import annotations

from typing import Sequence

import numpy as np

# For each text: one row per span, the mean of the token vectors inside that span (not
# normalised), and how many tokens that was (0 for a span past the model's token limit).
SpanVectors = tuple[np.ndarray, np.ndarray]


def pool_spans(offsets: np.ndarray, tokens: np.ndarray, spans: Sequence[tuple[int, int]]) -> SpanVectors:
    """Mean token vector of each character span, from one text's token offsets and vectors.

    A token belongs to a span when its characters lie inside it; special tokens ([CLS], [SEP],
    offsets (0, 0)) belong to none.  This is "late chunking": the sentences of a passage get
    vectors from the one pass that embeds the passage, each in the context of the others.
    """
    dimension = tokens.shape[1]
    vectors = np.zeros((len(spans), dimension), dtype=np.float32)
    counts = np.zeros(len(spans), dtype=np.int32)
    real = offsets[:, 1] > offsets[:, 0]
    for i, (start, end) in enumerate(spans):
        inside = real & (offsets[:, 0] >= start) & (offsets[:, 1] <= end)
        counts[i] = int(inside.sum())
        if counts[i]:
            vectors[i] = tokens[inside].mean(axis=0)
    return vectors, counts
