"""``build_index``: bring an index folder up to date with a corpus folder.

Three steps: ``plan_build`` (``index.plan``) works out what changed without touching
anything; the added and changed articles are embedded (unchanged ones keep their stored
rows); ``store.write_index`` writes the new folder and swaps it in atomically.
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from chatbot.version import __version__
from chatbot.embedding import Embedder, load_embedder
from chatbot.errors import ChatbotError, ModelError
from chatbot.index import store
from chatbot.index.plan import BuildPlan, plan_build
from chatbot.index.sentences import ChunkSentences, SentenceTable
from chatbot.ingest.chunking import chunk_article, chunking_record, embedding_text, split_sentences
from chatbot.settings import ChunkSettings
from chatbot.text import TOKENIZER_VERSION
from chatbot.types import Article, BuildReport, Chunk

log = logging.getLogger(__name__)


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
        (chunks, vectors, sentences), embedded = _embed_changes(plan, embedder, progress)
        store.write_index(plan.index_dir, _manifest(plan, embedder, chunks), vectors, chunks, sentences)
    return plan.report(chunks_embedded=embedded, chunks_total=len(chunks), seconds=time.perf_counter() - started)


Rows = tuple[list[Chunk], np.ndarray, SentenceTable]


def _embed_changes(plan: BuildPlan, embedder: Embedder, progress: bool) -> tuple[Rows, int]:
    """Every row of the new index in corpus order (stored rows reused, the rest embedded) and how many were embedded."""
    new_chunks = dict(plan.new_chunks)
    reused = _reusable_rows(plan.index_dir, plan.reusable) if plan.reusable else {}
    missing = plan.reusable - set(reused)
    if missing:  # the old index lost rows it claimed: embed those articles again
        log.warning("Re-embedding %d articles whose stored vectors could not be read", len(missing))
        new_chunks.update({a.article_id: chunk_article(a, plan.settings) for a in plan.corpus.articles
                           if a.article_id in missing})
    flat_new = [c for chunks in new_chunks.values() for c in chunks]
    log.info("Embedding %d chunks of %d articles with %s", len(flat_new), len(new_chunks), embedder.name)
    try:
        new_vectors, new_sentences = _embed_chunks(embedder, flat_new, plan.settings, progress)
    except Exception as exc:  # any failure of the model: the index on disk is untouched
        raise ModelError(
            f"Embedding failed ({type(exc).__name__}: {exc}); the previous index at '{plan.index_dir}/' stays in force."
        ) from exc
    if new_vectors.shape != (len(flat_new), embedder.dimension):
        raise ModelError(f"The model returned vectors of shape {new_vectors.shape}, expected "
                         f"({len(flat_new)}, {embedder.dimension}); the previous index stays in force.")
    table = SentenceTable.from_chunks(new_sentences, embedder.dimension)
    by_article = _split_rows(flat_new, new_vectors, table)
    return _assemble_rows(plan.corpus.articles, reused, by_article, dimension=embedder.dimension), len(flat_new)


def _manifest(plan: BuildPlan, embedder: Embedder, chunks: list[Chunk]) -> dict[str, Any]:
    """What the manifest says of the build; ``store.write_index`` adds counts, checksums and times."""
    chunks_per_article = Counter(c.article_id for c in chunks)
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
                           "format": a.format, "chunks": chunks_per_article[a.article_id]}
            for a in plan.corpus.articles
        },
    }


def _embed_chunks(embedder: Embedder, chunks: list[Chunk], settings: ChunkSettings,
                  progress: bool) -> tuple[np.ndarray, list[ChunkSentences]]:
    """Each chunk's vector, and its sentences with a vector each, from one pass of the model."""
    texts = [embedding_text(c, settings) for c in chunks]
    spans = [split_sentences(c.text) for c in chunks]
    # The chunk's text ends its embedding text (after the title and section, when embedded).
    shifts = [len(text) - len(c.text) for text, c in zip(texts, chunks)]
    vectors, pooled = embedder.embed_spans(texts, [[(a + d, b + d) for a, b in sp] for sp, d in zip(spans, shifts)],
                                       progress=progress)
    sentences = [(np.array(sp, dtype=np.int32).reshape(-1, 2), counts, vecs) for sp, (vecs, counts) in zip(spans, pooled)]
    # Sentences past the model's token limit got no tokens: embed those on their own.
    beyond = [(i, j) for i, (_, counts, _) in enumerate(sentences) for j in np.flatnonzero(counts == 0)]
    if beyond:
        extra = embedder.embed([chunks[i].text[slice(*sentences[i][0][j])] for i, j in beyond])
        for (i, j), vector in zip(beyond, extra):
            sentences[i][1][j], sentences[i][2][j] = 1, vector
    return vectors, sentences


def _reusable_rows(index_dir: Path, article_ids: set[str]) -> dict[str, Rows]:
    try:
        stored = store.load_index(index_dir)
    except ChatbotError as exc:
        log.warning("Cannot reuse the existing index (%s); embedding everything", exc)
        return {}
    rows = _split_rows(stored.chunks, stored.vectors(), stored.sentences)
    return {aid: r for aid, r in rows.items() if aid in article_ids}


def _split_rows(chunks: list[Chunk], vectors: np.ndarray, sentences: SentenceTable) -> dict[str, Rows]:
    """Each article's chunks, their vector rows and their sentences."""
    rows: dict[str, list[int]] = {}
    for i, chunk in enumerate(chunks):
        rows.setdefault(chunk.article_id, []).append(i)
    return {aid: ([chunks[i] for i in idx], vectors[idx], sentences.take(np.array(idx))) for aid, idx in rows.items()}


def _assemble_rows(articles: list[Article], *sources: dict[str, Rows], dimension: int) -> Rows:
    """Chunks, vectors and sentences in corpus order, each article's rows taken from whichever source has them."""
    chunks: list[Chunk] = []
    blocks: list[np.ndarray] = []
    tables: list[SentenceTable] = []
    for article in articles:
        for source in sources:
            if article.article_id in source:
                article_chunks, article_vectors, article_sentences = source[article.article_id]
                chunks.extend(article_chunks)
                blocks.append(article_vectors)
                tables.append(article_sentences)
                break
    vectors = np.vstack(blocks).astype(np.float32) if blocks else np.zeros((0, dimension), dtype=np.float32)
    return chunks, vectors, SentenceTable.concat(tables, dimension)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
