"""A cited, offline health Q&A chatbot over a curated set of articles.

    from chatbot import build_index, Retriever
    build_index("corpus", "index")
    hits = Retriever.load("index").search("can back pain cause shaky hands?", k=5)

Heavy dependencies (torch, sentence-transformers, faiss) load on first use, so importing
the package is fast.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from chatbot.errors import (
    ChatbotError,
    CorpusError,
    IndexFormatError,
    IndexMismatchError,
    IndexNotFoundError,
    InvalidQueryError,
    ModelError,
)
from chatbot.types import Answer, Article, BuildReport, Chunk, Citation, Hit
from chatbot.version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())


_LAZY = {
    "build_index": "chatbot.index.build",
    "Retriever": "chatbot.search.retriever",
    "Chatbot": "chatbot.answer.bot",
    "ChunkSettings": "chatbot.settings",
    "load_corpus": "chatbot.ingest.corpus",
}

if TYPE_CHECKING:
    from chatbot.answer.bot import Chatbot
    from chatbot.settings import ChunkSettings
    from chatbot.ingest.corpus import load_corpus
    from chatbot.index.build import build_index
    from chatbot.search.retriever import Retriever


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'chatbot' has no attribute {name!r}")


__all__ = [
    "Answer", "Chatbot", "Citation", "Article", "BuildReport", "ChatbotError", "Chunk", "ChunkSettings", "CorpusError", "Hit",
    "IndexFormatError", "IndexMismatchError", "IndexNotFoundError", "InvalidQueryError",
    "ModelError", "Retriever", "__version__", "build_index", "load_corpus",
]
