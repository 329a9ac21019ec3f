"""The streaming build: written a batch at a time, the same index whatever the batch size, and the
files that need every row (vectors.faiss, sentences.npz, bm25/) written block by block, equal to
what the libraries would write with everything in memory."""

from __future__ import annotations

import json
import math
import random
from collections import Counter

import numpy as np
import pytest

from chatbot.index import arrays, embed as embed_module, lexical, store
from chatbot.index.arrays import RawFile, npz_arrays, write_npz
from chatbot.index.build import build_index
from chatbot.index.plan import plan_build
from chatbot.index.vector_file import write_vector_file
from chatbot.index.vectors import build_vector_index
from chatbot.ingest.chunking import chunk_article
from chatbot.ingest.corpus import load_corpus
from chatbot.search.retriever import Retriever
from chatbot.settings import ChunkSettings
from conftest import article, write_corpus
from fakes import HashingEmbedder

WORDS = ("knee pain swelling fever cough sleep water bone joint stiffness rest exercise doctor blood sugar "
         "headache nausea rash itching breath chest heart diet salt stroke weakness numbness").split()


def many_articles(count: int, seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    files = {}
    for number in range(count):
        sections = [(f"Part {s}", ". ".join(" ".join(rng.choices(WORDS, k=rng.randint(6, 14))).capitalize()
                                             for _ in range(rng.randint(2, 9))) + ".")
                    for s in range(rng.randint(1, 4))]
        files[f"topic-{number:03d}.md"] = article(f"Topic {number} {rng.choice(WORDS)}", *sections)
    return files


def index_files(folder) -> dict[str, bytes]:
    """Every data file of an index (the manifest differs by build id and time)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != store.MANIFEST}


@pytest.fixture
def corpus(tmp_path):
    return write_corpus(tmp_path / "corpus", many_articles(40))


def test_the_batch_size_does_not_change_the_index(corpus, tmp_path, monkeypatch):
    build_index(corpus, tmp_path / "one-batch", embedder=HashingEmbedder())
    monkeypatch.setattr(embed_module, "BATCH_CHUNKS", 3)
    monkeypatch.setattr(arrays, "BLOCK_BYTES", 512)      # copies in many small blocks
    monkeypatch.setattr(lexical, "ENTRIES_PER_PASS", 50)  # BM25 in many passes,
    monkeypatch.setattr(lexical, "CHUNKS_PER_READ", 4)    # each reading a few chunks at a time
    embedder = HashingEmbedder()
    build_index(corpus, tmp_path / "batches", embedder=embedder)
    assert index_files(tmp_path / "batches") == index_files(tmp_path / "one-batch")
    # Each model call gets one batch: about BATCH_CHUNKS chunks (one article's chunks may overshoot it).
    most_per_article = max(store.read_manifest(tmp_path / "batches")["articles"][a]["chunks"]
                           for a in store.read_manifest(tmp_path / "batches")["articles"])
    assert len(embedder.calls) > 10 and max(embedder.calls) <= 3 + most_per_article - 1


def test_an_incremental_build_in_batches_equals_a_full_build(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(embed_module, "BATCH_CHUNKS", 5)
    build_index(corpus, tmp_path / "index", embedder=HashingEmbedder())
    (corpus / "topic-007.md").unlink()
    write_corpus(corpus, {"topic-020.md": article("Changed", ("Now", "Rest and water for a sore knee.")),
                          "topic-100.md": article("New", ("Added", "Fever and cough for three days."))})
    embedder = HashingEmbedder()
    report = build_index(corpus, tmp_path / "index", embedder=embedder)
    assert report.added == ("topic-100",) and report.changed == ("topic-020",) and report.removed == ("topic-007",)
    assert embedder.embedded == report.chunks_embedded == 2
    build_index(corpus, tmp_path / "fresh", embedder=HashingEmbedder())
    assert index_files(tmp_path / "index") == index_files(tmp_path / "fresh")


def test_the_plan_holds_only_an_id_and_a_path_per_article(corpus, tmp_path):
    plan = plan_build(corpus, tmp_path / "index", embedder=HashingEmbedder())
    assert [(a.article_id, a.path) for a in plan.articles] == [(a.article_id, a.path) for a in load_corpus(corpus).articles]
    assert all(not hasattr(a, "__dict__") and len(a.__slots__) == 2 for a in plan.articles)
    expected = sum(len(chunk_article(a, ChunkSettings())) for a in load_corpus(corpus).articles)
    assert plan.chunks_to_embed == expected > 40


def test_a_format_5_index_is_rewritten_without_embedding(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index, embedder=HashingEmbedder())
    vectors_before = (index / store.VECTORS).read_bytes()
    manifest = json.loads((index / store.MANIFEST).read_text())
    (index / store.MANIFEST).write_text(json.dumps({**manifest, "format_version": 5}))
    with pytest.raises(Exception, match="format 5"):
        store.load_index(index)  # serving needs the new format ...
    embedder = HashingEmbedder()
    report = build_index(corpus, index, embedder=embedder)  # ... and a build upgrades it, embedding nothing
    assert "format 5" in report.reason and not report.full_rebuild and embedder.embedded == 0
    assert store.read_manifest(index)["format_version"] == store.FORMAT_VERSION
    assert (index / store.VECTORS).read_bytes() == vectors_before
    assert Retriever.load(index, embedder=HashingEmbedder()).search("knee pain", k=1)


def unit_rows(n: int, dimension: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, dimension)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.mark.parametrize("n, approximate_above", [(0, 10), (57, 100), (3_000, 100), (900, 100)])
def test_vector_file_has_the_bytes_faiss_writes(tmp_path, monkeypatch, n, approximate_above):
    import faiss

    monkeypatch.setattr(arrays, "BLOCK_BYTES", 4096)
    rows = unit_rows(n, 16, seed=n)
    raw = RawFile(tmp_path / "raw", np.float32, (16,))
    for start in range(0, n, 250):
        raw.append(rows[start:start + 250])
    raw.close()
    description = write_vector_file(raw, 16, tmp_path / "v.faiss", approximate_above=approximate_above, nprobe=4)
    expected = build_vector_index(rows, 16, approximate_above=approximate_above, nprobe=4)
    assert (tmp_path / "v.faiss").read_bytes() == bytes(faiss.serialize_index(expected))
    assert description["type"] == ("ivf-flat" if n > approximate_above else "flat")
    if n:
        read = faiss.read_index(str(tmp_path / "v.faiss"))
        np.testing.assert_array_equal(read.reconstruct_n(0, n), rows)


def reference_bm25(token_lists: list[list[str]], query: list[str]) -> np.ndarray:
    """Lucene's BM25 written out directly, one chunk at a time."""
    n = len(token_lists)
    mean = sum(map(len, token_lists)) / n
    df = Counter(t for tokens in token_lists for t in set(tokens))
    scores = np.zeros(n)
    for row, tokens in enumerate(token_lists):
        tf = Counter(tokens)
        for t in query:
            if tf[t]:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                scores[row] += idf * tf[t] / (tf[t] + 1.5 * (1 - 0.75 + 0.75 * len(tokens) / mean))
    return scores


@pytest.mark.parametrize("entries_per_pass, chunks_per_read", [(10_000_000, 10_000), (7, 3)])
def test_bm25_scores_are_lucenes(corpus, tmp_path, monkeypatch, entries_per_pass, chunks_per_read):
    monkeypatch.setattr(lexical, "ENTRIES_PER_PASS", entries_per_pass)
    monkeypatch.setattr(lexical, "CHUNKS_PER_READ", chunks_per_read)
    chunks = [c for a in load_corpus(corpus).articles for c in chunk_article(a, ChunkSettings())]
    assert lexical.write_lexical(iter(chunks), tmp_path / "bm25") == len(chunks)
    index = lexical.LexicalIndex.load(tmp_path / "bm25")
    token_lists = [lexical.chunk_tokens(c) for c in chunks]
    for query in ("knee pain and swelling", "fever fever cough", "chest", "unknownword", ""):
        expected = reference_bm25(token_lists, [t for t in lexical.lexical_tokens(query) if t != "__empty__"])
        np.testing.assert_allclose(index.scores(query), expected, rtol=1e-5, atol=1e-6)


def test_npz_written_in_blocks_reads_with_numpy_and_by_position(tmp_path, monkeypatch):
    monkeypatch.setattr(arrays, "BLOCK_BYTES", 64)
    codes = np.arange(300 * 4, dtype=np.int8).reshape(300, 4)
    raw = RawFile(tmp_path / "codes", np.int8, (4,))
    raw.append(codes[:100])
    raw.append(codes[100:])
    raw.close()
    write_npz(tmp_path / "a.npz", {"codes": (np.int8, (300, 4), raw.blocks()),
                                   "offsets": (np.int64, (3,), [np.array([0, 5]), np.array([9])])})
    with np.load(tmp_path / "a.npz") as data:
        np.testing.assert_array_equal(data["codes"], codes)
        np.testing.assert_array_equal(data["offsets"], [0, 5, 9])
    located = npz_arrays(tmp_path / "a.npz")
    np.testing.assert_array_equal(located["codes"].read(17, 42), codes[17:42])
    np.testing.assert_array_equal(located["offsets"].read(1, 3), [5, 9])


@pytest.mark.parametrize("records", [{}, {"a": {"title": "Ünïcode \"quoted\"", "chunks": 3, "empty": {}},
                                     "b/c": {"title": "B", "url": "", "chunks": 0}}])
def test_the_manifest_is_streamed_as_json_dump_would_write_it(tmp_path, records):
    manifest = {"format": "chatbot-index", "model": {"name": "m", "dimension": 8}, "counts": {"articles": 2}}
    store._write_manifest(tmp_path / "m.json", manifest, iter(records.items()))
    expected = json.dumps({**manifest, "articles": records}, indent=2, ensure_ascii=False) + "\n"
    assert (tmp_path / "m.json").read_text(encoding="utf-8") == expected


def test_unchanged_articles_keep_their_records_with_the_path_they_have_now(corpus, tmp_path):
    build_index(corpus, tmp_path / "index", embedder=HashingEmbedder())
    moved = tmp_path / "moved"
    corpus.rename(moved)
    write_corpus(moved, {"topic-020.md": article("Changed", ("Now", "Rest and water for a sore knee."))})
    embedder = HashingEmbedder()
    report = build_index(moved, tmp_path / "index", embedder=embedder)
    assert embedder.embedded == 1 and len(report.unchanged) == 39
    fresh = build_index(moved, tmp_path / "fresh", embedder=HashingEmbedder())
    assert fresh.chunks_total == report.chunks_total
    assert (store.read_manifest(tmp_path / "index")["articles"] == store.read_manifest(tmp_path / "fresh")["articles"])
    assert all(r["path"].startswith(str(moved)) for r in store.read_manifest(tmp_path / "index")["articles"].values())
