from __future__ import annotations

import re

from chatbot.answer.compose import compose_answer, compose_invalid, compose_out_of_scope, escape
from chatbot.search.query import understand
from chatbot.answer.safety import DOCTOR_NOTICE
from chatbot.answer.selection import Passage


def passage(text, article="a", section="Causes", start=0, links=False, items=(), lead=""):
    return Passage(article, f"Title {article}", f"https://example.org/{article}", section, text, start,
                   start + len(text), 1.0, items=items, lead=lead, links=links)


def test_bullets_cite_in_order_and_sources_resolve():
    q = understand("what causes tremor")
    markdown, citations = compose_answer(q, [passage("Stress causes tremor."), passage("Cold too.", "b", "", 40)])
    assert [c.n for c in citations] == [1, 2]
    assert "- Stress causes tremor. [1]" in markdown and "- Cold too. [2]" in markdown
    assert "[1] Title a — Causes (<https://example.org/a>)" in markdown
    assert "[2] Title b (<https://example.org/b>)" in markdown
    assert markdown.index("**What the articles say about causes:**") < markdown.index("[1]")
    assert markdown.rstrip().endswith(DOCTOR_NOTICE)
    assert citations[1].quote == "Cold too." and (citations[1].start, citations[1].end) == (40, 49)


def test_sources_name_the_organisation_and_review_date_when_the_article_gives_them():
    q = understand("what causes tremor")
    articles = {"a": {"source": "NIH *NINDS*", "reviewed": "2024-05-31"}, "b": {"source": "", "reviewed": "2023"}}
    markdown, citations = compose_answer(q, [passage("Stress causes tremor."), passage("Cold too.", "b", "", 40),
                                             passage("No record.", "c", "", 60)], articles=articles)
    assert r"[1] Title a — Causes. From NIH \*NINDS\*, reviewed 2024-05-31 (<https://example.org/a>)" in markdown
    assert "[2] Title b. Reviewed 2023 (<https://example.org/b>)" in markdown
    assert "[3] Title c (<https://example.org/c>)" in markdown
    assert [(c.source, c.reviewed) for c in citations] == [("NIH *NINDS*", "2024-05-31"), ("", "2023"), ("", "")]


def test_causal_question_says_whether_a_passage_links_both():
    q = understand("can stress cause tremor?")
    linked, _ = compose_answer(q, [passage("Stress can cause tremor.")])
    assert "The passage [1] speaks of both *stress* and *tremor*" in linked
    unlinked, _ = compose_answer(q, [passage("Tremor has many causes.")])
    assert "None of the quotes above names both *stress* and *tremor*" in unlinked
    assert "speaks of both" not in unlinked


def test_the_link_line_claims_only_what_a_quote_names():
    q = understand("can a slipped disc cause shaky hands?")
    # a lay phrase counts through its clinical term, word by word or as a whole
    named, _ = compose_answer(q, [passage("A herniated disc can press on nerves and cause hand tremors.")])
    assert "The passage [1] speaks of both *slipped disc* and *shaky hands*" in named
    # one word of each is not both: "disc" alone is not "slipped disc", "hands" alone is not "shaky hands"
    half, _ = compose_answer(q, [passage("A disc sits between vertebrae."), passage("Hands hold things.", "b")])
    assert "speaks of both" not in half and "speak of both" not in half
    apart, _ = compose_answer(q, [passage("A herniated disc hurts.", links=True), passage("Hand tremors are common.", "b")])
    assert "None of the quotes above names both *slipped disc* and *shaky hands*" in apart


def test_a_misspelling_left_uncorrected_is_never_echoed():
    from chatbot.search.spelling import Vocabulary

    vocabulary = Vocabulary(["Back pain can cause tremor of the hands."], dictionary=["can", "cause"])
    q = understand("can bak pain cause shaky hands", vocabulary)
    assert "bak" not in q.corrections  # too short to correct safely: it stays as typed
    assert (q.cause, q.effect) == ("", "")
    markdown, _ = compose_answer(q, [passage("Back pain can cause tremor of the hands.")])
    assert "bak" not in markdown.replace("Back", "") and "speak" not in markdown and "names both" not in markdown


def test_list_items_are_shown_under_their_lead():
    p = passage("Doctors:\n- Neurologist\n- Therapist", section="Which doctor", items=("Neurologist", "Therapist"), lead="Doctors:")
    markdown, citations = compose_answer(understand("which doctor"), [p])
    assert "- Doctors: [1]\n  - Neurologist\n  - Therapist" in markdown
    assert citations[0].quote == p.text


def test_lead_notice_comes_first():
    markdown, _ = compose_answer(understand("x"), [passage("Some text here.")], lead="**EMERGENCY**")
    assert markdown.startswith("**EMERGENCY**")


def test_markup_in_quotes_and_titles_is_escaped():
    text = "<script>alert(1)</script> and <img src=x onerror=alert(2)> and [link](http://x) *bold*"
    markdown, citations = compose_answer(understand("x"), [passage(text)])
    bullet = markdown.split("\n")[2].rsplit(" [1]", 1)[0]
    assert not re.search(r"(?<!\\)[<>\[\]*]", bullet)  # every markup character is escaped
    assert citations[0].quote == text  # the citation keeps the exact text
    assert escape("a_b*c") == r"a\_b\*c" and escape("two\n\nlines") == "two lines"


def test_out_of_scope_names_what_is_covered():
    few = compose_out_of_scope(["Back pain", "Tremor"], 2)
    assert "They cover 2 topics:" in few and "- Back pain" in few and DOCTOR_NOTICE in few
    many = compose_out_of_scope(["Gout"], 1500)
    assert "They hold 1,500 articles; the closest to your question are:" in many


def test_invalid_has_the_notice():
    assert DOCTOR_NOTICE in compose_invalid("Please type a question.")


def test_every_citation_number_in_the_text_resolves():
    markdown, citations = compose_answer(understand("x"), [passage(f"Sentence {i} here.", start=i * 20) for i in range(4)])
    used = {int(n) for n in re.findall(r"\[(\d+)\]", markdown)}
    assert used == {c.n for c in citations}
