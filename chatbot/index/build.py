"""``build_index``: bring an index folder up to date with a corpus folder.

Three steps: ``plan_build`` (``index.plan``) works out what changed without touching
anything; the articles are then written to a new folder in corpus order, a batch of about
``BATCH_CHUNKS`` chunks at a time: added and changed articles are read again and embedded,
unchanged ones keep their stored rows (``index.reuse``); ``store.publish`` finishes the folder
and swaps it in atomically.  Memory depends on the batch size, not on the corpus size.
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from chatbot.version import __version__
from chatbot.embedding import Embedder, load_embedder
from chatbot.errors import ChatbotError, CorpusError, ModelError
from chatbot.index import store
from chatbot.index.plan import BuildPlan, plan_build
from chatbot.index.reuse import StoredRows
from chatbot.index.sentences import ChunkSentences, SentenceTable
from chatbot.index.writer import IndexWriter
from chatbot.ingest.chunking import chunk_article, chunking_record, embedding_text, split_sentences
from chatbot.ingest.corpus import load_article
from chatbot.settings import ChunkSettings
from chatbot.text import TOKENIZER_VERSION
from chatbot.types import Article, BuildReport, Chunk

log = logging.getLogger(__name__)

BATCH_CHUNKS = 1024  # chunks embedded (or copied) and written together


def build_index(
    corpus_dir: str | Path = "corpus",
    index_dir: str | Path = "index",
    *,
    model: str | None = None,
    settings: ChunkSettings | None = None,
    embedder: Embedder | None = None,
    backend: str | None = None,
    dry_run: bool = False,
    progress: bool = False,
    force: bool = False,
) -> BuildReport:
    """Update ``index_dir`` to match ``corpus_dir``; embed only what changed.

    ``model``, ``backend`` and ``settings`` default to those of the existing index (or the
    bundled model, ``DEFAULT_BACKEND`` and default chunking for a new one).  ``embedder``
    overrides ``model`` and ``backend`` (tests pass a fake).
    With ``dry_run`` nothing is embedded or written: the report says what a build would do.
    A damaged index (a file missing or not matching its checksum) is rebuilt in full, as is any
    index with ``force``.
    """
    started = time.perf_counter()
    plan = plan_build(corpus_dir, index_dir, model=model, settings=settings, embedder=embedder, backend=backend, force=force)
    if plan.is_noop:
        return plan.report(chunks_total=plan.old_manifest["counts"]["chunks"], seconds=time.perf_counter() - started)
    if dry_run:
        return plan.report(dry_run=True, chunks_embedded=plan.chunks_to_embed, seconds=time.perf_counter() - started)
    embedder = embedder or load_embedder(plan.model_name, backend=plan.backend)
    with store.build_lock(plan.index_dir):
        store.remove_leftovers(plan.index_dir)
        with store.new_index(plan.index_dir, embedder.dimension) as writer:
            articles, embedded = _write_rows(plan, embedder, writer, progress)
            manifest = store.publish(writer, plan.index_dir, _manifest(plan, embedder, articles, writer.chunks_per_article))
    return plan.report(chunks_embedded=embedded, chunks_total=manifest["counts"]["chunks"],
                       seconds=time.perf_counter() - started)


Rows = tuple[list[Chunk], np.ndarray, SentenceTable]


def _write_rows(plan: BuildPlan, embedder: Embedder, writer: IndexWriter, progress: bool) -> tuple[list[Article], int]:
    """Every article's rows in corpus order (stored rows reused, the rest embedded), a batch at a time.
    Returns the articles written (as read now) and how many chunks were embedded."""
    stored = _stored_rows(plan)
    bar = _progress_bar(plan.chunks_to_embed) if progress and plan.chunks_to_embed else None
    written: list[Article] = []
    batch: list[tuple[Article, list[Chunk] | None]] = []  # None: the stored rows are kept
    embedded = pending = 0
    for article in plan.corpus.articles:
        if stored is not None and article.article_id in stored:
            batch.append((article, None))
            pending += plan.old_manifest["articles"][article.article_id].get("chunks", 1)
        else:
            read = _read_again(article, plan.settings)
            if read is None:
                continue
            batch.append(read)
            pending += len(read[1])
        if pending >= BATCH_CHUNKS:
            embedded += _write_batch(batch, stored, embedder, writer, plan, bar)
            written.extend(a for a, _ in batch)
            batch, pending = [], 0
    embedded += _write_batch(batch, stored, embedder, writer, plan, bar)
    written.extend(a for a, _ in batch)
    if bar is not None:
        bar.close()
    return written, embedded


def _stored_rows(plan: BuildPlan) -> StoredRows | None:
    if not plan.reusable:
        return None
    try:
        stored = StoredRows(plan.index_dir, plan.old_manifest, plan.reusable)
    except (OSError, ValueError, KeyError, ChatbotError) as exc:
        log.warning("Cannot reuse the existing index (%s); embedding everything", exc)
        return None
    lost = [aid for aid in plan.reusable if aid not in stored]
    if lost:  # the old index lost rows it claimed: embed those articles again
        log.warning("Re-embedding %d articles whose stored rows could not be found", len(lost))
    return stored


def _read_again(article: Article, settings: ChunkSettings) -> tuple[Article, list[Chunk]] | None:
    """The article read from its file again, and its chunks; None (with a warning) if it can no longer be read."""
    try:
        full = load_article(article.path, article.article_id)
    except (CorpusError, OSError) as exc:
        log.warning("Skipping %s: it changed while the index was built and %s", article.path, exc)
        return None
    return full, chunk_article(full, settings)


def _write_batch(batch: list[tuple[Article, list[Chunk] | None]], stored: StoredRows | None, embedder: Embedder,
                 writer: IndexWriter, plan: BuildPlan, bar: Any) -> int:
    """Embed the batch's new chunks in one call and write every article's rows in order; returns chunks embedded."""
    rows: list[Rows | None] = []
    for i, (article, chunks) in enumerate(batch):
        if chunks is None:
            try:
                rows.append(stored.rows(article.article_id))
                continue
            except (OSError, ValueError, KeyError) as exc:
                log.warning("Re-embedding %s: its stored rows cannot be read (%s)", article.article_id, exc)
                article, chunks = _read_again(article, plan.settings) or (article, [])
                batch[i] = (article, chunks)
        rows.append(None)
    new = [c for (_, chunks), r in zip(batch, rows) if r is None for c in chunks]
    vectors, sentences = _embed_checked(embedder, new, plan)
    if bar is not None:
        bar.update(len(new))
    start = 0
    for (article, chunks), row in zip(batch, rows):
        if row is None:
            row = chunks, vectors[start:start + len(chunks)], sentences.take(np.arange(start, start + len(chunks)))
            start += len(chunks)
        writer.add(*row)
    return len(new)


def _embed_checked(embedder: Embedder, chunks: list[Chunk], plan: BuildPlan) -> tuple[np.ndarray, SentenceTable]:
    if not chunks:
        return np.zeros((0, embedder.dimension), dtype=np.float32), SentenceTable.from_chunks([], embedder.dimension)
    try:
        vectors, sentences = _embed_chunks(embedder, chunks, plan.settings)
    except Exception as exc:  # any failure of the model: the index on disk is untouched
        raise ModelError(
            f"Embedding failed ({type(exc).__name__}: {exc}); the previous index at '{plan.index_dir}/' stays in force."
        ) from exc
    if vectors.shape != (len(chunks), embedder.dimension):
        raise ModelError(f"The model returned vectors of shape {vectors.shape}, expected "
                         f"({len(chunks)}, {embedder.dimension}); the previous index stays in force.")
    return vectors, SentenceTable.from_chunks(sentences, embedder.dimension)


def _progress_bar(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="Embedding", unit="chunk", smoothing=0.1)


def _manifest(plan: BuildPlan, embedder: Embedder, articles: list[Article],
              chunks_per_article: dict[str, int]) -> dict[str, Any]:
    """What the manifest says of the build; ``store.publish`` adds counts, checksums and times."""
    return {
        "format": "chatbot-index",
        "chatbot_version": __version__,
        "created_at": (plan.old_manifest or {}).get("created_at") or store.utc_now(),
        "model": {"name": embedder.name, "dimension": embedder.dimension, "backend": embedder.backend},
        "chunking": chunking_record(plan.settings),
        "lexical": {"tokenizer_version": TOKENIZER_VERSION},
        "libraries": {lib: _version(lib) for lib in ("faiss-cpu", "sentence-transformers", "onnxruntime")},
        "articles": {
            a.article_id: {"content_hash": a.content_hash, "title": a.title, "url": a.url, "path": a.path,
                           "source": a.source, "reviewed": a.reviewed, "review_due": a.review_due,
                           "format": a.format, "chunks": chunks_per_article.get(a.article_id, 0)}
            for a in articles
        },
    }


def _embed_chunks(embedder: Embedder, chunks: list[Chunk], settings: ChunkSettings) -> tuple[np.ndarray, list[ChunkSentences]]:
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


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
