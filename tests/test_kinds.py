"""The learned kind of question (chatbot/search/kinds.py) and the heading it gives an answer."""

from __future__ import annotations

import json

import pytest

from chatbot.answer.compose import OPENINGS, compose_answer
from chatbot.answer.selection import Passage
from chatbot.search import kinds
from chatbot.search.query import INTENTS, kind_of, pattern_intent, understand
from conftest import ROOT

KINDS_TEST = ROOT / "benchmarks" / "data" / "kinds" / "test.jsonl"


def held_out() -> list[dict]:
    return [json.loads(line) for line in KINDS_TEST.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_shipped_model_knows_every_kind_and_a_confidence():
    model = kinds.shipped_model()
    assert model is not None, "chatbot/search/data/kind_model.json is missing: run python benchmarks/fit_kinds.py"
    assert set(model.classes) == set(INTENTS)
    assert 0.0 < model.threshold < 1.0


def test_on_questions_it_was_not_fitted_on_it_beats_the_patterns():
    """benchmarks/data/kinds/test.jsonl: written by a helper after the train part, never fitted on."""
    records = held_out()
    ours = sum(kind_of(r["question"])[0] == r["kind"] for r in records) / len(records)
    patterns = sum(pattern_intent(r["question"]) == r["kind"] for r in records) / len(records)
    assert ours >= 0.62 and ours > patterns + 0.1, (ours, patterns)


def test_where_it_is_sure_the_heading_names_the_right_kind_nine_times_in_ten():
    records = held_out()
    sure = [(r, kind) for r in records for kind, is_sure in [kind_of(r["question"])] if is_sure]
    assert len(sure) >= len(records) / 2
    assert sum(kind == r["kind"] for r, kind in sure) / len(sure) >= 0.85


def test_only_the_asking_sentences_are_read():
    story = "My father had gout for years and his knees were always swollen after dinner."
    for question in ("Will I get it too?", "What can I eat to avoid it?", "how long does an attack last"):
        assert kinds.classify(f"{story} {question}") == kinds.classify(question)


def test_without_the_model_the_patterns_decide_and_the_heading_names_no_kind(monkeypatch):
    monkeypatch.setattr(kinds, "shipped_model", lambda: None)
    kinds.classify.cache_clear()
    try:
        q = understand("what are the treatment options for sciatica")
        assert (q.intent, q.intent_sure) == ("treatment", False)
        markdown, _ = compose_answer(q, [Passage("a", "A", "", "Treatment", "Rest helps.", 0, 11, 1.0)])
        assert f"**{OPENINGS['other']}**" in markdown and OPENINGS["treatment"] not in markdown
    finally:
        kinds.classify.cache_clear()


@pytest.mark.parametrize("question, kind", [
    ("what are the treatment options for sciatica", "treatment"),
    ("how common is essential tremor", "prevalence"),
    ("is essential tremor hereditary", "genetics"),
])
def test_a_sure_kind_names_its_heading(question, kind):
    q = understand(question)
    assert (q.intent, q.intent_sure) == (kind, True)
    markdown, _ = compose_answer(q, [Passage("a", "A", "", "S", "Some text.", 0, 10, 1.0)])
    assert f"**{OPENINGS[kind]}**" in markdown


def test_a_follow_up_with_no_kind_of_its_own_takes_the_earlier_turns_kind():
    history = [{"role": "user", "content": "what are the treatment options for sciatica"},
               {"role": "assistant", "content": "…"}]
    q = understand("and for kids?", history=history)
    assert q.follow_up and q.intent == "treatment"


def test_eval_reports_the_kind_accuracy_where_questions_are_labelled():
    from chatbot.evaluation import evaluate_answers, kind_labels
    from chatbot.types import Answer

    assert kind_labels({"type": "treatment"}) == {"treatment"}
    assert kind_labels({"type": ["information", "usage"]}) == {"definition", "other"}
    assert kind_labels({"question": "x"}) == set()
    questions = [
        {"question": "a", "kind": "in_scope", "evidence": [], "type": ["treatment"]},
        {"question": "b", "kind": "in_scope", "evidence": [], "type": ["information"]},
        {"question": "c", "kind": "in_scope", "evidence": [], "type": "genetics"},
        {"question": "d", "kind": "in_scope", "evidence": []},                        # no label: not counted
    ]
    intents = {"a": "treatment", "b": "causes", "c": "genetics", "d": "types"}
    figures = evaluate_answers(lambda q: Answer(q, "answer", "x", intent=intents[q]), questions, {})
    assert (figures["kind_accuracy"], figures["kind_labelled"]) == (round(2 / 3, 4), 3)


def test_a_message_that_asks_several_questions_gets_the_heading_that_names_no_kind():
    q = understand("what are the treatment options for sciatica, and how common is it?")
    assert q.parts and q.intent_sure
    markdown, _ = compose_answer(q, [Passage("a", "A", "", "S", "Some text.", 0, 10, 1.0)])
    assert f"**{OPENINGS['other']}**" in markdown
