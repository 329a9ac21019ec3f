from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from chatbot.index import store
from chatbot.settings import ChunkSettings
from chatbot.errors import CorpusError, IndexFormatError, IndexMismatchError
from chatbot.index.build import build_index
from chatbot.search.retriever import Retriever
from conftest import ROOT, TESTS, TINY_CORPUS, article, write_corpus
from fakes import HashingEmbedder


def build(corpus, index, embedder, **kw):
    return build_index(corpus, index, embedder=embedder, **kw)


def search_ids(index, embedder, query, k=10):
    return [h.article_id for h in Retriever.load(index, embedder=embedder).search(query, k=k)]


def test_first_build_embeds_everything(tiny_corpus, tmp_path, fake_embedder):
    report = build(tiny_corpus, tmp_path / "index", fake_embedder)
    assert sorted(report.added) == ["hydration", "knees", "sleep"]
    assert report.full_rebuild and report.reason == "new index"
    assert report.chunks_embedded == report.chunks_total == fake_embedder.embedded > 0
    manifest = store.read_manifest(tmp_path / "index")
    assert manifest["model"] == {"name": fake_embedder.name, "dimension": fake_embedder.dimension, "backend": "torch"}
    assert set(manifest["articles"]) == {"hydration", "knees", "sleep"}
    assert manifest["created_at"].endswith("+00:00")


def test_second_build_embeds_nothing_and_writes_nothing(tiny_corpus, tmp_path, fake_embedder):
    build(tiny_corpus, tmp_path / "index", fake_embedder)
    before = (tmp_path / "index" / "manifest.json").read_bytes()
    again = HashingEmbedder()
    report = build(tiny_corpus, tmp_path / "index", again)
    assert report.is_noop and report.chunks_embedded == 0 and again.embedded == 0
    assert len(report.unchanged) == 3
    assert (tmp_path / "index" / "manifest.json").read_bytes() == before


def test_added_article_embeds_only_its_chunks(tiny_corpus, tmp_path, fake_embedder):
    build(tiny_corpus, tmp_path / "index", fake_embedder)
    write_corpus(tiny_corpus, {"flu.md": article("Influenza", ("Overview", "Flu brings fever, aches and a cough."))})
    counter = HashingEmbedder()
    report = build(tiny_corpus, tmp_path / "index", counter)
    assert report.added == ("flu",) and not report.changed and not report.full_rebuild
    assert report.chunks_embedded == counter.embedded == 1
    assert search_ids(tmp_path / "index", counter, "flu fever cough")[0] == "flu"


def test_changed_article_is_reembedded_alone(tiny_corpus, tmp_path, fake_embedder):
    build(tiny_corpus, tmp_path / "index", fake_embedder)
    write_corpus(tiny_corpus, {"knees.txt": "Knee pain\n\nCauses\n\nKnee pain can come from gout crystals in the joint.\n"})
    counter = HashingEmbedder()
    report = build(tiny_corpus, tmp_path / "index", counter)
    assert report.changed == ("knees",) and len(report.unchanged) == 2
    assert report.chunks_embedded == counter.embedded == 1
    hits = Retriever.load(tmp_path / "index", embedder=counter).search("gout crystals", k=1)
    assert hits[0].article_id == "knees" and "gout" in hits[0].text


def test_deleted_article_disappears_from_results(tiny_corpus, tmp_path, fake_embedder):
    build(tiny_corpus, tmp_path / "index", fake_embedder)
    assert "knees" in search_ids(tmp_path / "index", fake_embedder, "knee pain meniscus")
    (tiny_corpus / "knees.txt").unlink()
    report = build(tiny_corpus, tmp_path / "index", fake_embedder)
    assert report.removed == ("knees",) and report.chunks_embedded == 0
    assert "knees" not in search_ids(tmp_path / "index", fake_embedder, "knee pain meniscus")
    assert store.read_manifest(tmp_path / "index")["counts"]["articles"] == 2


def test_unchanged_vectors_are_reused_exactly(tiny_corpus, tmp_path, fake_embedder):
    build(tiny_corpus, tmp_path / "index", fake_embedder)
    before = store.load_index(tmp_path / "index")
    write_corpus(tiny_corpus, {"a-first.md": article("Aaa", ("X", "Alpha beta gamma."))})
    build(tiny_corpus, tmp_path / "index", HashingEmbedder())
    after = store.load_index(tmp_path / "index")
    old = {c: v.tobytes() for c, v in zip(before.chunks, before.vectors())}
    new = {c: v.tobytes() for c, v in zip(after.chunks, after.vectors())}
    assert all(new[c] == v for c, v in old.items())


