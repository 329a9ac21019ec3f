"""Read corpus files into ``Article``s.

Formats: ``.md`` (optional YAML front matter; ``#`` headings are sections), ``.txt`` (first
line is the title; one-line headings detected) and ``.html`` (visible text; title from
``<title>``/``<h1>``).  A file that cannot be used is skipped with a warning naming it; the
rest of the corpus still loads.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from chatbot.errors import CorpusError
from chatbot.text import LIST_MARKER
from chatbot.types import Article, Section

log = logging.getLogger(__name__)

SUFFIXES = (".md", ".txt", ".html", ".htm")
MAX_ARTICLE_BYTES = 5_000_000
# Bump when parsing changes what an article's text is, so incremental builds re-embed.
LOADER_VERSION = 2
_ISO_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
# Front matter keys that give the date an article was last reviewed (the first one present counts).
REVIEWED_KEYS = ("reviewed", "last_reviewed", "review_date", "updated")

# Lines that belong to the web page the article was copied from, not to the article.
_FURNITURE = [
    re.compile(r"share on (pinterest|facebook|twitter|x)\b", re.I),
    re.compile(r"^\s*(photo|image|illustration)\s*(credit|by|courtesy)\b.{0,80}$", re.I),
    re.compile(
        r"^\s*[\w .,'&-]{0,60}/\s*(getty images|shutterstock|stocksy( united)?|adobe stock|"
        r"istock(photo)?|alamy|science photo library)\s*$",
        re.I,
    ),
]
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_HEADING_END_PUNCT = tuple(".!?:;,…\"'”")


@dataclass
class CorpusLoad:
    """The articles read from a folder and the files that were skipped, with why."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def load_corpus(corpus_dir: str | Path) -> CorpusLoad:
    """Read every supported file under ``corpus_dir`` (recursively), in path order."""
    root = Path(corpus_dir)
    if not root.is_dir():
        raise CorpusError(
            f"Corpus folder {str(root)!r} does not exist or is not a folder. "
            "Pass --corpus DIR with your articles (.md, .txt, .html)."
        )
    result = CorpusLoad()
    seen: dict[str, str] = {}
    resolved_root = root.resolve()

    def skip(path: Path, reason: str) -> None:
        log.warning("Skipping %s: %s", path, reason)
        result.skipped.append((str(path), reason))

    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue  # hidden files and folders (editor swap files, .DS_Store, ...)
        if path.suffix.lower() not in SUFFIXES:
            skip(path, f"unsupported file type {path.suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}")
            continue
        if not path.resolve().is_relative_to(resolved_root):
            skip(path, "it links to a file outside the corpus folder")
            continue
        article_id = rel.with_suffix("").as_posix()
        if article_id in seen:
            skip(path, f"article id {article_id!r} is already used by {seen[article_id]}; rename one of them")
            continue
        try:
            article = load_article(path, article_id)
        except CorpusError as exc:
            skip(path, str(exc))
            continue
        seen[article_id] = str(path)
        result.articles.append(article)
    return result


def load_article(path: str | Path, article_id: str) -> Article:
    """Parse one file.  Raises ``CorpusError`` saying why it cannot be used."""
    path = Path(path)
    raw = _read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".md":
        meta, title, blocks = _parse_markdown(raw)
    elif suffix == ".txt":
        meta, title, blocks = {}, *_parse_text(raw)
    else:
        meta, title, blocks = {}, *_parse_html(raw)
    title = title or path.stem.replace("-", " ").replace("_", " ")
    text, sections = _assemble(blocks)
    if not text.strip():
        raise CorpusError("it has no article text after its title")
    url = str(meta.get("url") or "")
    source = " ".join(str(meta.get("source") or "").split())
    reviewed = review_date(meta, path)
    digest = hashlib.sha256(
        json.dumps([LOADER_VERSION, title, url, source, reviewed, text], ensure_ascii=False).encode()
    ).hexdigest()
    return Article(
        article_id=article_id,
        title=title,
        text=text,
        sections=tuple(sections),
        url=url,
        source=source,
        path=str(path),
        content_hash=digest,
        reviewed=reviewed,
    )


def review_date(meta: dict, path: Path) -> str:
    """The ISO date (YYYY-MM-DD, YYYY-MM or YYYY) of the first review key in the front matter, or "".
    A value that is not such a date is left out, with a warning naming the file."""
    key = next((k for k in REVIEWED_KEYS if meta.get(k) not in (None, "")), None)
    if key is None:
        return ""
    value = meta[key]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    text = str(value).strip()
    if _ISO_DATE.fullmatch(text):
        return text
    log.warning("%s: front matter %s: %r is not a date like 2024-05-31; it is not shown", path, key, text[:40])
    return ""


def _read_text(path: Path) -> str:
    size = path.stat().st_size
    if size == 0:
        raise CorpusError("the file is empty")
    if size > MAX_ARTICLE_BYTES:
        raise CorpusError(f"the file is {size:,} bytes, over the {MAX_ARTICLE_BYTES:,}-byte limit for one article")
    data = path.read_bytes()
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


def _is_furniture(line: str) -> bool:
    return any(p.search(line) for p in _FURNITURE)


def _clean_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n") if not _is_furniture(line)]


