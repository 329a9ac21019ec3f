"""Read corpus files into ``Article``s.

Formats: ``.md`` (YAML front matter; ``#`` headings are sections), ``.txt`` (first line is the
title; one-line headings detected; may start with the same front matter), ``.html`` (the
page's main content), ``.pdf`` (text PDFs) and ``.docx``.  Any article may have a sidecar,
``<id>.yaml`` beside it, with the same keys as front matter (front matter wins where both
set one).  A file that cannot be used is skipped with a warning naming it; the rest of the
corpus still loads.
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import json
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from chatbot.errors import CorpusError
from chatbot.ingest.plain import assemble, parse_markdown, parse_text, split_front_matter
from chatbot.types import Article

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".md", ".txt", ".html", ".htm")
DOCUMENT_SUFFIXES = (".pdf", ".docx")
SUFFIXES = TEXT_SUFFIXES + DOCUMENT_SUFFIXES
SIDECAR_SUFFIXES = (".yaml", ".yml")
MAX_ARTICLE_BYTES = 5_000_000    # a text article
MAX_DOCUMENT_BYTES = 25_000_000  # a PDF or Word file (images make them large)
# Bump when parsing changes what an article's text is, so incremental builds re-embed.
LOADER_VERSION = 3
_ISO_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
# Front matter keys that give the date an article was last reviewed (the first one present counts).
REVIEWED_KEYS = ("reviewed", "last_reviewed", "review_date", "updated")


@dataclass
class CorpusLoad:
    """The articles read from a folder and the files that were skipped, with why."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def load_corpus(corpus_dir: str | Path) -> CorpusLoad:
    """Read every supported file under ``corpus_dir`` (recursively), in path order."""
    result = CorpusLoad()
    result.skipped = scan_corpus(corpus_dir, result.articles.append)
    return result


def scan_corpus(corpus_dir: str | Path, visit: Callable[[Article], None]) -> list[tuple[str, str]]:
    """Call ``visit`` with each article under ``corpus_dir`` as it is read, in path order, and return the
    files skipped, with why.  Nothing but one folder's listing is held, so a build's plan can go through a
    corpus of any size without keeping it."""
    root = Path(corpus_dir)
    if not root.is_dir():
        raise CorpusError(
            f"Corpus folder {str(root)!r} does not exist or is not a folder. "
            f"Pass --corpus DIR with your articles ({', '.join(SUFFIXES)})."
        )
    skipped: list[tuple[str, str]] = []

    def skip(path: Path, reason: str) -> None:
        log.warning("Skipping %s: %s", path, reason)
        skipped.append((str(path), reason))

    _scan_folder(root, root, root.resolve(), visit, skip)
    return skipped


def _scan_folder(folder: Path, root: Path, resolved_root: Path, visit: Callable[[Article], None],
                 skip: Callable[[Path, str], None]) -> None:
    """One folder's files and subfolders, sorted by name (the order of sorted paths); hidden ones left out
    (editor swap files, .DS_Store, ...)."""
    names = sorted(name for name in os.listdir(folder) if not name.startswith("."))
    seen: dict[str, str] = {}  # article ids repeat only within a folder (x.md and x.txt)
    for name in names:
        path = folder / name
        mode = path.lstat().st_mode
        if stat.S_ISDIR(mode):
            _scan_folder(path, root, resolved_root, visit, skip)
            continue
        if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            continue
        stem, suffix = os.path.splitext(name)
        rel = path.relative_to(root)
        if suffix.lower() in SIDECAR_SUFFIXES:
            if not _has_article(names, stem):
                skip(path, f"it is a sidecar for article {rel.with_suffix('').as_posix()!r}, and there is no such article")
            continue
        if suffix.lower() not in SUFFIXES:
            skip(path, f"unsupported file type {suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}")
            continue
        if not path.resolve().is_relative_to(resolved_root):
            skip(path, "it links to a file outside the corpus folder")
            continue
        article_id = rel.with_suffix("").as_posix()
        if stem in seen:
            skip(path, f"article id {article_id!r} is already used by {seen[stem]}; rename one of them")
            continue
        try:
            article = load_article(path, article_id)
        except CorpusError as exc:
            skip(path, str(exc))
            continue
        seen[stem] = str(path)
        visit(article)


