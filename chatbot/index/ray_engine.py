"""The Ray engine: the articles a build (re)embeds are read, chunked and embedded on a Ray cluster.

``build --engine ray`` plans and writes the index as the local engine does (``build.py``);
only the embedding moves.  A Ray Data pipeline takes the paths of the articles to embed, reads
and chunks them in tasks, and embeds the chunks in a pool of actors, one model per actor (the
ONNX backend on CPUs; torch on a GPU when the cluster has GPUs).  The rows come back to this
process in corpus order (Ray Data's ``preserve_order``), a batch at a time, and are written
into the index with the unchanged articles' stored rows, so the index is the same as the
local engine's and memory here stays bounded.  Without an address a local Ray is started
with this machine's CPUs and stopped at the end.

What goes where on a real cluster: the article files are read by the cluster's workers, so
the corpus must be at the same path on every node (a shared volume); the ``chatbot`` package
is shipped to the workers with the job (``py_modules``), its dependencies must be installed on
each node (``pip install -r requirements.txt``); chunk texts and vectors travel through Ray's
object store; only this process writes the index.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from chatbot.embedding import Embedder, load_embedder
from chatbot.errors import ChatbotError
from chatbot.index.embed import Embedded, embed_chunks, read_again
from chatbot.index.plan import BuildPlan
from chatbot.index.sentences import SentenceTable
from chatbot.settings import ChunkSettings
from chatbot.types import Article, ArticleFile, Chunk

log = logging.getLogger(__name__)

READ_BATCH = 32        # articles read and chunked per task
EMBED_BATCH = 256      # chunks per actor call


class RayEngine:
    """Embeds articles with a Ray Data pipeline: tasks read and chunk, an actor pool embeds."""

    def __init__(self, plan: BuildPlan, *, embedder: Embedder | None = None, address: str | None = None,
                 actors: int | None = None, batch_size: int = EMBED_BATCH, cpus_per_actor: float = 1,
                 use_gpus: bool = True) -> None:
        try:
            import ray  # noqa: F401
            import ray.data  # noqa: F401
        except ImportError as exc:
            raise ChatbotError(f"--engine ray needs Ray Data: pip install -r requirements-ray.txt ({exc})") from None
        model = embedder.name if embedder else plan.model_name
        backend = embedder.backend if embedder else plan.backend
        probe = embedder or load_embedder(model, backend=backend)  # fails here, before a cluster starts, if it cannot load
        self.dimension = probe.dimension
        self.plan, self.address, self.batch_size = plan, address, batch_size
        self.actors, self.cpus_per_actor, self.use_gpus = actors, cpus_per_actor, use_gpus
        self._model = (probe.name, probe.backend)
        self.model_record = {"name": probe.name, "dimension": probe.dimension, "backend": probe.backend}

    def embed(self, articles: list[ArticleFile], *, progress: bool = False, chunks: int = 0) -> Iterator[Embedded]:
        """Each of ``articles``, in order, read again and embedded on the cluster."""
        if not articles:
            return
        import ray

        started_here = not ray.is_initialized()
        if started_here:
            self._start(ray)
        try:
            yield from _in_articles(self._pipeline(articles, progress).iter_batches(batch_format="numpy"),
                                    articles, self.dimension)
        finally:
            if started_here:
                ray.shutdown()

    def _start(self, ray) -> None:
        package = str(Path(__file__).resolve().parents[1])
        if self.address:
            ray.init(address=self.address, runtime_env={"py_modules": [package]}, logging_level=logging.WARNING)
        else:  # a local Ray on this machine's CPUs; the workers import chatbot from here
            ray.init(num_cpus=os.cpu_count(), include_dashboard=False, logging_level=logging.WARNING,
                     runtime_env={"env_vars": {"PYTHONPATH": str(Path(package).parent)}})
        log.info("Ray cluster: %s", ray.cluster_resources())

    def _pipeline(self, articles: list[ArticleFile], progress: bool):
        import ray
        import ray.data

        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # rows come back in corpus order
        context.enable_progress_bars = progress
        if not progress:  # Ray Data also logs its progress every few seconds
            logging.getLogger("ray.data").setLevel(logging.WARNING)
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0)) if self.use_gpus else 0
        actors = self.actors or (gpus or max(1, int(resources.get("CPU", 1) // self.cpus_per_actor)))
        name, backend = self._model
        items = [{"article_id": a.article_id, "path": a.path} for a in articles]
        blocks = max(1, -(-len(items) // READ_BATCH))  # one block per read task, so every actor gets work
        return (ray.data.from_items(items, override_num_blocks=blocks)
                .map_batches(_read_and_chunk, batch_size=READ_BATCH, batch_format="numpy",
                             fn_kwargs={"settings": asdict(self.plan.settings)}, udf_modifying_row_count=True)
                .map_batches(ChunkEmbedder, batch_size=self.batch_size, batch_format="numpy", concurrency=actors,
                             fn_constructor_kwargs={"model": name, "backend": backend, "on_gpu": bool(gpus),
                                                    "settings": asdict(self.plan.settings),
                                                    "threads": max(1, int(self.cpus_per_actor))},
                             num_cpus=self.cpus_per_actor, num_gpus=1 if gpus else 0))


def _read_and_chunk(batch: dict[str, np.ndarray], settings: dict[str, Any]) -> dict[str, np.ndarray]:
    """A task: each article read again and chunked; one row per chunk (one empty row for an unreadable article)."""
    chunk_settings = ChunkSettings(**settings)
    ids, records, chunks = [], [], []
    for article_id, path in zip(batch["article_id"], batch["path"]):
        read = read_again(ArticleFile(str(article_id), str(path)), chunk_settings)
        full, article_chunks = read if read else (None, [])
        record = json.dumps({k: v for k, v in full.to_dict().items() if k not in ("text", "sections")}) if full else ""
        for chunk in article_chunks or [None]:
            ids.append(str(article_id))
            records.append(record)
            chunks.append(json.dumps(chunk.to_dict(), ensure_ascii=False) if chunk else "")
    return {"article_id": np.array(ids, dtype=object), "article": np.array(records, dtype=object),
            "chunk": np.array(chunks, dtype=object)}


class ChunkEmbedder:
    """An actor: one model, loaded once, embedding batches of chunks and their sentences."""

    def __init__(self, model: str, backend: str | None, on_gpu: bool, settings: dict[str, Any], threads: int) -> None:
        self.embedder = load_embedder(model, device="cuda" if on_gpu else None, backend=None if on_gpu else backend,
                                      threads=threads)
        self.settings = ChunkSettings(**settings)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        present = [i for i, text in enumerate(batch["chunk"]) if text]
        chunks = [Chunk(**json.loads(batch["chunk"][i])) for i in present]
        d = self.embedder.dimension
        vectors = np.zeros((len(batch["chunk"]), d), dtype=np.float32)
        spans, tokens, sentence_vectors = (np.array([b""] * len(vectors), dtype=object) for _ in range(3))
        if chunks:
            embedded, sentences = embed_chunks(self.embedder, chunks, self.settings)
            vectors[present] = embedded
            for row, (sp, tk, vc) in zip(present, sentences):
                spans[row] = np.asarray(sp, dtype=np.int32).tobytes()
                tokens[row] = np.asarray(tk, dtype=np.int32).tobytes()
                sentence_vectors[row] = np.asarray(vc, dtype=np.float32).tobytes()
        return {**batch, "vector": vectors, "spans": spans, "tokens": tokens, "sentence_vectors": sentence_vectors}


def _in_articles(batches, articles: list[ArticleFile], dimension: int) -> Iterator[Embedded]:
    """The pipeline's rows (one per chunk, in order) grouped back into one ``Embedded`` per article."""
    expected = iter(articles)
    current: list[tuple[str, str, str, np.ndarray, bytes, bytes, bytes]] = []
    for batch in batches:
        for row in zip(batch["article_id"], batch["article"], batch["chunk"], batch["vector"], batch["spans"],
                       batch["tokens"], batch["sentence_vectors"]):
            if current and current[0][0] != row[0]:
                yield _article(current, next(expected), dimension)
                current = []
            current.append(row)
    if current:
        yield _article(current, next(expected), dimension)


def _article(rows: list, expected: ArticleFile, dimension: int) -> Embedded:
    article_id, record = str(rows[0][0]), rows[0][1]
    if article_id != expected.article_id:
        raise ChatbotError(f"Ray returned {article_id!r} where {expected.article_id!r} was expected")
    if not record:
        return Embedded(article_id, None, [], np.zeros((0, dimension), np.float32),
                        SentenceTable.from_chunks([], dimension))
    article = Article(**{**json.loads(record), "text": "", "sections": ()})
    chunks = [Chunk(**json.loads(r[2])) for r in rows]
    sentences = [(np.frombuffer(r[4], dtype=np.int32).reshape(-1, 2), np.frombuffer(r[5], dtype=np.int32).copy(),
                  np.frombuffer(r[6], dtype=np.float32).reshape(-1, dimension)) for r in rows]
    return Embedded(article_id, article, chunks, np.stack([np.asarray(r[3], dtype=np.float32) for r in rows]),
                    SentenceTable.from_chunks(sentences, dimension))