def test_model_change_means_full_rebuild(tiny_corpus, tmp_path, fake_embedder):
    build(tiny_corpus, tmp_path / "index", fake_embedder)
    other = HashingEmbedder(dimension=128, name="test/other")
    report = build(tiny_corpus, tmp_path / "index", other)
    assert report.full_rebuild and "model changed from test/hashing-bow to test/other" in report.reason
    assert report.chunks_embedded == report.chunks_total
    assert store.read_manifest(tmp_path / "index")["model"]["dimension"] == 128


def test_chunking_change_means_full_rebuild(tiny_corpus, tmp_path, fake_embedder):
    build(tiny_corpus, tmp_path / "index", fake_embedder)
    report = build(tiny_corpus, tmp_path / "index", HashingEmbedder(), settings=ChunkSettings(chunk_size=60, overlap=0))
    assert report.full_rebuild and "chunking settings changed" in report.reason
    # settings are remembered: the next plain build is a no-op
    assert build(tiny_corpus, tmp_path / "index", HashingEmbedder()).is_noop


def test_dry_run_reports_and_touches_nothing(tiny_corpus, tmp_path, fake_embedder):
    report = build(tiny_corpus, tmp_path / "index", fake_embedder, dry_run=True)
    assert report.dry_run and len(report.added) == 3 and report.chunks_embedded > 0
    assert not (tmp_path / "index").exists() and fake_embedder.embedded == 0
    build(tiny_corpus, tmp_path / "index", fake_embedder)
    (tiny_corpus / "sleep.md").unlink()
    before = (tmp_path / "index" / "manifest.json").read_bytes()
    report = build(tiny_corpus, tmp_path / "index", fake_embedder, dry_run=True)
    assert report.removed == ("sleep",)
    assert (tmp_path / "index" / "manifest.json").read_bytes() == before


def test_damaged_index_is_rebuilt_and_says_why(tiny_corpus, tmp_path, fake_embedder):
    build(tiny_corpus, tmp_path / "index", fake_embedder)
    (tmp_path / "index" / "manifest.json").write_text("garbage")
    report = build(tiny_corpus, tmp_path / "index", HashingEmbedder())
    assert report.full_rebuild and "unusable" in report.reason
    assert Retriever.load(tmp_path / "index", embedder=fake_embedder)


def test_damaged_vectors_are_reembedded(tiny_corpus, tmp_path, fake_embedder):
    build(tiny_corpus, tmp_path / "index", fake_embedder)
    (tmp_path / "index" / "vectors.faiss").write_bytes(b"junk")
    write_corpus(tiny_corpus, {"new.md": "# New\n\nBrand new text."})
    counter = HashingEmbedder()
    report = build(tiny_corpus, tmp_path / "index", counter)
    assert counter.embedded == report.chunks_total  # nothing could be reused
    assert len(store.load_index(tmp_path / "index").chunks) == report.chunks_total


def test_corpus_without_articles_is_an_error(tmp_path, fake_embedder):
    corpus = write_corpus(tmp_path / "c", {"x.pdf": b"%PDF"})
    with pytest.raises(CorpusError, match="No readable article"):
        build(corpus, tmp_path / "index", fake_embedder)


CRASH_SCRIPT = """
import os, shutil, signal, sys
sys.path[:0] = [{tests!r}, {root!r}]
from fakes import HashingEmbedder
import chatbot.index.store as store
import chatbot.index.writer as writer
from chatbot.index.build import build_index

KILL_AT = int(sys.argv[1])
steps = [0]

def step(fn):
    # Count every call (before and after it runs); kill this process at step KILL_AT.
    def wrapped(*args, **kwargs):
        for _ in range(2):
            steps[0] += 1
            if steps[0] == KILL_AT:
                os.kill(os.getpid(), signal.SIGKILL)
            if _ == 0:
                result = fn(*args, **kwargs)
        return result
    return wrapped

embedder = HashingEmbedder()
embedder.embed = step(embedder.embed)
for name in ("fsync", "fsync_dir", "_exchange", "_swap_in", "file_sha256", "remove_leftovers"):
    setattr(store, name, step(getattr(store, name)))
for name in ("write_vector_file", "write_npz", "write_lexical"):
    setattr(writer, name, step(getattr(writer, name)))
writer.IndexWriter.add = step(writer.IndexWriter.add)
os.rename = step(os.rename)
shutil.rmtree = step(shutil.rmtree)
build_index({corpus!r}, {index!r}, embedder=embedder)
print("completed", steps[0])
"""


def consistent(index: Path) -> int:
    loaded = store.load_index(index)  # checks checksums and counts
    lines = (index / "chunks.jsonl").read_text(encoding="utf-8").count("\n")
    assert loaded.manifest["counts"]["chunks"] == loaded.faiss_index.ntotal == lines
    return loaded.manifest["counts"]["articles"]


