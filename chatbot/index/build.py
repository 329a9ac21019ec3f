"""``build_index``: bring an index folder up to date with a corpus folder.

Articles are compared by content hash with the index's manifest: unchanged articles keep
their stored vectors, added and changed ones are chunked and embedded, removed ones are
dropped.  A different model or chunking setting makes every vector stale, so the build
starts over and the report says why.
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from chatbot import __version__

from chatbot.index import store
from chatbot.ingest.chunking import ChunkSettings, chunk_article, embedding_text, split_sentences
from chatbot.ingest.corpus import load_corpus
from chatbot.embedding import (DEFAULT_BACKEND, DEFAULT_MODEL, Embedder, backend_of, embed_with_spans, load_embedder,
                        same_model, vector_kind)
from chatbot.errors import ChatbotError, CorpusError, ModelError
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
) -> BuildReport:
    """Update ``index_dir`` to match ``corpus_dir``; embed only what changed.

    ``model``, ``backend`` and ``settings`` default to those of the existing index (or the
    bundled model, ``DEFAULT_BACKEND`` and default chunking for a new one).  ``embedder``
    overrides ``model`` and ``backend`` (tests pass a fake).
    With ``dry_run`` nothing is embedded or written: the report says what a build would do.
    """
    started = time.perf_counter()
    index_dir = Path(index_dir)
    loaded = load_corpus(corpus_dir)
    if not loaded.articles:
        raise CorpusError(
            f"No readable article in '{corpus_dir}' ({len(loaded.skipped)} skipped). "
            "Add .md, .txt or .html files; the log above says why any were skipped."
        )
    old_manifest, why_unusable = _existing_manifest(index_dir)
    model_name = embedder.name if embedder else model or (old_manifest["model"]["name"] if old_manifest else DEFAULT_MODEL)
    old_backend = old_manifest["model"].get("backend", "torch") if old_manifest else None
    # Float32 backends make the same vectors, so only int8 sticks to an index unless asked for.
    if embedder:
        backend = backend_of(embedder)
    elif not backend and old_backend and vector_kind(old_backend) != vector_kind(DEFAULT_BACKEND):
        backend = old_backend
    if settings is None:
        settings = ChunkSettings.from_dict(old_manifest["chunking"]) if old_manifest else ChunkSettings()

    reason = why_unusable
    if old_manifest is None and not reason:
        reason = "new index"
    elif old_manifest and not same_model(old_manifest["model"]["name"], model_name):
        reason = f"model changed from {old_manifest['model']['name']} to {model_name}"
    elif old_manifest and vector_kind(old_backend) != vector_kind(backend or DEFAULT_BACKEND):
        reason = f"embedding backend changed from {old_backend} to {backend or DEFAULT_BACKEND} (their vectors differ)"
    elif old_manifest and old_manifest.get("chunking") != settings.to_dict():
        reason = f"chunking settings changed from {old_manifest.get('chunking')} to {settings.to_dict()}"
    full_rebuild = bool(reason)

    old_articles: dict[str, Any] = old_manifest["articles"] if old_manifest else {}
    added, changed, unchanged = [], [], []
    for article in loaded.articles:
        previous = old_articles.get(article.article_id)
        if previous is None:
            added.append(article.article_id)
        elif previous["content_hash"] != article.content_hash:
            changed.append(article.article_id)
        else:
            unchanged.append(article.article_id)
    removed = sorted(set(old_articles) - {a.article_id for a in loaded.articles})
    reusable = set() if full_rebuild else set(unchanged)
    new_chunks = {a.article_id: chunk_article(a, settings) for a in loaded.articles if a.article_id not in reusable}

    report = dict(
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(removed),
        unchanged=tuple(unchanged),
        skipped=tuple(path for path, _ in loaded.skipped),
        full_rebuild=full_rebuild,
        reason=reason,
        dry_run=dry_run,
        index_dir=str(index_dir),
    )
    if not (added or changed or removed or full_rebuild):
        return BuildReport(**report, chunks_total=old_manifest["counts"]["chunks"], seconds=time.perf_counter() - started)
    if dry_run:
        return BuildReport(**report, chunks_embedded=sum(map(len, new_chunks.values())), seconds=time.perf_counter() - started)

    embedder = embedder or load_embedder(model_name, backend=backend)
    with store.build_lock(index_dir):
        store.remove_leftovers(index_dir)
        reused = _reusable_rows(index_dir, reusable) if reusable else {}
        missing = reusable - set(reused)
        if missing:  # the old index lost rows it claimed: embed those articles again
            log.warning("Re-embedding %d articles whose stored vectors could not be read", len(missing))
            for article in loaded.articles:
                if article.article_id in missing:
                    new_chunks[article.article_id] = chunk_article(article, settings)
        flat_new = [c for chunks in new_chunks.values() for c in chunks]
        log.info("Embedding %d chunks of %d articles with %s", len(flat_new), len(new_chunks), embedder.name)
        try:
            new_vectors, new_sentences = _embed_chunks(embedder, flat_new, settings, progress)
        except Exception as exc:  # any failure of the model: the index on disk is untouched
            raise ModelError(
                f"Embedding failed ({type(exc).__name__}: {exc}); the previous index at '{index_dir}/' stays in force."
            ) from exc
        if new_vectors.shape != (len(flat_new), embedder.dimension):
            raise ModelError(f"The model returned vectors of shape {new_vectors.shape}, expected "
                             f"({len(flat_new)}, {embedder.dimension}); the previous index stays in force.")
        by_article = _split_rows(flat_new, new_vectors, store.SentenceTable.from_chunks(new_sentences, embedder.dimension))
        chunks, vectors, sentences = _assemble_rows(loaded.articles, reused, by_article, dimension=embedder.dimension)
        chunks_per_article = Counter(c.article_id for c in chunks)
        manifest = {
            "format": "chatbot-index",
            "chatbot_version": __version__,
            "created_at": (old_manifest or {}).get("created_at") or store.utc_now(),
            "model": {"name": embedder.name, "dimension": embedder.dimension, "backend": backend_of(embedder)},
            "chunking": settings.to_dict(),
            "libraries": {lib: _version(lib) for lib in ("faiss-cpu", "sentence-transformers", "onnxruntime")},
            "articles": {
                a.article_id: {
                    "content_hash": a.content_hash,
                    "title": a.title,
                    "url": a.url,
                    "path": a.path,
                    "chunks": chunks_per_article[a.article_id],
                }
                for a in loaded.articles
            },
        }
        store.write_index(index_dir, manifest, vectors, chunks, sentences)
    return BuildReport(
        **report,
        chunks_embedded=len(flat_new),
        chunks_total=len(chunks),
        seconds=time.perf_counter() - started,
    )


def _existing_manifest(index_dir: Path) -> tuple[dict | None, str]:
    """The current manifest, or None and why it cannot be built upon ("" when there is none)."""
    try:
        return store.read_manifest(index_dir), ""
    except ChatbotError as exc:
        if not (index_dir / store.MANIFEST).exists():
            return None, ""
        return None, f"existing index unusable: {exc}"


Rows = tuple[list[Chunk], np.ndarray, store.SentenceTable]


def _embed_chunks(embedder: Embedder, chunks: list[Chunk], settings: ChunkSettings,
                  progress: bool) -> tuple[np.ndarray, list[store.ChunkSentences]]:
    """Each chunk's vector, and its sentences with a vector each, from one pass of the model."""
    texts = [embedding_text(c, settings) for c in chunks]
    spans = [split_sentences(c.text) for c in chunks]
    # The chunk's text ends its embedding text (after the title and section, when embedded).
    shifts = [len(text) - len(c.text) for text, c in zip(texts, chunks)]
    vectors, pooled = embed_with_spans(embedder, texts, [[(a + d, b + d) for a, b in sp] for sp, d in zip(spans, shifts)],
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


def _split_rows(chunks: list[Chunk], vectors: np.ndarray, sentences: store.SentenceTable) -> dict[str, Rows]:
    """Each article's chunks, their vector rows and their sentences."""
    rows: dict[str, list[int]] = {}
    for i, chunk in enumerate(chunks):
        rows.setdefault(chunk.article_id, []).append(i)
    return {aid: ([chunks[i] for i in idx], vectors[idx], sentences.take(np.array(idx))) for aid, idx in rows.items()}


def _assemble_rows(articles: list[Article], *sources: dict[str, Rows], dimension: int) -> Rows:
    """Chunks, vectors and sentences in corpus order, each article's rows taken from whichever source has them."""
    chunks: list[Chunk] = []
    blocks: list[np.ndarray] = []
    tables: list[store.SentenceTable] = []
    for article in articles:
        for source in sources:
            if article.article_id in source:
                article_chunks, article_vectors, article_sentences = source[article.article_id]
                chunks.extend(article_chunks)
                blocks.append(article_vectors)
                tables.append(article_sentences)
                break
    vectors = np.vstack(blocks).astype(np.float32) if blocks else np.zeros((0, dimension), dtype=np.float32)
    return chunks, vectors, store.SentenceTable.concat(tables, dimension)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
