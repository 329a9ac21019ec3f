"""Embedding backends (torch, ONNX, ONNX int8) and the sentence vectors pooled at build time."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import HashingEmbedder

from chatbot.embedding import embed_spans_one_by_one, load_embedder
from chatbot.embedding.spans import pool_spans
from chatbot.errors import IndexMismatchError, ModelError
from chatbot.index.build import build_index
from chatbot.search.retriever import Retriever

TEXTS = ["Back pain: Causes\nA slipped disc can press on a nerve. Sciatica then runs down the leg.",
         "Tremor is an involuntary shaking of the hands."]


def test_pool_spans_averages_the_tokens_inside_each_span():
    offsets = np.array([[0, 0], [0, 3], [4, 7], [8, 12], [0, 0]])  # [CLS] abc def ghij [SEP]
    tokens = np.array([[9.0, 9.0], [1.0, 0.0], [3.0, 2.0], [0.0, 4.0], [9.0, 9.0]], dtype=np.float32)
    vectors, counts = pool_spans(offsets, tokens, [(0, 7), (8, 12), (13, 20)])
    assert counts.tolist() == [2, 1, 0]  # the last span lies past the tokens (truncated)
    np.testing.assert_allclose(vectors, [[2.0, 1.0], [0.0, 4.0], [0.0, 0.0]])


def test_spans_can_be_embedded_one_by_one():
    class Plain:  # a model that cannot give its token vectors
        name, dimension = "plain", 256

        def __init__(self):
            self.inner = HashingEmbedder()

        def embed(self, texts, *, progress=False):
            return self.inner.embed(texts)

    plain = Plain()
    vectors, pooled = embed_spans_one_by_one(plain, ["one two. three four.", "five"], [[(0, 8), (9, 20)], [(0, 4)]])
    assert vectors.shape == (2, 256) and [len(p[0]) for p in pooled] == [2, 1]
    np.testing.assert_allclose(pooled[0][0][1], plain.inner.embed(["three four."])[0])


@pytest.mark.slow
def test_onnx_export_matches_torch_and_int8_stays_close(tmp_path, monkeypatch):
    monkeypatch.setenv("CHATBOT_CACHE_DIR", str(tmp_path / "cache"))
    torch_model = load_embedder(backend="torch")
    onnx_model = load_embedder(backend="onnx")
    int8_model = load_embedder(backend="onnx-int8")
    exported = sorted(p.name for p in (tmp_path / "cache" / "onnx").glob("*/*.onnx"))
    assert exported == ["model-int8.onnx", "model.onnx"]
    spans = [[(11, 17), (18, 54), (55, 87)], [(0, 46)]]
    reference, reference_spans = torch_model.embed_spans(TEXTS, spans)
    vectors, onnx_spans = onnx_model.embed_spans(TEXTS, spans)
    assert onnx_model.backend == "onnx" and onnx_model.dimension == 384
    np.testing.assert_allclose(vectors, reference, atol=1e-4)
    for (a, count_a), (b, count_b) in zip(reference_spans, onnx_spans):
        assert count_a.tolist() == count_b.tolist() and min(count_a) > 0
        np.testing.assert_allclose(a, b, atol=1e-3)
    quantized = int8_model.embed(TEXTS)
    assert np.all(np.sum(quantized * reference, axis=1) > 0.97)
    assert np.allclose(np.linalg.norm(quantized, axis=1), 1.0, atol=1e-5)
    # A second load finds the cached files: nothing is exported again.
    stamp = {p: p.stat().st_mtime_ns for p in (tmp_path / "cache").rglob("*.onnx")}
    load_embedder(backend="onnx-int8")
    assert stamp == {p: p.stat().st_mtime_ns for p in (tmp_path / "cache").rglob("*.onnx")}


def test_bad_backend_choices_are_explained():
    with pytest.raises(ModelError, match="Unknown backend 'tensorrt'"):
        load_embedder(backend="tensorrt")
    with pytest.raises(ModelError, match="runs on the CPU; for --device cuda use --backend torch"):
        load_embedder(backend="onnx", device="cuda")


@pytest.mark.slow  # loads PyTorch (seconds)
def test_default_backend_falls_back_to_torch_when_onnx_cannot_be_exported(tmp_path, monkeypatch, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("CHATBOT_CACHE_DIR", str(blocked))
    with pytest.raises(ModelError, match="CHATBOT_CACHE_DIR"):
        load_embedder(backend="onnx")
    embedder = load_embedder()
    assert embedder.backend == "torch"
    assert "Using the torch backend" in caplog.text


def test_an_int8_index_is_rebuilt_for_float_vectors_and_refuses_float_queries(tiny_corpus, tmp_path):
    int8 = HashingEmbedder()
    int8.backend = "onnx-int8"
    build_index(tiny_corpus, tmp_path / "index", embedder=int8)
    with pytest.raises(IndexMismatchError, match="holds int8 vectors.*--backend onnx-int8"):
        Retriever.load(tmp_path / "index", backend="onnx")
    assert Retriever.load(tmp_path / "index", embedder=int8).search("knee pain")
    report = build_index(tiny_corpus, tmp_path / "index", embedder=HashingEmbedder())
    assert report.full_rebuild and "backend changed from onnx-int8 to torch" in report.reason


@pytest.mark.slow
def test_answering_with_the_default_backend_does_not_load_torch():
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    load_embedder()  # exports the ONNX file into the cache if this machine has not yet
    code = ("import sys, json; from chatbot import Chatbot; "
            "a = Chatbot.load('index').ask('can back pain cause shaky hands?'); "
            "print(json.dumps([a.kind, 'torch' in sys.modules, 'sentence_transformers' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == ["answer", False, False]


def test_a_gpu_that_is_not_there_is_named_in_the_error():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU: the check below is for machines without one")
    with pytest.raises(ModelError, match="--device cuda: no CUDA device is available"):
        load_embedder(device="cuda")


def test_onnx_batches_keep_within_the_token_budget():
    from chatbot.embedding.onnx_backend import _batches

    lengths = [5] * 10 + [100] * 5 + [300]
    batches = _batches(lengths, list(range(len(lengths))), most=4, budget=400)
    assert [i for batch in batches for i in batch] == list(range(len(lengths)))  # every text once, in order
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14], [15]]
    for batch in batches:
        padded = len(batch) * max(lengths[i] for i in batch)
        assert len(batch) <= 4 and (padded <= 400 or len(batch) == 1)
    assert batches[-1] == [15]  # longer than the budget: alone