Block = tuple[str, str]  # (heading, body); heading "" for text before the first heading


def _parse_markdown(raw: str) -> tuple[dict, str, list[Block]]:
    import frontmatter  # python-frontmatter; imported here to keep `import chatbot` light

    try:
        post = frontmatter.loads(raw)
    except Exception as exc:  # yaml raises several types; all mean the same to an editor
        raise CorpusError(f"its front matter is not valid YAML ({type(exc).__name__}); fix or remove it") from None
    if not isinstance(post.metadata, dict):
        raise CorpusError("its front matter is not a mapping of keys to values")
    title = str(post.metadata.get("title") or "").strip()
    blocks: list[Block] = []
    heading, body = "", []
    for line in _clean_lines(post.content):
        match = _MD_HEADING.match(line)
        if not match:
            body.append(line)
            continue
        blocks.append((heading, "\n".join(body)))
        heading, body = match.group(2).strip(), []
        if not title and len(match.group(1)) == 1:
            title = heading
        if heading == title and len(match.group(1)) == 1:
            heading = ""  # the page title is not a section of its own
    blocks.append((heading, "\n".join(body)))
    return post.metadata, title, blocks


def _looks_like_heading(line: str, previous: str, following: str | None) -> bool:
    """A one-line heading in plain text: short, unpunctuated, starts a new block of text."""
    stripped = line.strip()
    if not stripped or following is None or LIST_MARKER.match(line):
        return False
    if len(stripped) > 100 or len(stripped.split()) > 12 or stripped.endswith(_HEADING_END_PUNCT):
        return False
    if not (stripped[0].isupper() or stripped[0].isdigit()):
        return False
    prev = previous.strip()
    # Inside a paragraph (previous line unfinished) a short line is a wrapped sentence.
    return not prev or prev.endswith(_HEADING_END_PUNCT) or bool(LIST_MARKER.match(previous))


def _parse_text(raw: str) -> tuple[str, list[Block]]:
    lines = _clean_lines(raw)
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return "", []
    title = lines.pop(0).strip()
    # Some pages repeat the title (a page header, then the article's own heading).
    while lines and (not lines[0].strip() or lines[0].strip().casefold() == title.casefold()):
        lines.pop(0)
    blocks: list[Block] = []
    heading, body = "", []
    for i, line in enumerate(lines):
        previous = lines[i - 1] if i else ""
        following = next((nxt for nxt in lines[i + 1 :] if nxt.strip()), None)
        if _looks_like_heading(line, previous, following):
            blocks.append((heading, "\n".join(body)))
            heading, body = line.strip(), []
        elif line.strip() and i >= 2 and not previous.strip() and not lines[i - 2].strip() and heading:
            # Two blank lines where a page's heading was lost: the previous section ends here.
            blocks.append((heading, "\n".join(body)))
            heading, body = "", [line]
        else:
            body.append(line)
    blocks.append((heading, "\n".join(body)))
    return title, blocks


_HTML_DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "button")
_HTML_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HTML_BLOCKS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tr", "td", "th",
    "blockquote", "pre", "dl", "dt", "dd", "figure", "figcaption", "br", "hr", "body",
} | set(_HTML_HEADINGS)


def _parse_html(raw: str) -> tuple[str, list[Block]]:
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    title_tag = soup.find("title")
    h1 = soup.find("h1")
    title = " ".join((title_tag or h1).get_text(" ").split()) if (title_tag or h1) else ""
    if title_tag:
        title_tag.decompose()

    # Walk the tree once, flushing inline text at every block boundary.
    paragraphs: list[tuple[str, str]] = []  # (kind, text) with kind "h", "li" or "p"
    buffer: list[str] = []

    def flush(kind: str = "p") -> None:
        text = " ".join("".join(buffer).split())
        buffer.clear()
        if text:
            paragraphs.append((kind, text))

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # skip comments, doctype, CDATA
                    buffer.append(str(child))
            elif isinstance(child, Tag):
                if child.name in _HTML_BLOCKS:
                    flush()
                    walk(child)
                    kind = "h" if child.name in _HTML_HEADINGS else "li" if child.name == "li" else "p"
                    flush(kind)
                else:
                    walk(child)

    walk(soup)
    flush()
    blocks: list[Block] = []
    heading, body = "", []
    for kind, text in paragraphs:
        if kind == "h":
            blocks.append((heading, "\n\n".join(body)))
            heading, body = ("" if text == title else text), []
        else:
            body.append(f"- {text}" if kind == "li" else text)
    blocks.append((heading, "\n\n".join(body)))
    return title, blocks


def _assemble(blocks: list[Block]) -> tuple[str, list[Section]]:
    """Join blocks into one text, recording where each section's body lies in it."""
    parts: list[str] = []
    sections: list[Section] = []
    pos = 0
    for heading, body in blocks:
        body = re.sub(r"\n{3,}", "\n\n", body.strip("\n"))
        if not body.strip():
            continue
        if heading:
            parts.append(heading + "\n\n")
            pos += len(heading) + 2
        sections.append(Section(heading=heading, start=pos, end=pos + len(body)))
        parts.append(body + "\n\n")
        pos += len(body) + 2
    return "".join(parts).rstrip("\n"), sections
