"""Turn texts into normalised vectors.

``Embedder`` is the protocol the indexer and retriever use; ``load_embedder`` gives the one
for a model and backend: ONNX Runtime (``onnx_backend``, the default) or PyTorch
(``torch_backend``).  Only this package imports sentence-transformers, torch and
onnxruntime, lazily, so ``import chatbot`` stays fast.  Tests use a deterministic fake with
the same protocol.
"""

from __future__ import annotations

import logging
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from chatbot.embedding.models import DEFAULT_MODEL, bundled_model_dir, canonical_name, model_location, same_model
from chatbot.embedding.spans import SpanVectors
from chatbot.errors import ModelError
from chatbot.settings import BACKENDS

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "DEFAULT_MODEL", "Embedder", "bundled_model_dir", "canonical_name",
           "embed_spans_one_by_one", "load_embedder", "model_location", "same_model", "vector_kind"]

log = logging.getLogger(__name__)

DEFAULT_BACKEND = "onnx"


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str       # the model, as the index manifest records it
    dimension: int
    backend: str    # one of BACKENDS: which vectors it makes (see vector_kind)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """An array of shape (len(texts), dimension), each row of unit length."""
        ...

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *,
                    progress: bool = False) -> tuple[np.ndarray, list[SpanVectors]]:
        """``embed(texts)`` and, for each text, pooled vectors of its character ``spans`` (its sentences)."""
        ...


def embed_spans_one_by_one(embedder: "Embedder", texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *,
                           progress: bool = False) -> tuple[np.ndarray, list[SpanVectors]]:
    """``embed_spans`` for an embedder that cannot see token vectors: each span embedded as a text of its own."""
    vectors = embedder.embed(texts, progress=progress)
    pieces = [text[a:b] for text, text_spans in zip(texts, spans) for a, b in text_spans]
    flat = embedder.embed(pieces) if pieces else np.zeros((0, embedder.dimension), dtype=np.float32)
    out, row = [], 0
    for text_spans in spans:
        n = len(text_spans)
        out.append((flat[row : row + n], np.ones(n, dtype=np.int32)))
        row += n
    return vectors, out


def load_embedder(model: str | None = None, *, device: str | None = None, backend: str | None = None,
                  threads: int | None = None) -> Embedder:
    """The embedder for a model name or path (default: the bundled all-MiniLM-L6-v2).

    ``backend`` is one of ``BACKENDS`` (default ``DEFAULT_BACKEND``); a ``device`` other than
    the CPU (``cuda``, ``mps``) needs, and implies, the torch backend.  ``threads``: how many CPU
    threads the ONNX backends use (default: all cores; a Ray actor given one CPU uses one).
    """
    model = model or DEFAULT_MODEL
    on_cpu = device in (None, "", "cpu")
    if backend is None and on_cpu and DEFAULT_BACKEND != "torch":
        try:
            return load_embedder(model, device=device, backend=DEFAULT_BACKEND, threads=threads)
        except ModelError as exc:  # torch makes the same vectors, only slower
            log.warning("Using the torch backend: the %s backend is unavailable (%s)", DEFAULT_BACKEND, exc)
            return _torch_embedder(model, device)
    backend = backend or (DEFAULT_BACKEND if on_cpu else "torch")
    if backend not in BACKENDS:
        raise ModelError(f"Unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "torch":
        return _torch_embedder(model, device)
    if not on_cpu:
        raise ModelError(f"The {backend} backend runs on the CPU; for --device {device} use --backend torch")
    from chatbot.embedding.onnx_backend import OnnxEmbedder

    name = canonical_name(model)
    location = model_location(name)
    if not location.is_dir():
        raise ModelError(f"The {backend} backend needs a local model folder; {model!r} is not one. Use --backend torch.")
    return OnnxEmbedder(location, name, quantized=backend == "onnx-int8", threads=threads)


def vector_kind(backend: str | None) -> str:
    """Which backends make interchangeable vectors: torch and onnx agree to float precision, int8 does not."""
    return "int8" if backend == "onnx-int8" else "float32"


def _torch_embedder(model: str, device: str | None) -> Embedder:
    from chatbot.embedding.torch_backend import SentenceTransformerEmbedder

    name = canonical_name(model)
    return SentenceTransformerEmbedder(model_location(name), name, device=device)
