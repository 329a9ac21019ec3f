"""HTML and markdown the chat page shows around an answer: sources, banners, linked markers.

Pure functions of an ``Answer`` (no Gradio here), so they are tested without a browser.  Every
text from a user or an article is escaped: it shows as text and never runs.
"""

from __future__ import annotations

import html
import re
from collections import OrderedDict

EMPTY_SOURCES = "<p><em>The passages an answer quotes appear here.</em></p>"
_MARKER = re.compile(r"(?<!\\)\[(\d{1,3})\](?!\()")


def link_markers(markdown: str) -> str:
    """``[n]`` citation markers as links to source ``n`` in the sources panel (``#source-n``)."""
    return _MARKER.sub(lambda m: f"[[{m.group(1)}]](#source-{m.group(1)})", markdown)


def _highlighted(passage: str, spans: list[tuple[int, int]]) -> str:
    """``passage`` escaped, with each (start, end) span inside ``<mark>``; overlapping spans merged."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out += [html.escape(passage[at:start]), "<mark>", html.escape(passage[start:end]), "</mark>"]
        at = end
    out.append(html.escape(passage[at:]))
    return "".join(out).replace("\n", "<br>")


def render_sources(bot, answer) -> str:
    """The cited passages grouped by article: each passage once, with every quote of it highlighted,
    its section, the markers that cite it (anchors ``source-n``) and a link to the article."""
    if answer is None or not answer.citations:
        return EMPTY_SOURCES
    articles: OrderedDict[str, dict] = OrderedDict()
    for c in answer.citations:
        passage, offset = bot.passage_around(c)
        start, end = c.start - offset, c.end - offset
        if passage[start:end] != c.quote:  # the index changed under the answer: show the quote alone
            passage, offset, start, end = c.quote, c.start, 0, len(c.quote)
        article = articles.setdefault(c.article_id, {"title": c.title, "url": c.url, "source": c.source,
                                                     "reviewed": c.reviewed, "passages": OrderedDict()})
        block = article["passages"].setdefault((c.section, offset, passage), {"markers": [], "spans": []})
        block["markers"].append(c.n)
        block["spans"].append((start, end))
    out = []
    for article in articles.values():
        title = html.escape(article["title"])
        if article["url"].startswith(("https://", "http://")):
            title = (f'<a href="{html.escape(article["url"], quote=True)}" target="_blank" rel="noopener noreferrer">'
                     f"{title}</a>")
        parts = [f'<section class="source-article"><h3 class="source-title">{title}</h3>']
        facts = [f"From {html.escape(article['source'])}"] if article["source"] else []
        facts += [f"Reviewed {html.escape(article['reviewed'])}"] if article["reviewed"] else []
        if facts:
            parts.append(f'<p class="source-meta">{" · ".join(facts)}</p>')
        for (section, _, passage), block in article["passages"].items():
            anchors = "".join(f'<span class="marker" id="source-{n}">[{n}]</span>' for n in block["markers"])
            heading = f" {html.escape(section)}" if section else ""
            parts.append(f'<div class="source"><div class="source-head">{anchors}{heading}</div>'
                         f"<div>{_highlighted(passage, block['spans'])}</div></div>")
        parts.append("</section>")
        out.append("".join(parts))
    return "\n".join(out)


def render_banner(answer) -> str:
    """A red banner for an emergency or crisis, an amber one for see-a-doctor-today; nothing otherwise."""
    level = getattr(answer, "triage", "routine") if answer is not None else "routine"
    if level == "crisis":
        return ('<div class="emergency" role="alert">⚠ You deserve help now: call or text a crisis line (988 in the US '
                'and Canada, 116 123 in the UK and Ireland) or your local emergency number (112, 911, 999).</div>')
    if level == "emergency":
        return '<div class="emergency" role="alert">⚠ This may be an emergency. Call your local emergency number (112, 911, 999) now.</div>'
    if level == "same_day":
        return '<div class="same-day" role="status">See a doctor today about this: call your doctor\'s practice or an urgent care service.</div>'
    return ""


def length_note_js(limit: int) -> str:
    """Browser-side function of the question box's text: a note when the text is near or over ``limit``."""
    return (
        "(text) => { const n = (text || '').length; const limit = %d;"
        " if (n > limit) return `<p class=\"length-over\" role=\"status\">${n.toLocaleString('en')} characters: "
        "${(n - limit).toLocaleString('en')} over the ${limit.toLocaleString('en')} limit. Please shorten it to the "
        "question and the few details that matter.</p>`;"
        " if (n > 0.8 * limit) return `<p class=\"length-near\" role=\"status\">${n.toLocaleString('en')} of "
        "${limit.toLocaleString('en')} characters.</p>`;"
        " return ''; }" % limit
    )
