"""Sentence selection (answer.selection) and the scope decision (answer.scope), on hand-made hits."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import replace

import numpy as np
import pytest

from chatbot.answer import scope
from chatbot.answer.scope import ScopeFeatures, scope_features
from chatbot.answer.selection import Passage, select_passages
from chatbot.search.query import understand
from chatbot.search.spelling import MAX_CORRECTED_LETTERS, Vocabulary
from chatbot.settings import ScopeSettings, SelectionSettings
from chatbot.types import Hit
from fakes import HashingEmbedder

EMBEDDER = HashingEmbedder()


@pytest.fixture(autouse=True)
def rules_only(monkeypatch):
    """Selection is tested on its own: which sentences inform is decided by the rules alone here
    (the learned half is tested in test_informative.py)."""
    import chatbot.answer.informative as informative

    monkeypatch.setattr(informative, "_shipped_model", lambda: None)
    informative.sentence_kind.cache_clear()
    yield
    informative.sentence_kind.cache_clear()


def hit(article_id: str, text: str, start: int = 100, section: str = "Overview", similarity: float = 0.5) -> Hit:
    return Hit(article_id=article_id, title=article_id.title(), url="", section=section, text=text, start=start,
               end=start + len(text), score=similarity, similarity=similarity)


def sentences_of(h: Hit):
    """Sentence spans (one per sentence or list line), token counts and unit vectors, as the index stores them."""
    spans = np.array([(m.start(), m.end()) for m in re.finditer(r"[^\n.!?]+[.!?:]?", h.text) if m.group().strip()])
    spans = np.array([(s + len(h.text[s:e]) - len(h.text[s:e].lstrip()), e) for s, e in spans])
    pieces = [h.text[s:e] for s, e in spans]
    tokens = np.array([len(p.split()) for p in pieces], dtype=np.float32)
    return spans, tokens, EMBEDDER.embed(pieces)


def select(question: str, hits, **settings):
    """Selection with the hand-set opening rule unless ``lead`` is given: these tests are about scoring, cut-off and
    budget; the learned opening (fitted on real articles, not on these hand-made hits) is tested in test_lead.py."""
    settings.setdefault("lead", "fixed")
    q = understand(question)
    return select_passages(q, hits, EMBEDDER.embed([q.search_query]), sentences_of, settings=SelectionSettings(**settings))


TREMOR = hit("tremor", "Tremor is an unintentional shaking of the hands. It often starts in middle age. "
                       "Essential tremor runs in families and affects both hands. Caffeine can make a tremor worse.")
SLEEP = hit("sleep", "Adults need seven to nine hours of sleep each night. A dark quiet bedroom helps sleep.",
            similarity=0.2)


def test_every_passage_is_a_verbatim_span_at_its_article_offsets():
    chosen = select("what makes a hand tremor worse", [TREMOR, SLEEP])
    assert chosen
    for p in chosen:
        source = {h.article_id: h for h in (TREMOR, SLEEP)}[p.article_id]
        assert source.text[p.start - source.start : p.end - source.start] == p.text


def test_the_sentence_that_answers_comes_first():
    chosen = select("what makes a hand tremor worse", [TREMOR, SLEEP])
    assert chosen[0].text.endswith("Caffeine can make a tremor worse.")
    assert all(p.article_id == "tremor" for p in chosen)  # sleep scores under the relative cut-off


def test_the_cutoff_and_the_sentence_budget_are_the_settings():
    loose = select("what makes a hand tremor worse", [TREMOR], relative_cutoff=0.0)
    strict = select("what makes a hand tremor worse", [TREMOR], relative_cutoff=1.0)
    one = select("what makes a hand tremor worse", [TREMOR], relative_cutoff=0.0, max_sentences=1)
    assert len(strict) == 1 and strict[0] == loose[0]
    assert len(loose) > 1 and sum(p.text.count(".") for p in loose) <= SelectionSettings().max_sentences
    assert len(one) == 1 and one[0].text.count(".") == 1


def test_chosen_spans_never_overlap():
    chosen = select("what makes a hand tremor worse", [TREMOR], relative_cutoff=0.0)
    spans = sorted((p.start, p.end) for p in chosen)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


def test_a_sentence_two_articles_share_is_quoted_once_unless_near_duplicates_are_allowed():
    twin = hit("other", "Caffeine can make a tremor worse.", similarity=0.45)
    once = select("what makes a hand tremor worse", [TREMOR, twin], relative_cutoff=0.0)
    twice = select("what makes a hand tremor worse", [TREMOR, twin], relative_cutoff=0.0, near_duplicate=1.01)
    assert [p.text for p in once].count("Caffeine can make a tremor worse.") == 1
    assert [p.text for p in twice].count("Caffeine can make a tremor worse.") == 2


def test_short_sentences_are_not_quoted_on_their_own():
    short = hit("short", "Rest helps. Ice helps too. Physiotherapy helps most people with knee pain recover.")
    chosen = select("what helps knee pain", [short], relative_cutoff=0.0)
    assert "Rest helps." not in [p.text for p in chosen] and "Ice helps too." not in [p.text for p in chosen]
    allowed = select("what helps knee pain", [short], relative_cutoff=0.0, min_sentence_words=2, min_sentence_chars=5)
    assert any(p.text.startswith("Rest helps.") for p in allowed)


def test_a_list_for_this_kind_of_question_is_kept_whole():
    doctors = hit("tremor", "You can contact these specialists:\n- a neurologist\n- a neurosurgeon\n- an orthopedist\n",
                  start=400, section="Which doctor to see", similarity=0.4)
    chosen = select("which doctor should I see for a tremor", [TREMOR, doctors])
    lists = [p for p in chosen if p.items]
    assert len(lists) == 1
    assert lists[0].items == ("a neurologist", "a neurosurgeon", "an orthopedist")
    assert lists[0].lead == "You can contact these specialists:"
    # a question that no list answers quotes sentences only
    assert not any(p.items for p in select("is a tremor ever harmless", [TREMOR, doctors], relative_cutoff=0.0))


@pytest.mark.parametrize("noise", [
    "Why does caffeine make a hand tremor worse?",                                   # the question restated
    "Personally, I found that my hands shook less once I stopped drinking coffee.",  # an anecdote
    "Book a consultation with our tremor specialists today for a free assessment.",  # promotion
    "Share this article with a friend who drinks too much coffee.",                  # page furniture
])
def test_sentences_that_do_not_inform_are_never_quoted(noise):
    text = f"{noise} Caffeine stimulates the nerves and can make a hand tremor worse for a few hours."
    chosen = select("why does caffeine make a hand tremor worse", [hit("noisy", text)], relative_cutoff=0.0)
    assert [p.text for p in chosen] == ["Caffeine stimulates the nerves and can make a hand tremor worse for a few hours."]


def test_no_hits_no_passages():
    assert select("what makes a hand tremor worse", []) == []


# The scope decision ---------------------------------------------------------------------------

FIXED = ScopeSettings(decision="fixed")


def features(similarity: float, uncovered: float = 0.0, covered: tuple = (), unknown: tuple = (),
             sentence: float | None = None) -> ScopeFeatures:
    return ScopeFeatures(top_similarity=similarity, uncovered_share=uncovered, specific_covered=covered,
                         specific_uncovered=unknown, top_sentence_similarity=similarity if sentence is None else sentence)


def test_in_scope_at_the_bar_and_out_below_it():
    bar = FIXED.threshold
    assert features(bar).in_scope(FIXED) and not features(bar - 0.01).in_scope(FIXED)


def test_topic_words_the_articles_never_use_raise_the_bar():
    settings = ScopeSettings(decision="fixed", threshold=0.4, uncovered_penalty=0.1)
    assert features(0.45, uncovered=0.5).in_scope(settings)   # 0.45 - 0.05 = 0.40
    assert not features(0.45, uncovered=1.0).in_scope(settings)


def test_a_specialised_word_the_articles_use_lowers_the_bar():
    settings = ScopeSettings(decision="fixed", threshold=0.4, specific_threshold=0.2)
    assert features(0.25, covered=("tremor",)).in_scope(settings)
    assert not features(0.25).in_scope(settings)


def test_naming_only_things_the_articles_never_mention_is_out_of_scope_however_similar():
    assert not features(0.95, unknown=("gabapentin",)).in_scope(FIXED)
    assert features(0.95, covered=("tremor",), unknown=("gabapentin",)).in_scope(FIXED)


def test_the_learned_decision_weighs_similarity_against_what_the_articles_never_name():
    model = scope.shipped_model()
    assert model is not None  # the shipped file reads back
    assert features(0.7).in_scope() and not features(0.1).in_scope()
    # the more of the question the articles never name, the less it is answered
    probability = lambda f: model.probability(f.row())  # noqa: E731
    assert probability(features(0.45, uncovered=0.6, unknown=("medicare",))) < probability(features(0.45))
    assert probability(features(0.45, covered=("botox",))) > probability(features(0.45))
    assert probability(features(0.45, sentence=0.6)) > probability(features(0.45, sentence=0.3))


def test_the_learned_decision_is_its_model_and_threshold(monkeypatch):
    row = features(0.5, sentence=0.5).row()
    model = scope.ScopeModel(mean=(0.0,) * 5, scale=(1.0,) * 5, coef=(1.0, 1.0, 0.0, 0.0, 0.0), intercept=-1.0, threshold=0.5)
    monkeypatch.setattr(scope, "shipped_model", lambda: model)
    assert model.probability(row) == 0.5 and features(0.5, sentence=0.5).in_scope()
    assert not features(0.49, sentence=0.5).in_scope()
    assert features(0.49, sentence=0.5).in_scope(ScopeSettings(decision="fixed", threshold=0.4))


def test_a_scope_model_file_reads_back_and_a_wrong_one_is_refused(tmp_path):
    data = json.loads(scope.MODEL_PATH.read_text(encoding="utf-8"))
    assert scope.ScopeModel.from_json(data).threshold == data["threshold"]
    for broken in ({"features": ["top_similarity"]}, {"scale": [0.0] * 5}, {"threshold": 1.5}, {"coef": [1.0]}):
        with pytest.raises(ValueError):
            scope.ScopeModel.from_json({**data, **broken})
    for not_an_object in ([], None, "model"):
        with pytest.raises(ValueError):
            scope.ScopeModel.from_json(not_an_object)
    with pytest.raises(ValueError):
        scope.ScopeModel.from_json({**data, "scale": [float("nan")] * 5})
    with pytest.raises(ValueError):
        ScopeSettings(decision="sometimes")


def test_a_feature_that_is_not_a_number_is_refused_not_answered():
    assert not features(float("nan")).in_scope()
    assert scope.shipped_model().probability([float("nan")] * 5) == 0.0


def test_a_missing_or_broken_model_file_falls_back_to_the_fixed_thresholds(tmp_path, monkeypatch):
    for content in ("[]", "null", "{}", "not json"):
        path = tmp_path / "scope_model.json"
        path.write_text(content, encoding="utf-8")
        monkeypatch.setattr(scope, "MODEL_PATH", path)
        scope.shipped_model.cache_clear()
        try:
            assert scope.shipped_model() is None
            assert features(0.45).in_scope() == features(0.45).in_scope(FIXED)
            assert scope.scope_record(ScopeSettings()) == {"decision": "fixed"}
        finally:
            scope.shipped_model.cache_clear()


def test_scope_features_of_a_question():
    vocabulary = Vocabulary(["Essential tremor makes the hands shake."], dictionary=["hands", "shake", "makes"])
    q = understand("does gabapentin help tremor in my hands")
    found = scope_features(q, [TREMOR, SLEEP], vocabulary)
    assert found.top_similarity == 0.5
    assert found.specific_covered == ("tremor",) and found.specific_uncovered == ("gabapentin",)
    assert found.uncovered_share == pytest.approx(sum(not vocabulary.covers(w) for w in q.topic) / len(q.topic))


# Spelling correction: bounded and shared between threads --------------------------------------

def test_words_too_long_to_be_typos_are_left_alone():
    vocabulary = Vocabulary(["tremor " * 3])
    long_word = "tremmor" * (MAX_CORRECTED_LETTERS // 7 + 1)
    assert len(long_word) > MAX_CORRECTED_LETTERS
    assert vocabulary.correct(long_word) == long_word
    assert vocabulary.correct("tremmor") == "tremor"


def test_concurrent_corrections_agree_and_never_raise():
    vocabulary = Vocabulary(["A neurologist can assess the tremor.", "Consult a doctor about lower back pain."])
    typos = {"docter": "doctor", "lowr": "lower", "tremmor": "tremor", "neurolgist": "neurologist", "bakc": "back"}
    errors, wrong = [], []

    def worker(shift: int) -> None:
        order = list(typos)[shift % len(typos):] + list(typos)[: shift % len(typos)]
        try:
            for round_ in range(200):
                if round_ % 40 == shift:
                    vocabulary._cached_correction.cache_clear()  # as a full cache would, under the others' feet
                wrong.extend(t for t in order if vocabulary.correct(t) != typos[t])
        except Exception as exc:  # noqa: BLE001 - any error in a thread is the failure
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(shift,)) for shift in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and wrong == []


def test_a_side_remark_naming_a_drug_does_not_make_the_question_out_of_scope():
    from chatbot.text import asked_part

    assert asked_part("Can stress make my hands shake? My doctor prescribed sertraline.") == "Can stress make my hands shake?"
    assert asked_part("I was given naproxen last week. does it cause tremor") == "does it cause tremor"
    assert asked_part("tremor in both hands after coffee") == "tremor in both hands after coffee"
    vocabulary = Vocabulary(["Essential tremor makes the hands shake.", "Stress can make tremor worse."],
                            dictionary=["hands", "shake", "makes", "stress", "doctor", "prescribed", "make"])
    remark = scope_features(understand("Can stress make my hands shake? My doctor prescribed sertraline."),
                            [TREMOR], vocabulary)
    asked = scope_features(understand("What is sertraline?"), [TREMOR], vocabulary)
    assert remark.specific_uncovered == () and remark.in_scope(FIXED)
    assert asked.specific_uncovered == ("sertraline",) and not asked.in_scope(FIXED)
    model = scope.shipped_model()
    assert model.probability(remark.row()) > model.probability(asked.row())


@pytest.mark.parametrize("text, expected", [
    ("can back pain cause shaky hands and what's a vertebrologist?", ["can back pain cause shaky hands", "what's a vertebrologist?"]),
    ("My dad had gout. Will I get it? And how is it treated?", ["Will I get it?", "And how is it treated?"]),
    ("is it safe, and should I see a doctor?", ["is it safe", "should I see a doctor?"]),
    ("pain and stiffness in my back", []),
    ("what helps back pain and stiffness?", ["what helps back pain and stiffness?"]),
])
def test_the_questions_a_message_asks(text, expected):
    from chatbot.text import asking_parts
    assert asking_parts(text) == expected


def test_can_x_cause_y_is_read_within_its_own_question():
    q = understand("can back pain cause shaky hands and what's a vertebrologist?")
    assert (q.cause, q.effect) == ("back pain", "shaky hands")
    assert q.parts == ("can back pain cause shaky hands", "what's a vertebrologist?")
    assert understand("can back pain cause shaky hands?").parts == ()


def test_a_part_no_quote_names_is_said_to_be_unanswered():
    from chatbot.answer.compose import compose_answer
    from chatbot.answer.selection import unanswered_parts
    q = understand("can back pain cause shaky hands and what's a vertebrologist?")
    quoted = [passage_of("Back pain rarely causes hand tremors.")]
    assert unanswered_parts(q, quoted) == [("what's a vertebrologist?", ("vertebrologist",))]
    markdown, _ = compose_answer(q, quoted)
    assert "None of the quotes above names *vertebrologist*: the articles may not answer “what's a vertebrologist?”." in markdown
    both = quoted + [passage_of("A vertebrologist treats the spine.", start=100)]
    assert unanswered_parts(q, both) == []
    assert "may not answer" not in compose_answer(q, both)[0]
    assert unanswered_parts(understand("what is a vertebrologist?"), quoted) == []  # one question: nothing to say


@pytest.mark.parametrize("text, defining", [
    ("Lower back tremor is an involuntary oscillatory movement of the back.", True),  # lay words of the topic
    ("Summary : Lumbar tremor is a shaking of the lower back.", True),
    ("Treatment of lumbar tremor is a complex process.", False),   # about it, not what it is
    ("Lumbar tremor can be a symptom of various diseases.", False),
    ("Lumbar tremor is not just an unpleasant symptom.", False),
    ("It is important to note that lumbar tremor is common.", False),
])
def test_what_defines_the_topic(text, defining):
    from chatbot.answer.lead import defines
    assert defines(("lumbar", "tremor"), text) is defining


def test_a_definition_can_open_the_answer_from_anywhere_among_the_candidates():
    from chatbot.answer.lead import lead_pool
    q = understand("what is lumbar tremor")
    others = [passage_of(f"Lumbar tremor treatment option {i} helps.", start=40 * i) for i in range(10)]
    definition = passage_of("Lumbar tremor is an involuntary movement of the lower back.", start=900)
    settings = SelectionSettings()
    pool = lead_pool(q, others + [definition], settings)
    assert definition in pool and len(pool) == settings.lead_candidates + 1
    assert definition not in lead_pool(understand("how is lumbar tremor treated"), others + [definition], settings)


def passage_of(text: str, start: int = 0) -> Passage:
    return Passage("a", "A", "", "S", text, start, start + len(text), 1.0)


def test_a_sentence_that_repeats_the_list_is_dropped_for_it():
    from chatbot.answer.selection import with_list
    lead = passage_of("Wet macular degeneration can be treated with laser surgery.")
    repeat = passage_of("Genetic Testing Registry: age-related macular degeneration", start=200)
    other = passage_of("Vitamins may slow the disease in some people.", start=400)
    found = passage_of("Genetic Testing Registry: Age-related macular degeneration\n- Genetic Testing Registry: "
                       "Age-related macular degeneration 1", start=600)
    assert with_list([lead, repeat, other], found, SelectionSettings()) == [lead, found, other]
    overlapping = passage_of("Genetic Testing Registry: Age-related macular degeneration", start=600)
    assert with_list([lead, overlapping], found, SelectionSettings()) == [lead, overlapping]


@pytest.mark.parametrize("text", ["Is her back directly causing this?", "can stress cause it", "does that cause tremor?"])
def test_a_pronoun_is_never_named_as_a_cause_or_an_effect(text):
    from chatbot.answer.compose import compose_answer
    q = understand(text)
    assert (q.cause, q.effect) == ("", "")
    assert "names both" not in compose_answer(q, [passage_of("Back pain rarely causes tremor.")])[0]


@pytest.mark.parametrize("text, cause, effect", [
    ("can back pain cause shaky hands, or are these two separate things?", "back pain", "shaky hands"),
    ("is it true that stress and anxiety from long pain can make your hands shake?", "stress and anxiety from long pain", "hands shake"),
    ("can a slipped disc (herniated) cause shaky hands", "slipped disc", "shaky hands"),
])
def test_cause_and_effect_leave_the_rest_of_the_question_out(text, cause, effect):
    q = understand(text)
    assert (q.cause, q.effect) == (cause, effect)


def test_ordinary_words_are_not_what_a_further_question_must_name():
    vocabulary = Vocabulary(["Tremor can come from the spine."], dictionary=["might", "give", "need", "after", "that", "who"])
    q = understand("which doctor should I see for a back tremor, and who might I need after that?", vocabulary)
    assert q.parts and q.part_words[1] == ()


def test_a_chunks_candidates_follow_its_text_and_place_not_an_earlier_chunks_at_the_same_offsets():
    """The layout of a chunk's candidates is worked out once per chunk: an edited article whose chunk
    starts where the old one did must not get the old chunk's sentences."""
    old = hit("gout", "Gout is a form of arthritis caused by uric acid crystals in a joint.", start=0)
    new = hit("gout", "Gout attacks are treated with colchicine or anti-inflammatory medicines.", start=0)
    for h in (old, new):
        (passage,) = [p for p in select("how is gout treated", [h]) if not p.items]
        assert passage.text == h.text and passage.start == 0
    first = replace(old, section_start=0)  # the same text as the first sentence of its section
    assert select("what is gout", [first])[0].opens_section
    assert not select("what is gout", [old])[0].opens_section


