"""The approximate FAISS index of large indexes against exact search, on synthetic vectors.

    python benchmarks/bench_ann.py [--n 1000000] [--queries 1000]

Vectors: a mixture of 2,000 Gaussian clusters in 384 dimensions with spreads from tight to
loose (so neighbourhoods have mixed density, as topics in a corpus do), made unit length;
queries are fresh points from the same mixture.  Builds the index that `build` would make
for that many vectors (chatbot.vector_index) and an exact one, then prints recall@10 of the
approximate search against exact search for several nprobe values (the shipped one
marked), single-query p50 latency of both, build time and memory per vector.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ROOT  # noqa: F401  (puts the project on sys.path)

from chatbot.vector_index import APPROXIMATE_ABOVE, NPROBE, build_vector_index, describe

DIMENSION = 384


def mixture(n: int, rng: np.random.Generator, centres: np.ndarray, spreads: np.ndarray) -> np.ndarray:
    out = np.empty((n, DIMENSION), dtype=np.float32)
    for start in range(0, n, 100_000):  # in blocks, to keep the float64 temporaries small
        size = min(100_000, n - start)
        which = rng.integers(len(centres), size=size)
        block = centres[which] + spreads[which, None] * rng.standard_normal((size, DIMENSION), dtype=np.float32)
        out[start : start + size] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def p50_ms(index, queries: np.ndarray) -> float:
    times = []
    for q in queries:
        started = time.perf_counter()
        index.search(q[None], 10)
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def recall_at_10(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)]))


def stored_bytes(index) -> int:
    import faiss

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index.faiss"
        faiss.write_index(index, str(path))
        return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000)
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    centres = rng.standard_normal((2_000, DIMENSION), dtype=np.float32)
    spreads = rng.uniform(0.3, 1.2, size=2_000).astype(np.float32)
    started = time.perf_counter()
    vectors = mixture(args.n, rng, centres, spreads)
    queries = mixture(args.queries, rng, centres, spreads)
    print(f"{args.n:,} vectors, {args.queries:,} queries, {DIMENSION} dimensions "
          f"(made in {time.perf_counter() - started:.0f} s); approximate above {APPROXIMATE_ABOVE:,}")

    started = time.perf_counter()
    exact = build_vector_index(vectors, DIMENSION, approximate_above=args.n)
    exact_build = time.perf_counter() - started
    _, truth = exact.search(queries, 10)
    started = time.perf_counter()
    shipped = build_vector_index(vectors, DIMENSION)
    shipped_build = time.perf_counter() - started
    print(f"  exact:   flat,  built in {exact_build:5.1f} s, {stored_bytes(exact) / args.n:6.0f} bytes/vector, "
          f"p50 {p50_ms(exact, queries[:200]):6.2f} ms")
    info = describe(shipped)
    print(f"  shipped: {info},  built in {shipped_build:5.1f} s, {stored_bytes(shipped) / args.n:6.0f} bytes/vector")
    if info["exact"]:
        return
    for nprobe in (4, 8, 16, 32, 64, 128):
        shipped.nprobe = nprobe
        _, found = shipped.search(queries, 10)
        mark = "  <- shipped" if nprobe == NPROBE else ""
        print(f"    nprobe {nprobe:4d}: recall@10 {recall_at_10(found, truth):.4f}   p50 {p50_ms(shipped, queries[:200]):6.2f} ms{mark}")


if __name__ == "__main__":
    main()
