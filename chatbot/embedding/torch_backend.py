"""The PyTorch backend: a sentence-transformers model, loaded offline, on any device torch has."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from chatbot.embedding.spans import SpanVectors, pool_spans
from chatbot.errors import ModelError

class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded offline, producing normalised vectors."""

    def __init__(self, location: Path, name: str, *, device: str | None = None, batch_size: int = 64) -> None:
        self.name = name
        self.backend = "torch"
        self.batch_size = batch_size
        model = str(location)
        # Never reach for the network at run time; a model must already be on disk.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # a bar per weight file is noise
            _check_device(device)

            self._model = SentenceTransformer(model, device=device or "cpu")
        except ModelError:
            raise
        except Exception as exc:
            raise ModelError(
                f"Cannot load embedding model {name!r}: {exc}. Pass --model with a local "
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
