"""The real bundled model on the real corpus and the committed index."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from chatbot.embedding import DEFAULT_BACKEND, DEFAULT_MODEL, bundled_model_dir
from chatbot.index.build import build_index
from chatbot.search.retriever import Retriever
from conftest import ROOT, SHARED, SHIPPED_CORPUS


pytestmark = [pytest.mark.slow, SHIPPED_CORPUS]  # the real model on the shipped corpus and its committed index


@pytest.fixture(scope="module")
def retriever(real_embedder):
    return Retriever.load(ROOT / "index", embedder=real_embedder)


def test_bundled_model_is_found_and_verified():
    folder = bundled_model_dir()
    assert (folder / "model.safetensors").is_file()


def test_committed_index_is_current_for_the_corpus():
    report = build_index(ROOT / "corpus", ROOT / "index", dry_run=True)
    assert report.is_noop, f"index/ is stale: {report}. Run: python -m chatbot build"
    assert len(report.unchanged) == 3


def test_committed_index_uses_the_default_model(retriever):
    assert retriever.manifest["model"] == {"name": DEFAULT_MODEL, "dimension": 384, "backend": DEFAULT_BACKEND}


def test_seed_question_ranks_the_matching_article_first(retriever):
    hits = retriever.search("can back pain cause shaky hands?", k=5)
    assert hits[0].article_id == "back-pain-shaky-hands"


@pytest.mark.parametrize(
    "question, article_id",
    [
        ("which doctor should I see for tremors in my lower back", "lumbar-tremor"),
        ("what is ACDF surgery", "spinal-problems-tremors"),
    ],
)
def test_other_questions_find_their_article(retriever, question, article_id):
    assert retriever.search(question, k=3)[0].article_id == article_id


def test_real_model_build_in_a_temporary_folder(tmp_path, real_embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lumbar-tremor.txt").write_bytes((ROOT / "corpus" / "lumbar-tremor.txt").read_bytes())
    report = build_index(corpus, tmp_path / "index", embedder=real_embedder)
    assert report.chunks_embedded > 10
    hits = Retriever.load(tmp_path / "index", embedder=real_embedder).search("which doctor to contact", k=1)
    assert hits[0].section == "Which doctor to contact"


def test_cli_search_json_in_a_fresh_process():
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    out = subprocess.run(
        [sys.executable, "-m", "chatbot", "search", "can back pain cause shaky hands?", "-k", "3", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    hits = json.loads(out)["hits"]
    assert len(hits) == 3 and hits[0]["article_id"] == "back-pain-shaky-hands"


@pytest.mark.skipif(not (SHARED / "eval" / "seed-dev.jsonl").exists(), reason="needs ../shared/eval (not in a user's clone)")
def test_seed_dev_recall(retriever):
    from chatbot.evaluation import evaluate_retrieval, load_questions

    metrics = evaluate_retrieval(retriever.search, load_questions(SHARED / "eval" / "seed-dev.jsonl"), k=5)
    assert metrics["recall@5"] >= 0.9
