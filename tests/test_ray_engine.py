"""`build --engine ray` on a local Ray (2 CPUs): the same index as the local engine, on the seed corpus and
on a 300-article MedQuAD sample, and incremental (only new and changed articles go to the cluster)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from chatbot.index import store
from chatbot.index.build import build_index
from chatbot.search.retriever import Retriever
from conftest import ROOT, SHARED, article

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install -r requirements-ray.txt)")
pytestmark = pytest.mark.slow

MEDQUAD = SHARED / "medquad" / "articles"
QUESTIONS = ["can back pain cause shaky hands?", "what causes a tremor?", "how is diabetes treated?",
             "what are the symptoms of a stroke?", "is this condition inherited?"]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING",
             runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    yield
    ray.shutdown()


def assert_same_index(a, b, real_embedder):
    """Same chunks and articles, vectors within 1e-5, the same search results."""
    assert (a / store.CHUNKS).read_bytes() == (b / store.CHUNKS).read_bytes()
    manifest_a, manifest_b = store.read_manifest(a), store.read_manifest(b)
    assert manifest_a["articles"] == manifest_b["articles"] and manifest_a["model"] == manifest_b["model"]
    stored_a, stored_b = store.load_index(a), store.load_index(b)
    assert np.abs(stored_a.vectors() - stored_b.vectors()).max() <= 1e-5
    codes_a, codes_b = stored_a.sentences.codes.astype(int), stored_b.sentences.codes.astype(int)
    assert np.abs(codes_a - codes_b).max() <= 1  # int8 sentence codes: a rounding may differ by one step
    retriever_a, retriever_b = Retriever.load(a, embedder=real_embedder), Retriever.load(b, embedder=real_embedder)
    for question in QUESTIONS:
        hits_a, hits_b = retriever_a.search(question, k=5), retriever_b.search(question, k=5)
        assert [h.row for h in hits_a] == [h.row for h in hits_b], question


def test_ray_builds_the_seed_index_of_the_local_engine_and_embeds_only_changes(local_ray, tmp_path, real_embedder):
    corpus = shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    local, on_ray = tmp_path / "local", tmp_path / "ray"
    build_index(corpus, local, embedder=real_embedder)
    report = build_index(corpus, on_ray, engine="ray")
    assert report.chunks_embedded == report.chunks_total > 0
    assert_same_index(local, on_ray, real_embedder)

    (corpus / "zinc.md").write_text(article("Zinc", ("Overview", "Zinc deficiency slows wound healing.")), encoding="utf-8")
    again = build_index(corpus, on_ray, engine="ray")
    assert again.added == ("zinc",) and again.chunks_embedded == 1  # only the new article went to the cluster
    build_index(corpus, local, embedder=real_embedder)
    assert_same_index(local, on_ray, real_embedder)


@pytest.mark.skipif(not MEDQUAD.is_dir(), reason="needs ../shared/medquad (not in a user's clone)")
def test_ray_builds_the_index_of_the_local_engine_on_300_medquad_articles(local_ray, tmp_path, real_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(MEDQUAD.glob("*.md"))[::20][:300]:  # every 20th article: all sources, lengths and kinds
        shutil.copyfile(path, corpus / path.name)
    build_index(corpus, tmp_path / "local", embedder=real_embedder)
    report = build_index(corpus, tmp_path / "ray", engine="ray", ray_options={"batch_size": 64})
    assert len(report.added) == 300 and report.chunks_embedded > 1000
    assert_same_index(tmp_path / "local", tmp_path / "ray", real_embedder)
    assert json.loads((tmp_path / "ray" / store.MANIFEST).read_text())["counts"]["chunks"] == report.chunks_total
