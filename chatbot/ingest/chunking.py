"""Split an ``Article`` into ``Chunk``s: pure and deterministic.

A chunk never crosses a section boundary, never consists of a heading alone, and starts and
ends on sentence (or list item) boundaries unless one sentence is longer than a chunk.
Consecutive chunks of a section share up to ``overlap`` characters of whole sentences.
"""

from __future__ import annotations

import re
from typing import Iterator

from chatbot.settings import ChunkSettings
from chatbot.text import LIST_MARKER
from chatbot.types import Article, Chunk

Span = tuple[int, int]
# Bump when the chunking code changes what chunks it makes: indexes built before are rebuilt.
CHUNKER_VERSION = 2


def chunking_record(settings: ChunkSettings) -> dict:
    """What the manifest records of how an index was chunked: the settings and the chunker's version."""
    return {**settings.to_dict(), "chunker_version": CHUNKER_VERSION}


def chunk_article(article: Article, settings: ChunkSettings = ChunkSettings()) -> list[Chunk]:
    """All chunks of ``article``, in text order."""
    chunks = []
    for section in article.sections:
        units = list(_units(article.text, section.start, section.end, settings.chunk_size))
        for start, end in _pack(units, settings.chunk_size, settings.overlap):
            chunks.append(
                Chunk(
                    article_id=article.article_id,
                    title=article.title,
                    url=article.url,
                    section=section.heading,
                    text=article.text[start:end],
                    start=start,
                    end=end,
                    section_start=section.start,
                )
            )
    return chunks


def embedding_text(chunk: Chunk, settings: ChunkSettings) -> str:
    """The text the embedding model sees for ``chunk``."""
    if not settings.embed_context:
        return chunk.text
    context = chunk.title if not chunk.section else f"{chunk.title}: {chunk.section}"
    return f"{context}\n{chunk.text}"


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence and list-item spans of ``text[start:end]``, whitespace trimmed, in order.

    Lines are split first (each bullet or paragraph line is its own unit), then sentences
    within a line with sentencex.
    """
    from sentencex import segment

    end = len(text) if end is None else end
    spans: list[Span] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start = start + line.start()
        pos = line_start
        for sentence in segment("en", line.group()):
            found = text.find(sentence, pos, start + line.end())
            if found < 0:  # the segmenter altered the text: keep the rest of the line whole
                found, sentence = pos, text[pos : start + line.end()]
            pos = found + len(sentence)
            span = _trim(text, found, pos)
            if span[0] < span[1]:
                spans.append(span)
    return spans


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end




def _units(text: str, start: int, end: int, max_len: int) -> Iterator[Span]:
    """Sentence spans, a list (with the sentence ending in ":" that introduces it) kept as one
    span when it fits, and any span longer than ``max_len`` cut at word boundaries."""
    for s, e in _group_lists(text, split_sentences(text, start, end), max_len):
        while e - s > max_len:
            cut = text.rfind(" ", s, s + max_len)
            cut = cut if cut > s else s + max_len
            yield _trim(text, s, cut)
            s = _trim(text, cut, e)[0]
        yield s, e


def _group_lists(text: str, spans: list[Span], max_len: int) -> list[Span]:
    grouped: list[Span] = []
    for s, e in spans:
        if grouped and LIST_MARKER.match(text, s):
            gs, ge = grouped[-1]
            joins = LIST_MARKER.match(text, gs) or text[gs:ge].endswith(":")
            if joins and e - gs <= max_len:
                grouped[-1] = (gs, e)
                continue
        grouped.append((s, e))
    return grouped


def _pack(units: list[Span], size: int, overlap: int) -> Iterator[Span]:
    """Greedily group consecutive units into spans of at most ``size`` characters."""
    i = 0
    while i < len(units):
        j = i
        while j + 1 < len(units) and units[j + 1][1] - units[i][0] <= size:
            j += 1
        yield units[i][0], units[j][1]
        if j + 1 >= len(units):
            return
        # Start the next chunk with the trailing units of this one that fit in `overlap`.
        nxt = j + 1
        while nxt - 1 > i and units[j][1] - units[nxt - 1][0] <= overlap:
            nxt -= 1
        i = nxt
