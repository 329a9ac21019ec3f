"""Rerankers: score (query, passage) pairs with a cross-encoder, loaded lazily like the embedders."""

from __future__ import annotations

from typing import Protocol, Sequence

from chatbot.errors import ModelError


class Reranker(Protocol):
    """Scores (query, passage) pairs; higher is more relevant.  A cross-encoder, for instance."""

    def rerank(self, query: str, texts: Sequence[str]) -> Sequence[float]: ...


class CrossEncoderReranker:
    """A sentence-transformers cross-encoder from a local folder (or the Hugging Face cache)."""

    def __init__(self, model: str, *, device: str | None = None) -> None:
        try:
            from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(model, device=device or "cpu")
        except Exception as exc:
            raise ModelError(f"Cannot load reranker {model!r}: {exc}. Pass a local cross-encoder folder.") from exc

    def rerank(self, query: str, texts: Sequence[str]) -> Sequence[float]:
        return [float(s) for s in self._model.predict([(query, t) for t in texts], show_progress_bar=False)]