@pytest.mark.slow
def test_build_killed_at_every_step_leaves_a_loadable_index(tmp_path):
    """SIGKILL a build at each of its file operations in turn: the index is always the old or the new one."""
    old_corpus = write_corpus(tmp_path / "old", TINY_CORPUS)
    extras = {f"extra{i}.md": article(f"Extra {i}", ("S", f"Extra text {i}. " * 30)) for i in range(6)}
    new_corpus = write_corpus(tmp_path / "new", {**TINY_CORPUS, **extras})
    index = tmp_path / "index"
    script = CRASH_SCRIPT.format(tests=str(TESTS), root=str(ROOT), corpus=str(new_corpus), index=str(index))
    killed, outcomes = 0, []
    for kill_at in range(1, 200):
        build(old_corpus, index, HashingEmbedder())  # start from the 3-article index
        proc = subprocess.run([sys.executable, "-c", script, str(kill_at)], capture_output=True, text=True)
        if proc.returncode == 0:
            assert "completed" in proc.stdout
            break
        assert proc.returncode == -signal.SIGKILL, proc.stderr
        killed += 1
        outcomes.append(consistent(index))
    assert killed >= 20, f"only {killed} kill points"
    assert set(outcomes) <= {3, 9}  # the old index or the finished new one, never a mix
    assert 3 in outcomes and 9 in outcomes  # kills landed both before and after the swap
    build(new_corpus, index, HashingEmbedder())
    assert not list(tmp_path.glob(".index.tmp-*"))  # the next build clears what killed ones left


class BrokenEmbedder(HashingEmbedder):
    def embed(self, texts, *, progress=False):
        raise RuntimeError("out of memory")


def test_failed_build_keeps_the_previous_index_and_says_why(tiny_corpus, tmp_path):
    from chatbot.errors import ModelError

    build(tiny_corpus, tmp_path / "index", HashingEmbedder())
    before = (tmp_path / "index" / "manifest.json").read_bytes()
    write_corpus(tiny_corpus, {"new.md": "# New\n\nNew text."})
    with pytest.raises(ModelError, match="Embedding failed.*out of memory.*previous index.*stays in force"):
        build(tiny_corpus, tmp_path / "index", BrokenEmbedder())
    assert (tmp_path / "index" / "manifest.json").read_bytes() == before
    assert consistent(tmp_path / "index") == 3


def test_tokenizer_change_rewrites_the_index_without_reembedding(tiny_corpus, tmp_path, fake_embedder, monkeypatch):
    import chatbot.index.build
    import chatbot.index.plan
    import chatbot.search.retriever

    build(tiny_corpus, tmp_path / "index", fake_embedder)
    for module in (chatbot.index.plan, chatbot.index.build, chatbot.search.retriever):
        monkeypatch.setattr(module, "TOKENIZER_VERSION", 2)
    with pytest.raises(IndexMismatchError, match="tokenizer version 1; this version makes version 2"):
        Retriever.load(tmp_path / "index", embedder=fake_embedder)
    embedded = fake_embedder.embedded
    report = build(tiny_corpus, tmp_path / "index", fake_embedder)
    assert report.reason == "BM25 tokenizer changed from version 1 to 2" and not report.full_rebuild
    assert fake_embedder.embedded == embedded and report.chunks_embedded == 0
    assert store.read_manifest(tmp_path / "index")["lexical"] == {"tokenizer_version": 2}
    assert search_ids(tmp_path / "index", fake_embedder, "torn meniscus")[0] == "knees"
    assert build(tiny_corpus, tmp_path / "index", fake_embedder).is_noop


@pytest.mark.parametrize("name", ["vectors.faiss", "chunks.jsonl", "sentences.npz", "bm25/vocab.json"])
@pytest.mark.parametrize("harm", ["truncate", "delete"])
def test_a_damaged_index_file_is_repaired_by_build(tiny_corpus, tmp_path, fake_embedder, name, harm):
    index = tmp_path / "index"
    first = build(tiny_corpus, index, fake_embedder)
    path = index / name
    path.write_bytes(path.read_bytes()[:10]) if harm == "truncate" else path.unlink()
    with pytest.raises(IndexFormatError):
        store.load_index(index)
    planned = build(tiny_corpus, index, fake_embedder, dry_run=True)
    assert planned.full_rebuild and "damaged" in planned.reason and name.split("/")[-1] in planned.reason
    repaired = build(tiny_corpus, index, fake_embedder)
    assert repaired.full_rebuild and repaired.chunks_total == first.chunks_total
    assert len(store.load_index(index).chunks) == first.chunks_total
    assert build(tiny_corpus, index, fake_embedder).is_noop  # and then it is up to date


def test_force_rebuilds_an_index_that_is_up_to_date(tiny_corpus, tmp_path, fake_embedder):
    index = tmp_path / "index"
    build(tiny_corpus, index, fake_embedder)
    counter = HashingEmbedder()
    report = build(tiny_corpus, index, counter, force=True)
    assert report.full_rebuild and "--force" in report.reason and counter.embedded == report.chunks_total
