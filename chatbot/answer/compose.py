"""Templates: turn selected passages into the markdown a reader sees.

Pure functions.  Template text only frames; every sentence of substance is a quote, and
each quote is followed by its citation ``[n]``.  Every answer ends with the see-a-doctor
notice.  Text from articles and from the user is escaped, so it shows as text and never
as markup or HTML.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from chatbot.search.query import Question
from chatbot.answer.safety import DOCTOR_NOTICE
from chatbot.answer.selection import Passage, names_both, unanswered_parts
from chatbot.types import Citation

OPENINGS = {
    "doctor": "What the articles say about which doctor to see:",
    "diagnosis": "What the articles say about how this is looked into and tested:",
    "treatment": "What the articles say about treatment:",
    "prevention": "What the articles say about prevention:",
    "risk": "What the articles say about who is at risk:",
    "complications": "What the articles say about complications and risks:",
    "outlook": "What the articles say about the outlook:",
    "types": "What the articles say about the types:",
    "symptoms": "What the articles say about symptoms and signs:",
    "causes": "What the articles say about causes:",
    "genetics": "What the articles say about genes and inheritance:",
    "prevalence": "What the articles say about how common it is:",
    "definition": "What the articles say:",
    "causal": "What the articles say:",
    "yes_no": "What the articles say that comes closest to your question:",
    "other": "What the articles say that comes closest to your question:",
}
# Characters that could turn quoted text into markup: emphasis, links, code, HTML, tables.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
NOTICE_SEPARATOR = "\n\n---\n\n"


def escape(text: str) -> str:
    """Plain text for markdown: whitespace folded, markup characters backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def with_notice(markdown: str) -> str:
    return f"{markdown.rstrip()}{NOTICE_SEPARATOR}{DOCTOR_NOTICE}"


def compose_answer(question: Question, passages: Sequence[Passage], *, lead: str = "", opening: str = "",
                   link_line: bool = True, articles: Mapping[str, Mapping] | None = None,
                   ) -> tuple[str, tuple[Citation, ...]]:
    """The markdown and citations of an answer quoting ``passages`` in order.

    ``lead`` (a notice) goes first when given; ``opening`` replaces the heading the kind of
    question would get; ``link_line=False`` leaves out the "speak of both X and Y" line (a
    diagnosis request must never read as a yes) and the line naming a part of the question no
    quote speaks to.  ``articles`` (the index manifest's article
    records) gives each source its organisation and review date.
    """
    records = [(articles or {}).get(p.article_id, {}) for p in passages]
    citations = tuple(
        Citation(n, p.article_id, p.title, p.url, p.section, p.text, p.start, p.end,
                 source=str(record.get("source") or ""), reviewed=str(record.get("reviewed") or ""))
        for n, (p, record) in enumerate(zip(passages, records), 1)
    )
    parts = [lead] if lead else []
    # where the kind of question is not clear, the heading does not guess
    # (nor for a message that asks several)
    sure = question.intent_sure and not question.parts
    heading = OPENINGS.get(question.intent, OPENINGS["other"]) if sure else OPENINGS["other"]
    parts.append(opening or f"**{heading}**")
    parts.append("\n".join(_bullet(p, c.n) for p, c in zip(passages, citations)))
    line = _causal_line(question, passages, citations) if link_line else ""
    if line:
        parts.append(line)
    for asked, words in unanswered_parts(question, passages) if link_line else ():
        named = ", ".join(f"*{escape(w)}*" for w in words)
        parts.append(f"None of the quotes above names {named}: the articles may not answer “{escape(asked)}”.")
    parts.append("**Sources**\n\n" + "\n".join(_sources(citations)))
    return with_notice("\n\n".join(parts)), citations


def _bullet(p: Passage, n: int) -> str:
    if not p.items:
        return f"- {escape(p.text)} [{n}]"
    heading = escape(p.lead) if p.lead else f"{escape(p.section)}:"
    return f"- {heading} [{n}]\n" + "\n".join(f"  - {escape(item)}" for item in p.items)


def _causal_line(question: Question, passages: Sequence[Passage], citations: Sequence[Citation]) -> str:
    if question.intent != "causal" or not (question.cause and question.effect):
        return ""
    cause, effect = escape(question.cause), escape(question.effect)
    linked = [f"[{c.n}]" for p, c in zip(passages, citations) if names_both(question, p)]
    if len(linked) == 1:
        return (f"The passage {linked[0]} speaks of both *{cause}* and *{effect}*; "
                "read it for exactly how the article connects them.")
    if linked:
        refs = ", ".join(linked[:-1]) + f" and {linked[-1]}"
        return (f"The passages {refs} speak of both *{cause}* and *{effect}*; "
                "read them for exactly how the articles connect them.")
    return (f"None of the quotes above names both *{cause}* and *{effect}*; they are the closest the articles "
            "I found come to your question.")


def _sources(citations: Sequence[Citation]) -> list[str]:
    """One line per article, in the order first cited: the markers that cite it, its title, the
    sections quoted (each once), who published it and when it was reviewed (when known) and its link."""
    by_article: dict[str, list[Citation]] = {}
    for c in citations:
        by_article.setdefault(c.article_id, []).append(c)
    lines = []
    for cited in by_article.values():
        first = cited[0]
        markers = ", ".join(f"[{c.n}]" for c in cited)
        sections = "; ".join(escape(s) for s in dict.fromkeys(c.section for c in cited if c.section))
        where = f"{escape(first.title)} — {sections}" if sections else escape(first.title)
        facts = ", ".join(fact for fact in (first.source and f"from {escape(first.source)}",
                                            first.reviewed and f"reviewed {first.reviewed}") if fact)
        if facts:
            where += f". {facts[0].upper()}{facts[1:]}"
        lines.append(f"{markers} {where}" + (f" (<{first.url}>)" if first.url else ""))
    return lines


def compose_out_of_scope(topics: Sequence[str], total_articles: int, *, lead: str = "") -> str:
    """A refusal that names what the articles do cover."""
    if total_articles <= len(topics):
        covered = f"They cover {total_articles} topic{'s' if total_articles != 1 else ''}:"
    else:
        covered = f"They hold {total_articles:,} articles; the closest to your question are:"
    lines = "\n".join(f"- {escape(t)}" for t in topics)
    return with_notice((f"{lead}\n\n" if lead else "") +
        "**I can't answer that from my sources.** I only answer from a set of health articles, "
        f"and they do not cover this question.\n\n{covered}\n\n{lines}\n\n"
        "You could ask about one of these, or ask a doctor or pharmacist."
    )


def compose_urgent_only(lead: str) -> str:
    """An emergency answer when the articles have nothing to add."""
    return with_notice(lead)


def compose_invalid(message: str, *, lead: str = "") -> str:
    return with_notice((f"{lead}\n\n" if lead else "") + f"**I couldn't read that as a question.** {message}")


def compose_other_language(language: str, lead: str = "") -> str:
    """A message not in English: the bot reads English only, said in the reader's language where it can."""
    from chatbot.triage.languages import DOCTOR, ENGLISH_ONLY

    parts = [lead] if lead else []
    if language in ENGLISH_ONLY:
        parts.append(ENGLISH_ONLY[language])
    parts.append("**I can only read questions in English.** Please ask your question in English. In an emergency, "
                 "call your local emergency number now (112 in Europe, 911 in the Americas, 999 in the UK).")
    if language in DOCTOR:
        parts.append(DOCTOR[language])
    return with_notice("\n\n".join(parts))
