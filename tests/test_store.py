from __future__ import annotations

import json

import numpy as np
import pytest

from chatbot.index import store
from chatbot.index.sentences import SentenceTable
from chatbot.errors import IndexFormatError, IndexNotFoundError
from chatbot.types import Chunk


def sample(n: int = 3, dim: int = 8):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = [Chunk(f"a{i}", f"Title {i}", "", "Sec", f"text {i} é", 0, 8, 0) for i in range(n)]
    manifest = {"model": {"name": "m", "dimension": dim, "backend": "onnx"}, "chunking": {}, "articles": {f"a{i}": {} for i in range(n)}}
    sentences = SentenceTable.from_chunks(
        [(np.array([[0, 4], [5, 8]]), np.array([1, 2]), vectors[i][None].repeat(2, axis=0)) for i in range(n)], dim)
    return manifest, vectors, chunks, sentences


def test_round_trip(tmp_path):
    manifest, vectors, chunks, sentences = sample()
    written = store.write_index(tmp_path / "idx", manifest, vectors, chunks, sentences)
    loaded = store.load_index(tmp_path / "idx")
    assert loaded.chunks == chunks
    np.testing.assert_allclose(loaded.vectors(), vectors, rtol=1e-6)
    spans, tokens, sentence_vectors = loaded.sentences.of_chunk(2)
    assert spans.tolist() == [[0, 4], [5, 8]] and tokens.tolist() == [1, 2]
    np.testing.assert_allclose(sentence_vectors[1], vectors[2], atol=0.01)  # stored as int8 with a scale per row
    assert loaded.manifest == written
    assert written["counts"] == {"articles": 3, "chunks": 3}
    assert written["format_version"] == store.FORMAT_VERSION
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == ["bm25", "chunks.jsonl", "manifest.json", "sentences.npz", "vectors.faiss"]
    assert "bm25/params.json" in written["files"] and loaded.lexical.size == 3
    assert not list(tmp_path.glob(".idx.tmp-*"))


def test_rewrite_replaces_the_whole_folder(tmp_path):
    store.write_index(tmp_path / "idx", *sample(3))
    store.write_index(tmp_path / "idx", *sample(5))
    assert len(store.load_index(tmp_path / "idx").chunks) == 5


def test_swap_without_atomic_exchange(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "_exchange", lambda a, b: False)
    store.write_index(tmp_path / "idx", *sample(2))
    store.write_index(tmp_path / "idx", *sample(4))
    assert len(store.load_index(tmp_path / "idx").chunks) == 4
    assert not (tmp_path / ".idx.old").exists()


def test_crash_between_fallback_renames_restores_old_index(tmp_path):
    store.write_index(tmp_path / "idx", *sample(2))
    (tmp_path / "idx").rename(tmp_path / ".idx.old")  # as if killed right after the first rename
    assert len(store.load_index(tmp_path / "idx").chunks) == 2


def test_missing_index_names_the_build_command(tmp_path):
    with pytest.raises(IndexNotFoundError, match=r"No index at .*folder missing.*python -m chatbot build"):
        store.load_index(tmp_path / "idx")
    (tmp_path / "idx").mkdir()
    with pytest.raises(IndexNotFoundError, match="manifest.json missing"):
        store.load_index(tmp_path / "idx")


@pytest.fixture
def built(tmp_path):
    store.write_index(tmp_path / "idx", *sample())
    return tmp_path / "idx"


def test_unreadable_manifest(built):
    (built / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexFormatError, match="manifest.json is unreadable.*python -m chatbot build"):
        store.load_index(built)


def test_other_format_version(built):
    manifest = json.loads((built / "manifest.json").read_text())
    manifest["format_version"] = 999
    (built / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexFormatError, match=f"format 999.*reads format {store.FORMAT_VERSION}"):
        store.load_index(built)


@pytest.mark.parametrize("key", ["model", "articles", "chunking"])
def test_manifest_without_its_records_is_a_format_error(built, key):
    manifest = json.loads((built / "manifest.json").read_text())
    del manifest[key]
    (built / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexFormatError, match="lacks the model, chunking or article records.*python -m chatbot build"):
        store.load_index(built)


@pytest.mark.parametrize("name", ["vectors.faiss", "chunks.jsonl", "sentences.npz", "bm25/params.json"])
def test_missing_data_file(built, name):
    (built / name).unlink()
    with pytest.raises(IndexFormatError, match=f"{name} is missing"):
        store.load_index(built)


@pytest.mark.parametrize("name", ["vectors.faiss", "chunks.jsonl", "sentences.npz", "bm25/vocab.json", "bm25/weights.npy"])
def test_damaged_data_file_is_caught_by_checksum(built, name):
    data = (built / name).read_bytes()
    (built / name).write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexFormatError, match=f"{name} does not match its checksum"):
        store.load_index(built)


def test_counts_that_disagree_are_refused(built):
    manifest = json.loads((built / "manifest.json").read_text())
    manifest["counts"]["chunks"] = 7
    (built / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexFormatError, match="inconsistent: manifest says 7 chunks"):
        store.load_index(built)


def test_build_lock_leftovers_are_removed(tmp_path):
    store.write_index(tmp_path / "idx", *sample())
    (tmp_path / ".idx.tmp-dead").mkdir()
    with store.build_lock(tmp_path / "idx"):
        store.remove_leftovers(tmp_path / "idx")
    assert not (tmp_path / ".idx.tmp-dead").exists()
    assert (tmp_path / "idx" / "manifest.json").exists()


def test_sentence_tables_can_be_cut_by_chunk_and_joined_again():
    rng = np.random.default_rng(1)
    per_chunk = [(np.array([[0, 3], [4, 9]][:n]), np.arange(1, n + 1), rng.normal(size=(n, 4))) for n in (2, 0, 1, 2)]
    table = SentenceTable.from_chunks(per_chunk, 4)
    parts = [table.take(np.array([3, 0])), table.take(np.array([], dtype=np.int64)), table.take(np.array([1, 2]))]
    joined = SentenceTable.concat(parts, 4)
    for new_row, old_row in enumerate([3, 0, 1, 2]):
        for got, want in zip(joined.of_chunk(new_row), table.of_chunk(old_row)):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(table.of_chunk(3)[2], per_chunk[3][2], atol=0.02)
