"""Sentences never quoted as evidence (answer.informative), and the answer figures of `eval`."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import json

from chatbot.answer.informative import MODEL_PATH, informing_spans, kinds_in_order, rule_kind, sentence_kind
from chatbot.ngrams import NgramModel
from conftest import ROOT
from chatbot.evaluation import evidence_sentence, evidence_shown, reading_grade, repeats_itself

# Written for this test, in the styles of clinic blogs, forums and leaflets; not taken from the corpus.
KINDS = {
    "informative": [
        "Sciatica is pain that travels along the sciatic nerve, from the lower back down one leg.",
        "Many patients report less stiffness after six weeks of supervised exercise.",
        "If the numbness spreads to both legs, seek medical help the same day.",
        "We now know that bed rest slows recovery from most back pain.",
        "Type I diabetes usually starts in childhood.",
        "Patients with stage I disease rarely need surgery.",
        "About 1 in 5 adults has an episode of low back pain each year.",
        "\"I can't stop shaking\" is how many people describe an essential tremor.",
        "Contact your GP if the tremor gets worse over a few weeks.",
        "Try the following stretches:",
    ],
    "anecdote": [
        "Personally, I noticed the tingling eased once I changed my chair.",
        "My sister had the same tremor for years before anyone took it seriously.",
        "After my operation last spring I could finally sleep through the night.",
        "Honestly, nothing worked for me until I tried swimming.",
        "When we tried the exercises at home, we found the pain eased within days.",
    ],
    "promotion": [
        "Book your appointment with our spine team today.",
        "Our clinic has treated thousands of patients with tremor.",
        "Call now for a free consultation with a specialist.",
        "Sign up for our newsletter to get weekly health tips.",
        "For readers hoping for a natural cure, there are resources available.",
    ],
    "question": [
        "So, can a pinched nerve really make your fingers twitch?",
        "The question many readers ask is, 'Is my tremor dangerous?'",
        "In this article we will look at the main causes of sciatica.",
        "Let's take a closer look at what the research says.",
        "You might be wondering whether stress alone can cause shaking.",
    ],
    "furniture": [
        "Share this article on social media",
        "Last reviewed: 3 May 2024",
        "Click here to download the leaflet.",
        "This page is for informational purposes only and does not constitute medical advice.",
        "Related articles: Ten ways to protect your back",
        "Spine Clinic of Ohio, 12 Main Street, Dayton 45402; phone (937) 555-0142; info@spineclinic.example",
        "Call the helpline free on 1-800-555-0199 for a copy of the booklet.",
    ],
}


@pytest.mark.parametrize("kind, text", [(kind, text) for kind, texts in KINDS.items() for text in texts])
def test_the_rules_recognise_each_kind_of_sentence(kind, text):
    assert rule_kind(text) == kind


def test_what_the_rules_catch_the_model_never_overturns():
    for kind, texts in KINDS.items():
        for text in texts:
            if kind != "informative":
                assert sentence_kind(text) == kind


def test_the_shipped_model_on_sentences_it_was_not_fitted_on():
    """The held-out part of the helper-written sentences (benchmarks/data/sentences/test.jsonl):
    the figures docs/safety.md reports, as floors that a broken model or rule would fall through."""
    model = NgramModel.load(MODEL_PATH)
    assert 0 < model.threshold < 1 and len(model.weights) > 1000
    rows = [json.loads(line) for line in (ROOT / "benchmarks/data/sentences/test.jsonl").read_text().splitlines() if line]
    noise = [r["text"] for r in rows if r["label"] != "informative"]
    informative = [r["text"] for r in rows if r["label"] == "informative"]
    leaks = sum(sentence_kind(t) == "informative" for t in noise) / len(noise)
    rule_leaks = sum(rule_kind(t) == "informative" for t in noise) / len(noise)
    losses = sum(sentence_kind(t) != "informative" for t in informative) / len(informative)
    assert leaks <= 0.35 and leaks < rule_leaks and losses <= 0.03


def test_the_evidence_an_answer_must_show():
    # MedQuAD evidence: a restated question, then the answer, cut after 130 characters
    assert evidence_sentence("How is MEN 2A inherited? MEN 2A is inherited in an autosomal dominant pattern. Most cases") \
        == "MEN 2A is inherited in an autosomal dominant pattern."
    assert evidence_sentence("Rest and ice help most knee pain.") == "Rest and ice help most knee pain."
    assert evidence_sentence("Treatment options include medicines, surgery and") == "Treatment options include medicines, surgery and"


def answer(markdown: str, *quotes: str):
    return SimpleNamespace(markdown=markdown, citations=[SimpleNamespace(quote=q) for q in quotes])


def test_evidence_in_the_answer_and_in_its_first_quote():
    evidence = ["What causes gout? Gout is caused by uric acid crystals in a joint. They form when"]
    first = answer("- Gout is caused by uric acid crystals in a joint. [1]\n- Diet matters. [2]",
                   "Gout is caused by uric acid crystals in a joint.", "Diet matters.")
    later = answer("- Diet matters. [1]\n- Gout is caused by uric acid crystals in a joint. [2]",
                   "Diet matters.", "Gout is caused by uric acid crystals in a joint.")
    assert evidence_shown(first, evidence) == {"answer": True, "first": True, "exact": False}
    assert evidence_shown(later, evidence) == {"answer": True, "first": False, "exact": False}
    assert evidence_shown(answer("- Nothing. [1]", "Nothing."), evidence) == {"answer": False, "first": False, "exact": False}


def test_repeated_quotes_are_counted():
    assert repeats_itself(["Nerve compression can cause tremor in the hands.",
                           "Nerve compression can cause a tremor in both hands."])
    assert not repeats_itself(["Nerve compression can cause tremor in the hands.", "Surgery is rarely needed."])


def test_reading_grade_ranks_plain_text_below_dense_text():
    plain = reading_grade("Rest your back. Walk a bit each day. Most pain goes away in a few weeks.")
    dense = reading_grade("Degenerative intervertebral osteochondrosis frequently necessitates comprehensive "
                          "multidisciplinary rehabilitation interventions.")
    assert plain < 4 < 14 < dense
    assert reading_grade("...") is None


def test_lists_are_not_judged_as_sentences_by_the_eval():
    from chatbot.evaluation import is_prose
    assert not is_prose("Acute tremor\n- Chronic tremor\n- Static tremor\n- Kinetic tremor")
    assert is_prose("Tremor has many causes. Stress is one.")
    assert is_prose("Personally, I felt better.\nMy back healed.")


def test_numbers_that_are_not_contact_details_stay_informative():
    for text in ("About 1 in 1,000 people have the 22q11.2 deletion.", "Doses of 200-400 mg are common in adults.",
                 "The study followed 1,250 patients for 10 years."):
        assert sentence_kind(text) == "informative", text


def test_a_testimonial_goes_on_after_its_first_person_sentences():
    story = ["I tried a course of acupuncture last spring for my sciatica.",
             "Even after three months, the pain has not returned.",
             "Since then the numbness in the foot has eased.",
             "Acupuncture is sometimes offered for chronic low back pain."]
    assert [sentence_kind(s) for s in story[1:]] == ["informative"] * 3  # alone, each reads as information
    assert kinds_in_order(story, [False] * 4) == ["anecdote", "anecdote", "anecdote", "informative"]
    # a sentence about people in general informs, whatever it follows
    general = [story[0], "Within a few weeks most people with sciatica improve.", "Even a short walk each day can ease stiffness."]
    assert kinds_in_order(general, [False] * 3) == ["anecdote", "informative", "informative"]
    # in a new paragraph, or without the words that go on with it, the sentence is judged alone
    assert kinds_in_order(story[:2], [False, True]) == ["anecdote", "informative"]
    assert kinds_in_order([story[0], story[3]], [False, False]) == ["anecdote", "informative"]


def test_the_spans_of_a_passage_are_judged_in_order_and_by_paragraph():
    text = ("I tried acupuncture for my sciatica. Even after three months, the pain has not returned.\n"
            "I tried acupuncture for my sciatica.\nEven after three months, the pain has not returned.")
    first = text.index("Even")
    second = text.index("Even", first + 1)
    spans = [(0, 36), (first, first + 51), (first + 52, first + 88), (second, len(text))]
    assert [text[a:b] for a, b in spans][1] == [text[a:b] for a, b in spans][3] == "Even after three months, the pain has not returned."
    # the same sentence goes on with the story in its paragraph, and informs after a line break
    assert informing_spans(text, spans) == [False, False, False, True]


def test_advice_after_an_anecdote_still_informs():
    for anecdote, advice in [("I took ibuprofen for years with no problem.", "Even so, long-term use can cause stomach bleeding."),
                             ("My son had a febrile seizure.", "Afterwards, call 999 if a seizure lasts more than 5 minutes."),
                             ("I took paracetamol for my back.", "Even after one dose over 4 g, liver damage can occur for days.")]:
        assert kinds_in_order([anecdote, advice], [False, False]) == ["anecdote", "informative"]