def _has_article(names: list[str], stem: str) -> bool:
    """Whether the sorted file names of a folder hold an article named ``stem`` (any supported suffix)."""
    prefix = stem + "."
    at = bisect.bisect_left(names, prefix)
    while at < len(names) and names[at].startswith(prefix):
        name_stem, suffix = os.path.splitext(names[at])
        if name_stem == stem and suffix.lower() in SUFFIXES:
            return True
        at += 1
    return False


def load_article(path: str | Path, article_id: str) -> Article:
    """Parse one file (and its sidecar, if any).  Raises ``CorpusError`` saying why it cannot be used."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CorpusError(f"unsupported file type {suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}")
    meta, title, blocks = _parse(path, suffix)
    meta = {**sidecar(path), **meta}
    title = " ".join(str(meta.get("title") or title or "").split()) or path.stem.replace("-", " ").replace("_", " ")
    text, sections = assemble(blocks)
    if not text.strip():
        raise CorpusError("it has no article text after its title")
    url = str(meta.get("url") or "").strip()
    source = " ".join(str(meta.get("source") or "").split())
    reviewed = review_date(meta, path)
    due = date_value(meta, "review_due", path)
    digest = hashlib.sha256(
        json.dumps([LOADER_VERSION, title, url, source, reviewed, due, text], ensure_ascii=False).encode()
    ).hexdigest()
    return Article(article_id=article_id, title=title, text=text, sections=tuple(sections), url=url, source=source,
                   path=str(path), content_hash=digest, reviewed=reviewed, review_due=due, format=file_format(path))


def file_format(path: str | Path) -> str:
    """An article's format as the manifest records it: its suffix, lower case, without the dot (md, pdf, ...)."""
    return Path(path).suffix.lower().lstrip(".")


def _parse(path: Path, suffix: str) -> tuple[dict, str, list]:
    """(metadata, title, blocks) of one file by its format."""
    from chatbot.ingest import documents, webpage

    if suffix in DOCUMENT_SUFFIXES:
        data = _read_bytes(path, MAX_DOCUMENT_BYTES)
        return {}, *(documents.parse_pdf(data) if suffix == ".pdf" else documents.parse_docx(data))
    raw = _read_text(path)
    if suffix in (".html", ".htm"):
        return webpage.parse_html(raw)
    meta, content = split_front_matter(raw)
    if suffix == ".md":
        return meta, *parse_markdown(content, str(meta.get("title") or "").strip())
    return meta, *parse_text(content)


def sidecar(path: Path) -> dict:
    """The keys of ``<id>.yaml`` (or ``.yml``) beside an article; {} when there is none."""
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            meta, _ = split_front_matter("---\n" + _read_text(candidate) + "\n---\n")
            return meta
    return {}


def review_date(meta: dict, path: Path) -> str:
    """The date of the first review key in the front matter, or "" (see ``date_value``)."""
    key = next((k for k in REVIEWED_KEYS if meta.get(k) not in (None, "")), None)
    return date_value(meta, key, path) if key else ""


def date_value(meta: dict, key: str, path: Path) -> str:
    """``meta[key]`` as an ISO date (YYYY-MM-DD, YYYY-MM or YYYY), or "".
    A value that is not such a date is left out, with a warning naming the file."""
    value = meta.get(key)
    if value in (None, ""):
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    text = str(value).strip()
    if _ISO_DATE.fullmatch(text):
        return text
    log.warning("%s: front matter %s: %r is not a date like 2024-05-31; it is not shown", path, key, text[:40])
    return ""


def _read_bytes(path: Path, limit: int) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise CorpusError("the file is empty")
    if size > limit:
        raise CorpusError(f"the file is {size:,} bytes, over the {limit:,}-byte limit for one article")
    return path.read_bytes()


def _read_text(path: Path) -> str:
    data = _read_bytes(path, MAX_ARTICLE_BYTES)
    if b"\x00" in data:
        raise CorpusError("it looks binary (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"it is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CorpusError("the file is empty")
    return text
