"""What a build must do, worked out without embedding or writing anything.

``plan_build`` compares a corpus folder with an index's manifest: articles are matched by
content hash, and a different model, vector kind or chunking makes every stored vector stale
(a full rebuild, with the reason).  The plan is also the dry-run report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatbot.embedding import DEFAULT_BACKEND, DEFAULT_MODEL, Embedder, same_model, vector_kind
from chatbot.errors import ChatbotError, CorpusError
from chatbot.index import store
from chatbot.ingest.chunking import chunk_article, chunking_record
from chatbot.ingest.corpus import scan_corpus
from chatbot.settings import ChunkSettings
from chatbot.text import TOKENIZER_VERSION
from chatbot.types import Article, ArticleFile, BuildReport


@dataclass(frozen=True)
class BuildPlan:
    """The articles to embed, keep and drop, and how (model, backend, chunking).

    ``articles`` are the corpus's articles in order, as an id and a path each: neither their text
    nor their metadata is kept, so the plan stays small whatever the corpus size.
    """

    index_dir: Path
    articles: tuple[ArticleFile, ...]
    skipped: tuple[str, ...]
    old_manifest: dict[str, Any] | None
    model_name: str
    backend: str | None           # None: the default backend
    settings: ChunkSettings
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    reason: str = ""              # why every vector is made again ("" for an incremental build)
    rewrite: str = ""             # why the folder is rewritten although no vector changes
    chunks_to_embed: int = 0      # chunks of the added and changed articles (of every article when all are stale)

    @property
    def full_rebuild(self) -> bool:
        return bool(self.reason)

    @property
    def reusable(self) -> set[str]:
        """Articles whose stored rows can be kept as they are."""
        return set() if self.full_rebuild else set(self.unchanged)

    @property
    def is_noop(self) -> bool:
        return not (self.added or self.changed or self.removed or self.full_rebuild or self.rewrite)

    def report(self, **figures: Any) -> BuildReport:
        """The ``BuildReport`` of this plan, with the figures of the run (counts, seconds, dry_run)."""
        return BuildReport(added=self.added, changed=self.changed, removed=self.removed, unchanged=self.unchanged,
                           skipped=self.skipped, full_rebuild=self.full_rebuild,
                           reason=self.reason or self.rewrite, index_dir=str(self.index_dir), **figures)


def plan_build(corpus_dir: str | Path, index_dir: str | Path, *, model: str | None = None,
               settings: ChunkSettings | None = None, embedder: Embedder | None = None,
               backend: str | None = None, force: bool = False) -> BuildPlan:
    """What ``build_index`` with these arguments would do; reads the corpus and the manifest and checks
    the index files' checksums.  A damaged index, or ``force``, means a full rebuild."""
    index_dir = Path(index_dir)
    old, why_unusable = existing_manifest(index_dir)
    model_name = embedder.name if embedder else model or (old["model"]["name"] if old else DEFAULT_MODEL)
    old_backend = old["model"]["backend"] if old else None
    # Float32 backends make the same vectors, so only int8 sticks to an index unless asked for.
    if embedder:
        backend = embedder.backend
    elif not backend and old_backend and vector_kind(old_backend) != vector_kind(DEFAULT_BACKEND):
        backend = old_backend
    if settings is None:
        settings = ChunkSettings.from_dict(old["chunking"]) if old else ChunkSettings()
    damaged = store.damage(index_dir, old) if old else ""
    reason = (why_unusable or (f"the index is damaged: {damaged}" if damaged else "")
              or ("asked for (--force)" if force and old else "")
              or _why_every_vector_is_stale(old, model_name, old_backend, backend, settings))
    old_articles = old["articles"] if old else {}
    articles: list[ArticleFile] = []
    added, changed, unchanged = [], [], []
    chunks_to_embed = 0

    def note(article: Article) -> None:
        nonlocal chunks_to_embed
        articles.append(ArticleFile(article.article_id, article.path))
        previous = old_articles.get(article.article_id)
        edited = previous is not None and previous["content_hash"] != article.content_hash
        (added if previous is None else changed if edited else unchanged).append(article.article_id)
        if reason or previous is None or edited:
            chunks_to_embed += len(chunk_article(article, settings))

    skipped = scan_corpus(corpus_dir, note)
    if not articles:
        raise CorpusError(
            f"No readable article in '{corpus_dir}' ({len(skipped)} skipped). "
            "Add .md, .txt or .html files; the log above says why any were skipped."
        )
    removed = tuple(sorted(set(old_articles) - {a.article_id for a in articles}))
    return BuildPlan(index_dir=index_dir, articles=tuple(articles), skipped=tuple(path for path, _ in skipped),
                     old_manifest=old, model_name=model_name, backend=backend, settings=settings, added=tuple(added),
                     changed=tuple(changed), removed=removed, unchanged=tuple(unchanged), reason=reason,
                     rewrite=_why_rewrite(old), chunks_to_embed=chunks_to_embed)


def existing_manifest(index_dir: Path) -> tuple[dict | None, str]:
    """The current manifest, or None and why it cannot be built upon ("" when there is none)."""
    try:
        return store.read_manifest(index_dir, upgradable=True), ""
    except ChatbotError as exc:
        if not (index_dir / store.MANIFEST).exists():
            return None, ""
        return None, f"existing index unusable: {exc}"


def _why_every_vector_is_stale(old: dict | None, model_name: str, old_backend: str | None, backend: str | None,
                               settings: ChunkSettings) -> str:
    if old is None:
        return "new index"
    if not same_model(old["model"]["name"], model_name):
        return f"model changed from {old['model']['name']} to {model_name}"
    if vector_kind(old_backend) != vector_kind(backend or DEFAULT_BACKEND):
        return f"embedding backend changed from {old_backend} to {backend or DEFAULT_BACKEND} (their vectors differ)"
    if old.get("chunking") != chunking_record(settings):
        return f"chunking settings changed from {old.get('chunking')} to {chunking_record(settings)}"
    return ""


def _why_rewrite(old: dict | None) -> str:
    """A reason to rewrite an index whose vectors all stay valid: its BM25 tokens were made differently."""
    if old is None:
        return ""
    if old["format_version"] != store.FORMAT_VERSION:
        return f"index format {old['format_version']} is upgraded to {store.FORMAT_VERSION} (new BM25 files)"
    was = store.tokenizer_version(old)
    return "" if was == TOKENIZER_VERSION else f"BM25 tokenizer changed from version {was} to {TOKENIZER_VERSION}"
