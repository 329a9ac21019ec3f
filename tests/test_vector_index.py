"""Exact FAISS search for small indexes, an inverted file (IVF) above the size threshold."""

from __future__ import annotations

import numpy as np
from fakes import HashingEmbedder

from chatbot.index import store

from chatbot.index import vectors as vector_index
from chatbot.index.build import build_index
from chatbot.search.retriever import Retriever
from chatbot.index.vectors import build_vector_index, describe


def clustered(n: int, dimension: int = 32, clusters: int = 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dimension))
    points = centres[rng.integers(clusters, size=n)] + 0.3 * rng.normal(size=(n, dimension))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def test_small_indexes_are_exact():
    index = build_vector_index(clustered(50), 32, approximate_above=100)
    assert describe(index) == {"type": "flat", "exact": True}


def test_large_indexes_are_approximate_and_find_nearly_all_true_neighbours():
    vectors, queries = clustered(5_000), clustered(100, seed=1)
    approximate = build_vector_index(vectors, 32, approximate_above=1_000, nprobe=8)
    exact = build_vector_index(vectors, 32)
    assert describe(approximate) == {"type": "ivf-flat", "exact": False, "nlist": 125, "nprobe": 8}
    _, found = approximate.search(queries, 10)
    _, truth = exact.search(queries, 10)
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)])
    assert recall >= 0.9
    rows = np.array([3, 4_999, 0])
    np.testing.assert_array_equal(approximate.reconstruct_batch(rows), vectors[rows])


def test_an_approximate_index_is_written_read_and_searched(tiny_corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(vector_index, "APPROXIMATE_ABOVE", 2)
    monkeypatch.setattr(vector_index, "NPROBE", 4)
    build_index(tiny_corpus, tmp_path / "index", embedder=HashingEmbedder())
    manifest = store.read_manifest(tmp_path / "index")
    assert manifest["vector_index"]["type"] == "ivf-flat"
    hits = Retriever.load(tmp_path / "index", embedder=HashingEmbedder()).search("knee pain surgery", k=3)
    assert hits[0].article_id == "knees"


def test_an_incremental_build_reuses_the_rows_of_an_approximate_index(tiny_corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(vector_index, "APPROXIMATE_ABOVE", 2)
    monkeypatch.setattr(vector_index, "NPROBE", 4)
    build_index(tiny_corpus, tmp_path / "index", embedder=HashingEmbedder())
    before = store.load_index(tmp_path / "index")
    kept = {c.article_id for c in before.chunks} - {"sleep"}
    rows = [i for i, c in enumerate(before.chunks) if c.article_id in kept]
    old_vectors = before.vectors(np.array(rows))
    (tiny_corpus / "sleep.md").write_text("# Sleep\n\nNaps help some people.\n", encoding="utf-8")
    embedder = HashingEmbedder()
    report = build_index(tiny_corpus, tmp_path / "index", embedder=embedder)
    assert report.changed == ("sleep",) and embedder.embedded == report.chunks_embedded == 1
    after = store.load_index(tmp_path / "index")
    assert after.manifest["vector_index"]["type"] == "ivf-flat"
    new_rows = [i for i, c in enumerate(after.chunks) if c.article_id in kept]
    np.testing.assert_array_equal(after.vectors(np.array(new_rows)), old_vectors)  # read back from the mapped IVF
