"""``build_index``: bring an index folder up to date with a corpus folder.

Three steps: ``plan_build`` (``index.plan``) works out what changed without touching
anything; the articles are then written to a new folder in corpus order: unchanged ones keep
their stored rows (``index.reuse``), added and changed ones come embedded from an engine
(``index.embed``: in this process, a batch at a time; ``index.ray_engine``: on a Ray cluster);
``store.publish`` finishes the folder and swaps it in atomically.  Nothing proportional to the
corpus is held in memory but each article's id and path (and, for an incremental build, the old
manifest).
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
from pathlib import Path
from typing import Any, Iterator

from chatbot.version import __version__
from chatbot.embedding import Embedder, load_embedder
from chatbot.errors import ChatbotError, IndexFormatError
from chatbot.index import store
from chatbot.index.embed import Embedded, LocalEngine
from chatbot.index.plan import BuildPlan, plan_build
from chatbot.index.reuse import StoredRows
from chatbot.index.writer import IndexWriter
from chatbot.ingest.chunking import chunking_record
from chatbot.ingest.corpus import file_format
from chatbot.settings import ChunkSettings
from chatbot.text import TOKENIZER_VERSION
from chatbot.types import Article, BuildReport

log = logging.getLogger(__name__)

ENGINES = ("local", "ray")


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
    engine: str = "local",
    ray_options: dict[str, Any] | None = None,
) -> BuildReport:
    """Update ``index_dir`` to match ``corpus_dir``; embed only what changed.

    ``model``, ``backend`` and ``settings`` default to those of the existing index (or the
    bundled model, ``DEFAULT_BACKEND`` and default chunking for a new one).  ``embedder``
    overrides ``model`` and ``backend`` (tests pass a fake).
    With ``dry_run`` nothing is embedded or written: the report says what a build would do.
    A damaged index (a file missing or not matching its checksum) is rebuilt in full, as is any
    index with ``force``.  ``engine`` "ray" embeds on a Ray cluster (``ray_options``: see
    ``ray_engine.RayOptions``); the index is the same as the local engine's.
    """
    if engine not in ENGINES:
        raise ChatbotError(f"Unknown build engine {engine!r}; choose one of {', '.join(ENGINES)}")
    started = time.perf_counter()
    plan = plan_build(corpus_dir, index_dir, model=model, settings=settings, embedder=embedder, backend=backend, force=force)
    if plan.is_noop:
        return plan.report(chunks_total=plan.old_manifest["counts"]["chunks"], seconds=time.perf_counter() - started)
    if dry_run:
        return plan.report(dry_run=True, chunks_embedded=plan.chunks_to_embed, seconds=time.perf_counter() - started)
    embedding = _engine(plan, engine, embedder, ray_options)
    with store.build_lock(plan.index_dir):
        store.remove_leftovers(plan.index_dir)
        stored = _stored_rows(plan)
        # Everything without usable stored rows is embedded (all of it when the old rows cannot be read).
        to_embed = [a for a in plan.articles if stored is None or a.article_id not in stored]
        stream = embedding.embed(to_embed, progress=progress, chunks=plan.chunks_to_embed)
        with store.new_index(plan.index_dir, embedding.dimension) as writer:
            embedded = _write_rows(plan, stored, stream, writer)
            manifest = store.publish(writer, plan.index_dir, _manifest(plan, embedding.model_record))
    return plan.report(chunks_embedded=embedded, chunks_total=manifest["counts"]["chunks"],
                       seconds=time.perf_counter() - started)


def _engine(plan: BuildPlan, engine: str, embedder: Embedder | None, ray_options: dict[str, Any] | None) -> Any:
    if engine == "ray":
        from chatbot.index.ray_engine import RayEngine

        return RayEngine(plan, embedder=embedder, **(ray_options or {}))
    return LocalEngine(embedder or load_embedder(plan.model_name, backend=plan.backend), plan.settings, plan.index_dir)


def _write_rows(plan: BuildPlan, stored: StoredRows | None, embedded: Iterator[Embedded], writer: IndexWriter) -> int:
    """Every article's rows in corpus order, and its manifest record: stored rows, or the next article of the
    engine's stream.  Returns how many chunks were embedded."""
    count = 0
    old_records = plan.old_manifest["articles"] if plan.old_manifest else {}
    for article in plan.articles:
        if stored is not None and article.article_id in stored:
            try:
                rows = stored.rows(article.article_id)
            except (OSError, ValueError, KeyError) as exc:
                raise IndexFormatError(f"The stored rows of {article.article_id!r} could not be read ({exc}); "
                                       f"run the build again with --force") from exc
            writer.add(*rows)
            # Same content hash: the same title, url, source and dates; the file may have moved.
            writer.add_article(article.article_id, {**old_records[article.article_id], "path": article.path,
                                                    "format": file_format(article.path),
                                                    "chunks": len(rows[0])})
            continue
        item = next(embedded, None)
        if item is None or item.article_id != article.article_id:
            raise ChatbotError(f"The embedding engine returned {item.article_id if item else 'nothing'!r} "
                               f"where {article.article_id!r} was expected")
        if item.article is not None:
            writer.add(item.chunks, item.vectors, item.sentences)
            writer.add_article(article.article_id, _record(item.article, len(item.chunks)))
            count += len(item.chunks)
    return count


def _record(article: Article, chunks: int) -> dict[str, Any]:
    """What the manifest keeps of an article."""
    return {"content_hash": article.content_hash, "title": article.title, "url": article.url, "path": article.path,
            "source": article.source, "reviewed": article.reviewed, "review_due": article.review_due,
            "format": article.format, "chunks": chunks}


def _stored_rows(plan: BuildPlan) -> StoredRows | None:
    if not plan.reusable:
        return None
    try:
        stored = StoredRows(plan.index_dir, plan.old_manifest, plan.reusable)
    except (OSError, ValueError, KeyError, ChatbotError) as exc:
        log.warning("Cannot reuse the existing index (%s); embedding everything", exc)
        return None
    lost = [aid for aid in plan.reusable if aid not in stored]
    if lost:
        log.warning("Re-embedding %d articles whose stored rows could not be found", len(lost))
    return stored


def _manifest(plan: BuildPlan, model: dict[str, Any]) -> dict[str, Any]:
    """What the manifest says of the build; ``store.publish`` adds the articles' records (from the writer),
    counts, checksums and times."""
    return {
        "format": "chatbot-index",
        "chatbot_version": __version__,
        "created_at": (plan.old_manifest or {}).get("created_at") or store.utc_now(),
        "model": model,
        "chunking": chunking_record(plan.settings),
        "lexical": {"tokenizer_version": TOKENIZER_VERSION},
        "libraries": {lib: _version(lib) for lib in ("faiss-cpu", "sentence-transformers", "onnxruntime")},
    }


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
