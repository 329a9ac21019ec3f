"""Markdown and plain-text articles as blocks (heading, body), and the text assembled from blocks.

Shared by every format's reader: ``is_furniture`` drops lines a web page adds around an
article (share buttons, photo credits); ``assemble`` joins blocks into ``Article.text`` with
its sections' offsets.
"""

from __future__ import annotations

import re

from chatbot.errors import CorpusError
from chatbot.text import LIST_MARKER
from chatbot.types import Section

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


def is_furniture(line: str) -> bool:
    return any(p.search(line) for p in _FURNITURE)


def clean_lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n") if not is_furniture(line)]


Block = tuple[str, str]  # (heading, body); heading "" for text before the first heading


def split_front_matter(raw: str) -> tuple[dict, str]:
    """The YAML front matter between ``---`` lines at the top (``{}`` when there is none) and the rest."""
    if not raw.startswith("---"):
        return {}, raw
    import frontmatter  # python-frontmatter; imported here to keep `import chatbot` light

    try:
        post = frontmatter.loads(raw)
    except Exception as exc:  # yaml raises several types; all mean the same to an editor
        raise CorpusError(f"its front matter is not valid YAML ({type(exc).__name__}); fix or remove it") from None
    if not isinstance(post.metadata, dict):
        raise CorpusError("its front matter is not a mapping of keys to values")
    return post.metadata, post.content


def parse_markdown(content: str, title: str = "") -> tuple[str, list[Block]]:
    """Title and blocks of Markdown (front matter removed): ``#`` headings are sections; the first
    ``#`` heading is the title unless ``title`` is given."""
    blocks: list[Block] = []
    heading, body = "", []
    for line in clean_lines(content):
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
    return title, blocks


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


def parse_text(raw: str) -> tuple[str, list[Block]]:
    lines = clean_lines(raw)
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


def assemble(blocks: list[Block]) -> tuple[str, list[Section]]:
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
