"""PDF and Word (.docx) files as articles.

PDF (pypdf): text PDFs only.  Lines bigger than the body text are headings; running headers,
footers and page numbers (lines repeated at the top or bottom of most pages, "Page 3 of 7")
are dropped; wrapped lines are joined back into paragraphs.  The title is the document's
metadata title, or its first heading.  A PDF with no text layer (scanned) is refused, saying so.

Word (python-docx): the Title style or the document's title property is the title, Heading
styles are sections, list paragraphs are list items, tables are read row by row.
"""

from __future__ import annotations

import io
import zipfile
import re
from collections import Counter

from chatbot.errors import CorpusError
from chatbot.ingest.plain import Block, is_furniture

_PAGE_NUMBER = re.compile(r"^\s*(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?\s*$|^\s*[-–]\s*\d{1,4}\s*[-–]\s*$", re.I)
_BULLET = re.compile(r"^\s*([-•◦▪●‣*]|\d{1,2}[.)])\s+")
_SENTENCE_END = tuple(".!?:;")
_JUNK_TITLE = re.compile(r"^(untitled|microsoft word\b|document\d*$)|\.(docx?|pdf)$", re.I)
Line = tuple[str, float]  # text, font size


def parse_pdf(data: bytes) -> tuple[str, list[Block]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError("the PDF is password-protected; save an unprotected copy")
        pages = [_page_lines(page) for page in reader.pages]
        meta_title = str((reader.metadata or {}).get("/Title") or "").strip()
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorpusError(f"it is not a readable PDF ({type(exc).__name__}: {str(exc)[:80]})") from None
    if not any(text for lines in pages for text, _ in lines):
        raise CorpusError("the PDF has no text layer (a scanned document?); run OCR on it or add the text "
                          "as a .txt or .md article")
    lines = [line for page in _drop_page_furniture(pages) for line in page]
    body_size = _body_size(lines)
    title = meta_title if meta_title and not _JUNK_TITLE.search(meta_title) else ""
    blocks: list[Block] = []
    heading, body = "", []
    for text, size in lines:
        if size >= body_size * 1.15 and _heading_like(text):
            if not title and not blocks and not any(body):
                title = text
                continue
            blocks.append((heading, _reflow(body)))
            heading, body = ("" if text == title else text), []
        else:
            body.append(text)
    blocks.append((heading, _reflow(body)))
    return title, blocks


def _page_lines(page) -> list[Line]:
    """The page's lines with the font size most of each line's characters have."""
    lines: list[Line] = []
    parts: list[tuple[str, float]] = []

    def end_line() -> None:
        text = " ".join("".join(t for t, _ in parts).split())
        if text:
            sizes = Counter()
            for t, size in parts:
                sizes[size] += len(t.strip())
            lines.append((text, sizes.most_common(1)[0][0]))
        parts.clear()

    def visit(text, cm, tm, font_dict, font_size) -> None:
        scale = abs(tm[3] * cm[3]) or 1.0
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                end_line()
            if piece:
                parts.append((piece, round(float(font_size) * scale, 1)))

    page.extract_text(visitor_text=visit)
    end_line()
    return lines


def _drop_page_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Drop page numbers, and short lines repeated as the first or last line of at least half the pages
    (running headers and footers)."""
    def key(text: str) -> str:
        return re.sub(r"\d+", "#", text.casefold())

    edge_counts = Counter()
    for lines in pages:
        lines = [(t, s) for t, s in lines if not _PAGE_NUMBER.match(t)]
        edge_counts.update({key(t) for t, _ in lines[:1] + lines[-1:] if len(t.split()) <= 12})
    repeated = {k for k, n in edge_counts.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    return [[(t, s) for t, s in lines if not _PAGE_NUMBER.match(t) and key(t) not in repeated and not is_furniture(t)]
            for lines in pages]


def _body_size(lines: list[Line]) -> float:
    sizes = Counter()
    for text, size in lines:
        sizes[size] += len(text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _heading_like(text: str) -> bool:
    return len(text.split()) <= 14 and not text.endswith(_SENTENCE_END[:3]) and not _BULLET.match(text)


def _reflow(lines: list[str]) -> str:
    """Join a PDF's wrapped lines into paragraphs; list items stay one per line."""
    if not lines:
        return ""
    longest = max(len(t) for t in lines)
    paragraphs: list[str] = []
    for text in lines:
        item = _BULLET.match(text)
        if item:
            paragraphs.append("- " + text[item.end():])
            continue
        previous = paragraphs[-1] if paragraphs else ""
        ends_paragraph = previous.endswith(_SENTENCE_END) and len(previous.rsplit("\n", 1)[-1]) < 0.85 * longest
        if previous and not previous.startswith("- ") and not ends_paragraph:
            paragraphs[-1] = previous + ("" if previous.endswith("-") else " ") + text
        elif previous.startswith("- ") and not previous.endswith(_SENTENCE_END) and text[:1].islower():
            paragraphs[-1] = previous + " " + text  # a list item wrapped onto the next line
        else:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def parse_docx(data: bytes) -> tuple[str, list[Block]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise CorpusError(f"it is not a readable Word .docx file ({type(exc).__name__}); "
                          "save it as .docx (Word 2007 or later)") from None
    title = (document.core_properties.title or "").strip()
    blocks: list[Block] = []
    heading, body = "", []
    for kind, text in _docx_paragraphs(document):
        if kind == "title" or (kind == "h" and not title and not blocks and not body):
            title = title or text
        elif kind == "h":
            blocks.append((heading, "\n\n".join(body)))
            heading, body = ("" if text == title else text), []
        else:
            body.append(f"- {text}" if kind == "li" else text)
    blocks.append((heading, "\n\n".join(body)))
    return title, blocks


def _docx_paragraphs(document) -> list[tuple[str, str]]:
    """(kind, text) in document order; kind "title", "h", "li" or "p"."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[tuple[str, str]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(" ".join(c.text.split()) for c in row.cells))  # merged cells repeat
                out.append(("p", " | ".join(c for c in cells if c)))
            continue
        if not isinstance(item, Paragraph):
            continue
        text = " ".join(item.text.split())
        style = (item.style.name if item.style is not None else "").casefold()
        numbered = item._p.pPr is not None and item._p.pPr.numPr is not None
        kind = ("title" if style == "title" else "h" if style.startswith("heading") else
                "li" if numbered or style.startswith("list") else "p")
        out.append((kind, text))
    return [(kind, text) for kind, text in out if text and not is_furniture(text)]
