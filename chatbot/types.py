"""Frozen records passed between the pipeline stages.

corpus files -> Article -> Chunk -> (index) -> Hit -> Answer.  Library results double
as the command line's JSON output, so every record has ``to_dict``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


def _as_dict(record: Any) -> dict[str, Any]:
    return dataclasses.asdict(record)


@dataclass(frozen=True)
class Section:
    """A heading and the span of its body in ``Article.text`` (heading line excluded)."""

    heading: str
    start: int
    end: int


@dataclass(frozen=True)
class Article:
    """One corpus file, parsed.

    ``text`` is the article's readable text (headings included, page furniture dropped);
    every offset elsewhere in the package points into it, and every quote is a substring of it.
    """

    article_id: str
    title: str
    text: str
    sections: tuple[Section, ...]
    url: str = ""
    source: str = ""                # the organisation that published it (front matter ``source``)
    path: str = ""
    content_hash: str = ""
    reviewed: str = ""              # ISO date it was last reviewed (front matter ``reviewed``), "" if not given
    review_due: str = ""            # ISO date its next review is due (front matter ``review_due``), "" if not given
    format: str = ""                # the file's format: md, txt, html, htm, pdf or docx

    to_dict = _as_dict


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """An article as a build's plan keeps it: its id and where to read it again."""

    article_id: str
    path: str


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: ``article.text[start:end] == text``.

    ``section_start`` is where its section's body starts: it tells apart two sections with the
    same heading (MedQuAD pages repeat "Overview" for each answer they hold).
    """

    article_id: str
    title: str
    url: str
    section: str
    text: str
    start: int
    end: int
    section_start: int

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))  # flat fields: a copy of the attributes (asdict is slow at 50,000 chunks)


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its score (higher is better; how it is made depends on the search
    mode) and its cosine ``similarity`` with the query's embedding.

    ``row`` is the chunk's row in the index it came from (-1 if not from an index) and
    ``section_start`` where the body of its section starts in the article (-1 if not known); they
    are for the answering code and not part of ``to_dict``: rows change with every build.
    """

    article_id: str
    title: str
    url: str
    section: str
    text: str
    start: int
    end: int
    score: float
    similarity: float = 0.0
    section_start: int = field(default=-1, compare=False)  # where its section's body starts (-1: not known)
    row: int = field(default=-1, compare=False)

    @classmethod
    def of(cls, chunk: Chunk, *, row: int, score: float, similarity: float = 0.0) -> "Hit":
        """The hit of an indexed chunk."""
        return cls(article_id=chunk.article_id, title=chunk.title, url=chunk.url, section=chunk.section,
                   text=chunk.text, start=chunk.start, end=chunk.end, score=score, similarity=similarity,
                   section_start=chunk.section_start, row=row)

    def to_dict(self) -> dict[str, Any]:
        record = _as_dict(self)
        del record["row"], record["section_start"]
        return record


@dataclass(frozen=True)
class BuildReport:
    """What ``build_index`` did (or, with ``dry_run``, would do)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    chunks_embedded: int = 0
    chunks_total: int = 0
    full_rebuild: bool = False
    reason: str = ""
    seconds: float = 0.0
    dry_run: bool = False
    index_dir: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_noop(self) -> bool:
        return not (self.added or self.changed or self.removed or self.full_rebuild or self.reason)

    def to_dict(self) -> dict[str, Any]:
        counts = {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "skipped": len(self.skipped),
        }
        return {**_as_dict(self), "counts": counts}


@dataclass(frozen=True)
class Citation:
    """Source ``[n]`` of an answer: ``quote`` is exact text of the article at ``start:end``.

    ``source`` (the publishing organisation) and ``reviewed`` (ISO date) are the article's, "" when
    it does not say."""

    n: int
    article_id: str
    title: str
    url: str
    section: str
    quote: str
    start: int
    end: int
    source: str = ""
    reviewed: str = ""

    to_dict = _as_dict


ANSWER_KINDS = ("answer", "out_of_scope", "urgent", "invalid")
TRIAGE_LEVELS = ("emergency", "crisis", "same_day", "routine")


@dataclass(frozen=True)
class Answer:
    """What the bot says.  ``markdown`` is the whole text shown to the reader and always ends
    with the see-a-doctor notice; ``kind`` is one of ``ANSWER_KINDS``.

    ``triage`` is one of ``TRIAGE_LEVELS``: ``kind == "urgent"`` exactly when it is emergency or
    crisis.  ``red_flags`` names what was recognised (in this message or, until the user says it
    is over, earlier in the conversation); ``language`` is the message's (ISO 639-1);
    ``request`` is "diagnosis" or "dose" when the message asks for one.
    """

    question: str
    kind: str
    markdown: str
    citations: tuple[Citation, ...] = ()
    intent: str = ""
    red_flags: tuple[str, ...] = ()
    confidence: float = 0.0
    triage: str = "routine"
    language: str = "en"
    request: str = ""

    to_dict = _as_dict
