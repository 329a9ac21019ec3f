"""The approximate FAISS index of large indexes against exact search, on synthetic vectors.

    python benchmarks/bench_ann.py [--n 1000000] [--queries 1000] [--seeds INDEX | --mixture]

Vectors: the real chunk vectors of a MedQuAD index (by default the largest that
bench_build.py or bench_retrieval.py left in benchmarks/.cache), each copied many times with
Gaussian noise of a random strength (cosine 0.55 to 0.9 with the original) and made unit
length, so the set keeps the lopsided shape of real embeddings; queries are the medquad-dev
questions, embedded, plus further noisy copies.  `--mixture` uses a mixture of 2,000 Gaussian
clusters instead (no index needed; much easier for an approximate index).  Builds the index that `build` would make
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
from common import CACHE, SHARED

from chatbot.index.vectors import APPROXIMATE_ABOVE, NPROBE, build_vector_index, describe

DIMENSION = 384


def mixture(n: int, rng: np.random.Generator, centres: np.ndarray, spreads: np.ndarray) -> np.ndarray:
    out = np.empty((n, DIMENSION), dtype=np.float32)
    for start in range(0, n, 100_000):  # in blocks, to keep the float64 temporaries small
        size = min(100_000, n - start)
        which = rng.integers(len(centres), size=size)
        block = centres[which] + spreads[which, None] * rng.standard_normal((size, DIMENSION), dtype=np.float32)
        out[start : start + size] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def noisy_copies(seeds: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty((n, DIMENSION), dtype=np.float32)
    for start in range(0, n, 100_000):
        size = min(100_000, n - start)
        strength = rng.uniform(0.02, 0.06, size=size).astype(np.float32)  # cosine ~0.9 to ~0.55
        block = seeds[rng.integers(len(seeds), size=size)] + strength[:, None] * rng.standard_normal((size, DIMENSION), dtype=np.float32)
        out[start : start + size] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def real_vectors(index_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The stored chunk vectors of an index, and its dev questions' embeddings."""
    from chatbot.embedding import load_embedder
    from chatbot.evaluation import load_questions
    from chatbot.index.store import load_index

    stored = load_index(index_dir)
    questions = [q["question"] for q in load_questions(SHARED / "eval" / "medquad-dev.jsonl")]
    return stored.vectors(), load_embedder().embed(questions)


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
    parser.add_argument("--seeds", type=Path, help="index whose vectors seed the set (default: the largest in benchmarks/.cache)")
    parser.add_argument("--mixture", action="store_true", help="a Gaussian mixture instead of copies of real vectors")
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    started = time.perf_counter()
    if args.mixture:
        centres = rng.standard_normal((2_000, DIMENSION), dtype=np.float32)
        spreads = rng.uniform(0.3, 1.2, size=2_000).astype(np.float32)
        vectors = mixture(args.n, rng, centres, spreads)
        queries = mixture(args.queries, rng, centres, spreads)
        source = "a mixture of 2,000 Gaussian clusters"
    else:
        candidates = [CACHE / "build-6154" / "index", CACHE / "medquad-1500" / "index"]
        seeds_dir = args.seeds or next((c for c in candidates if (c / "manifest.json").is_file()), None)
        if seeds_dir is None:
            raise SystemExit("error: no MedQuAD index in benchmarks/.cache; run benchmarks/bench_retrieval.py first, or pass --mixture")
        seeds, questions = real_vectors(seeds_dir)
        vectors = noisy_copies(seeds, args.n, rng)
        queries = np.vstack([questions, noisy_copies(seeds, max(0, args.queries - len(questions)), rng)])
        source = f"noisy copies of the {len(seeds):,} chunk vectors of {seeds_dir}"
    print(f"{args.n:,} vectors ({source}), {len(queries):,} queries, {DIMENSION} dimensions "
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
