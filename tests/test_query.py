from __future__ import annotations

import pytest

from chatbot.history import previous_user_messages
from chatbot.search.query import pattern_intent, understand
from chatbot.search.spelling import Vocabulary
from chatbot.search.synonyms import expand_synonyms


@pytest.mark.parametrize(
    "question, intent",
    [
        ("what sort of specialist deals with a trembling back", "doctor"),
        ("who should I see about hand tremors", "doctor"),
        ("how would a doctor find out what is causing the tremor", "diagnosis"),
        ("is an x-ray needed for this", "diagnosis"),
        ("how can I avoid getting tremors from my spine", "prevention"),
        ("could lifting heavy boxes bring on a tremor", "causal"),
        ("is sciatica linked to shaky hands", "causal"),
        ("what helps calm down a back tremor", "treatment"),
        ("what are the treatment options for cervical dystonia", "treatment"),
        ("will I need an operation for my disc", "treatment"),
        ("what complications can come from ignoring it", "complications"),
        ("does it ever go away on its own", "outlook"),
        ("what kinds of tremor are there", "types"),
        ("what are the warning signs of spinal cord compression", "symptoms"),
        ("why would someone's back start shaking", "causes"),
        ("what is osteochondrosis", "definition"),
        ("whats a vertebrologist", "definition"),
        ("is it safe to keep working out with a tremor", "yes_no"),
        ("is tremor common in older people", "prevalence"),
        ("my mom was just diagnosed with sciatica, is there anything that can be done", "treatment"),
        ("my dad was diagnosed with a herniated disc. which tests confirm it?", "diagnosis"),
        ("my brother has essential tremor, could my kids get it from our family", "genetics"),
        ("who is most likely to get spinal stenosis", "risk"),
        ("can i do anything so i dont get back pain again", "prevention"),
        ("my doctor mentioned spondylosis, can you explain", "definition"),
        ("is essential tremor hereditary", "genetics"),
        ("does back pain run in families", "genetics"),
        ("what are the genetic changes related to cervical dystonia", "genetics"),
        ("can a genetic disorder cause tremors", "causal"),
        ("how common is essential tremor", "prevalence"),
        ("how many people are affected by hereditary neuropathy", "prevalence"),
        ("who is at risk for spinal stenosis", "risk"),
        ("what is the outlook for sciatica", "outlook"),
        ("what to do for a pulled back muscle", "treatment"),
        ("what are the treatments for age-related macular degeneration", "treatment"),
        ("what are the symptoms of spinocerebellar ataxia type 6", "symptoms"),
        ("what is type 2 diabetes", "definition"),
    ],
)
def test_intent_patterns(question, intent):
    """The hand-written patterns, which decide where the learned classifier is unsure (tests/test_kinds.py)."""
    assert pattern_intent(question) == intent


def test_lay_terms_map_to_clinical_words():
    clinical = expand_synonyms("I have a slipped disc, a pinched nerve and shaky hands")
    for term in ("herniated disc", "nerve compression", "hand tremors"):
        assert term in clinical


@pytest.fixture
def vocabulary():
    corpus = ["A neurologist can assess the tremor.", "Consult a doctor about lower back pain.", "Posture matters."]
    return Vocabulary(corpus, dictionary=["came", "hold", "best", "gout"])


def test_misspellings_are_corrected_against_the_corpus(vocabulary):
    q = understand("which docter treats lowr back tremmor", vocabulary)
    assert q.corrections == {"docter": "doctor", "lowr": "lower", "tremmor": "tremor"}
    assert "doctor" in q.search_query and q.intent == "doctor"


def test_ordinary_words_are_not_corrected(vocabulary):
    assert understand("I came to hold the best gout advice", vocabulary).corrections == {}


def test_search_query_adds_clinical_terms():
    q = understand("can back pain cause shaky hands?")
    assert q.search_query.startswith("can back pain cause shaky hands?") and "tremors" in q.search_query


def test_cause_and_effect_of_a_causal_question():
    q = understand("Can a herniated disc really cause my hands to shake?")
    assert (q.intent, q.cause, q.effect) == ("causal", "herniated disc", "hands to shake")


def test_cause_is_not_split_on_a_noun():
    q = understand("are spine problems a common cause of tremors?")
    assert q.cause == "" and q.effect == ""


@pytest.mark.parametrize(
    "history",
    [
        ["what is lumbar tremor?"],
        [{"role": "user", "content": "what is lumbar tremor?"}, {"role": "assistant", "content": "Lumbar tremor is..."}],
        [("what is lumbar tremor?", "Lumbar tremor is...")],
    ],
)
def test_follow_up_takes_the_topic_from_history(history):
    q = understand("and how is it treated?", history=history)
    assert q.follow_up and q.intent == "treatment"
    assert "lumbar tremor" in q.search_query


def test_a_question_with_its_own_topic_is_not_a_follow_up():
    q = understand("what is cervical dystonia?", history=["what is lumbar tremor?"])
    assert not q.follow_up and "lumbar" not in q.search_query


def test_history_of_odd_shapes_is_ignored_safely():
    assert previous_user_messages([None, 3, {"role": "user"}, {"content": "x"}, [], "hi"]) == ["hi"]


def test_every_kind_of_question_has_an_opening_line_and_is_listed():
    from chatbot.answer.compose import OPENINGS
    from chatbot.search.query import _INTENT_PATTERNS, INTENT_CUES, INTENTS

    assert {intent for intent, _ in _INTENT_PATTERNS} | set(INTENT_CUES) <= set(INTENTS)
    assert set(INTENTS) <= set(OPENINGS)
