"""Embedding the chunks of the articles a build (re)embeds: the local engine, and what any engine shares.

An engine turns the plan's articles to embed into a stream of ``Embedded`` articles, in the
order given, each read again from its file, chunked and embedded (chunk vectors and the
vectors of each chunk's sentences, from one pass of the model).  The local engine embeds a
batch of about ``BATCH_CHUNKS`` chunks per model call in this process; ``index.ray_engine``
spreads the same work over a Ray cluster.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from chatbot.embedding import Embedder
from chatbot.errors import CorpusError, ModelError
from chatbot.index.sentences import ChunkSentences, SentenceTable
from chatbot.ingest.chunking import chunk_article, embedding_text, split_sentences
from chatbot.ingest.corpus import load_article
from chatbot.settings import ChunkSettings
from chatbot.types import Article, ArticleFile, Chunk

log = logging.getLogger(__name__)

BATCH_CHUNKS = 256  # chunks embedded together by the local engine


@dataclass
class Embedded:
    """One article read again and embedded; ``article`` (its metadata, without the text) is None when its
    file could no longer be read."""

    article_id: str
    article: Article | None
    chunks: list[Chunk]
    vectors: np.ndarray
    sentences: SentenceTable


def read_again(article: ArticleFile, settings: ChunkSettings) -> tuple[Article, list[Chunk]] | None:
    """The article read from its file again, and its chunks; None (with a warning) if it can no longer be read."""
    try:
        full = load_article(article.path, article.article_id)
    except (CorpusError, OSError) as exc:
        log.warning("Skipping %s: it changed while the index was built and %s", article.path, exc)
        return None
    return full, chunk_article(full, settings)


class LocalEngine:
    """Articles embedded in this process, a batch of about ``BATCH_CHUNKS`` chunks per model call."""

    def __init__(self, embedder: Embedder, settings: ChunkSettings, index_dir: Path) -> None:
        self.embedder, self.settings, self.index_dir = embedder, settings, index_dir
        self.dimension = embedder.dimension
        self.model_record = {"name": embedder.name, "dimension": embedder.dimension, "backend": embedder.backend}

    def embed(self, articles: list[ArticleFile], *, progress: bool = False, chunks: int = 0) -> Iterator[Embedded]:
        """Each of ``articles``, in order, read again and embedded; ``chunks``: how many to expect (for the bar)."""
        bar = progress_bar(chunks) if progress and articles else None
        batch: list[tuple[ArticleFile, tuple[Article, list[Chunk]] | None]] = []
        pending = 0
        try:
            for article in articles:
                read = read_again(article, self.settings)
                batch.append((article, read))
                pending += len(read[1]) if read else 0
                if pending >= BATCH_CHUNKS:
                    yield from _embed_batch(batch, self.embedder, self.settings, self.index_dir, bar)
                    batch, pending = [], 0
            yield from _embed_batch(batch, self.embedder, self.settings, self.index_dir, bar)
        finally:
            if bar is not None:
                bar.close()


def progress_bar(chunks: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=chunks or None, desc="Embedding", unit="chunk", smoothing=0.1)


def _embed_batch(batch: list[tuple[ArticleFile, tuple[Article, list[Chunk]] | None]], embedder: Embedder,
                 settings: ChunkSettings, index_dir: Path, progress: Any) -> Iterator[Embedded]:
    chunks = [c for _, read in batch if read for c in read[1]]
    vectors, sentences = embed_checked(embedder, chunks, settings, index_dir)
    if progress is not None:
        progress.update(len(chunks))
    start = 0
    for article, read in batch:
        full, article_chunks = read if read else (None, [])
        rows = np.arange(start, start + len(article_chunks))
        record = dataclasses.replace(full, text="", sections=()) if full else None  # the manifest needs no text
        yield Embedded(article.article_id, record, article_chunks, vectors[rows], sentences.take(rows))
        start += len(article_chunks)


def embed_checked(embedder: Embedder, chunks: list[Chunk], settings: ChunkSettings,
                  index_dir: Path) -> tuple[np.ndarray, SentenceTable]:
    """``embed_chunks`` with any failure of the model turned into a ``ModelError`` that says the index stays."""
    if not chunks:
        return np.zeros((0, embedder.dimension), dtype=np.float32), SentenceTable.from_chunks([], embedder.dimension)
    try:
        vectors, sentences = embed_chunks(embedder, chunks, settings)
    except Exception as exc:  # any failure of the model: the index on disk is untouched
        raise ModelError(
            f"Embedding failed ({type(exc).__name__}: {exc}); the previous index at '{index_dir}/' stays in force."
        ) from exc
    if vectors.shape != (len(chunks), embedder.dimension):
        raise ModelError(f"The model returned vectors of shape {vectors.shape}, expected "
                         f"({len(chunks)}, {embedder.dimension}); the previous index stays in force.")
    return vectors, SentenceTable.from_chunks(sentences, embedder.dimension)


def embed_chunks(embedder: Embedder, chunks: list[Chunk], settings: ChunkSettings) -> tuple[np.ndarray, list[ChunkSentences]]:
    """Each chunk's vector, and its sentences with a vector each, from one pass of the model."""
    texts = [embedding_text(c, settings) for c in chunks]
    spans = [split_sentences(c.text) for c in chunks]
    # The chunk's text ends its embedding text (after the title and section, when embedded).
    shifts = [len(text) - len(c.text) for text, c in zip(texts, chunks)]
    vectors, pooled = embedder.embed_spans(texts, [[(a + d, b + d) for a, b in sp] for sp, d in zip(spans, shifts)])
    sentences = [(np.array(sp, dtype=np.int32).reshape(-1, 2), counts, vecs) for sp, (vecs, counts) in zip(spans, pooled)]
    # Sentences past the model's token limit got no tokens: embed those on their own.
    beyond = [(i, j) for i, (_, counts, _) in enumerate(sentences) for j in np.flatnonzero(counts == 0)]
    if beyond:
        extra = embedder.embed([chunks[i].text[slice(*sentences[i][0][j])] for i, j in beyond])
        for (i, j), vector in zip(beyond, extra):
            sentences[i][1][j], sentences[i][2][j] = 1, vector
    return vectors, sentences