def test_candidates_carry_their_score_parts_and_their_place_and_length_of_section():
    from chatbot.answer.selection import score_candidates

    h = replace(hit("gout", "Gout is a form of arthritis. It causes sudden pain in a joint at night.", start=0), section_start=0)
    q = understand("what is gout")
    scored, _ = score_candidates(q, [h], EMBEDDER.embed([q.search_query]), sentences_of, section_length=lambda hit: 1234)
    assert scored and all(set(p.signals) == {"similarity", "overlap", "chunk", "links", "cue", "section_cue"}
                          and p.signals["chunk"] == 0.5 and p.section_chars == 1234 for p in scored)
    assert sorted({(p.start, p.position) for p in scored}) == [(0, 0), (29, 1)]
    assert [p.opens_section for p in sorted(scored, key=lambda p: (p.start, p.end))] == [True, True, False]
    mid_section = score_candidates(q, [h := replace(h, section_start=-1)], EMBEDDER.embed([q.search_query]), sentences_of)[0]
    assert {p.position for p in mid_section} == {-1} and not any(p.opens_section for p in mid_section)


def test_the_cached_layout_of_a_chunk_follows_its_start_and_whether_sentences_are_wanted():
    from chatbot.answer.selection import _candidates

    text = "Gout is a form of arthritis caused by uric acid crystals in a joint."
    assert [p.start for p in _candidates([hit("gout", text, start=0)], sentences_of, SelectionSettings())[0]] == [0]
    assert [p.start for p in _candidates([hit("gout", text, start=50)], sentences_of, SelectionSettings())[0]] == [50]
    assert _candidates([hit("gout", text, start=70)], sentences_of, SelectionSettings(), windows=False)[0] == []
    assert len(_candidates([hit("gout", text, start=70)], sentences_of, SelectionSettings())[0]) == 1
    opening = replace(hit("gout", text, start=0), section_start=0)
    assert _candidates([opening], sentences_of, SelectionSettings())[0][0].opens_section
    assert not _candidates([replace(opening, start=90, end=90 + len(text))], sentences_of, SelectionSettings())[0][0].opens_section
