"""The FAISS index of the chunk vectors: exact up to a size, approximate (IVF) above it.

Exact inner-product search over every vector costs time in proportion to the index size,
which is nothing for the articles of a clinic (a few ms at 100,000 chunks) but too slow for
millions.  Above ``APPROXIMATE_ABOVE`` vectors the index is an inverted file: the vectors
are grouped around ``4·√n`` k-means centroids and a query scans the ``NPROBE`` groups
nearest to it.  The settings were chosen with benchmarks/bench_ann.py (recall@10 against
exact search on 1,000,000 vectors: see README, "Performance").
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

APPROXIMATE_ABOVE = 200_000
NPROBE = 32
TRAINING_POINTS_PER_CENTROID = 40


def build_vector_index(vectors: np.ndarray, dimension: int, *, approximate_above: int = APPROXIMATE_ABOVE,
                       nprobe: int = NPROBE) -> Any:
    """A FAISS index holding ``vectors`` (unit length, so inner product is cosine), row i as id i."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    if n <= approximate_above:
        index = faiss.IndexFlatIP(dimension)
    else:
        nlist = max(1, min(int(4 * math.sqrt(n)), n // TRAINING_POINTS_PER_CENTROID))
        quantizer = faiss.IndexFlatIP(dimension)
        index = faiss.IndexIVFFlat(quantizer, dimension, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(n, size=min(n, nlist * TRAINING_POINTS_PER_CENTROID), replace=False)
        index.train(vectors[np.sort(sample)])
        index.nprobe = nprobe
    if n:
        index.add(vectors)
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()  # so stored vectors can be read back by row
    return index


def describe(index: Any) -> dict[str, Any]:
    """What kind of index this is, for the manifest and `info`."""
    import faiss

    if isinstance(index, faiss.IndexIVF):
        return {"type": "ivf-flat", "exact": False, "nlist": int(index.nlist), "nprobe": int(index.nprobe)}
    return {"type": "flat", "exact": True}
