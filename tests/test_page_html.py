"""What the chat page shows around an answer, without a browser: linked markers, sources, banners."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from chatbot.answer.bot import Chatbot
from chatbot.serve.page_html import EMPTY_SOURCES, link_markers, render_banner, render_sources
from conftest import ROOT, SHIPPED_CORPUS

pytestmark = SHIPPED_CORPUS  # the answers of the shipped seed articles


@pytest.fixture(scope="module")
def bot(real_embedder):
    return Chatbot.load(ROOT / "index", embedder=real_embedder)


def test_markers_become_links_but_escaped_brackets_and_links_do_not():
    assert link_markers("Tremor is common. [1] See [2].") == "Tremor is common. [[1]](#source-1) See [[2]](#source-2)."
    assert link_markers(r"a list \[3\] and [a link](https://x.example) and [4](#x)") == \
        r"a list \[3\] and [a link](https://x.example) and [4](#x)"


@pytest.mark.parametrize("question", ["how is lumbar tremor treated?", "can back pain cause shaky hands?",
                                      "what causes lumbar tremor?"])
def test_sources_list_each_passage_once_grouped_by_article(bot, question):
    answer = bot.ask(question)
    assert answer.citations
    shown = render_sources(bot, answer)
    # every marker has its anchor, exactly once
    assert sorted(int(n) for n in re.findall(r'id="source-(\d+)"', shown)) == [c.n for c in answer.citations]
    # each passage appears once, and each article heads one group
    bodies = re.findall(r'<div class="source">.*?</div><div>(.*?)</div></div>', shown)
    assert len(bodies) == len(set(bodies)) == len({bot.passage_around(c) for c in answer.citations})
    assert shown.count('class="source-article"') == len({c.article_id for c in answer.citations})
    # every quote is highlighted, as text
    marked = " ".join(html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", shown, flags=re.S)).replace("<br>", "\n")
    for c in answer.citations:
        assert " ".join(c.quote.split())[:60] in " ".join(marked.split())


def test_a_shared_passage_is_shown_once_with_both_markers(bot):
    answer = bot.ask("how is lumbar tremor treated?")
    by_passage = {}
    for c in answer.citations:
        by_passage.setdefault(bot.passage_around(c), []).append(c.n)
    shared = [ns for ns in by_passage.values() if len(ns) > 1]
    if not shared:
        pytest.skip("this index's answer cites no passage twice")
    shown = render_sources(bot, answer)
    head = "".join(f'<span class="marker" id="source-{n}">[{n}]</span>' for n in shared[0])
    assert shown.count(head) == 1


def test_sources_panel_shows_the_organisation_and_review_date_as_text(bot):
    answer = bot.ask("how is lumbar tremor treated?")
    first = answer.citations[0]
    marked = dataclasses.replace(answer, citations=(dataclasses.replace(first, source="<b>NIH</b>", reviewed="2024-05-31"),))
    shown = render_sources(bot, marked)
    assert '<p class="source-meta">From &lt;b&gt;NIH&lt;/b&gt; · Reviewed 2024-05-31</p>' in shown
    assert "source-meta" not in render_sources(bot, dataclasses.replace(answer, citations=(first,)))


def test_no_answer_no_sources_and_banners_by_level(bot):
    assert render_sources(bot, None) == EMPTY_SOURCES
    assert render_banner(None) == ""
    assert 'class="emergency"' in render_banner(bot.ask("my dad's face is drooping and he can't lift his arm"))
    assert "crisis line" in render_banner(bot.ask("i want to end my life tonight"))
    assert 'class="same-day"' in render_banner(bot.ask("my lower back has ached for a week and now I have a fever and chills"))
    assert render_banner(bot.ask("can back pain cause shaky hands?")) == ""


def test_hostile_article_text_stays_text(bot):
    class Quote:  # a citation whose passage cannot be found: the quote alone is shown
        n, article_id, title, url, section = 1, "x", '<img src=x onerror="alert(1)">', "javascript:alert(1)", "<b>s</b>"
        quote, start, end = "<script>alert(1)</script>", 0, 25
        source, reviewed = "<i>org</i>", "<u>2024</u>"

    class Answer:
        citations = [Quote()]

    shown = render_sources(bot, Answer())
    assert "<script>" not in shown and "<img" not in shown and "<b>" not in shown and "javascript:" not in shown
    assert "<i>" not in shown and "<u>" not in shown
