"""Article names found in messages (search.names) and the learned ranker's weights (search.ranker)."""

from __future__ import annotations

import json
import logging

import pytest

from chatbot.index.build import build_index
from chatbot.search import ranker
from chatbot.search.names import ArticleNames, defined_abbreviations, name_key, title_initials
from chatbot.search.query import understand
from chatbot.search.retriever import Retriever
from chatbot.settings import SearchSettings
from chatbot.types import Chunk
from conftest import article, write_corpus


def chunk(article_id: str, title: str, text: str, section: str = "Overview") -> Chunk:
    return Chunk(article_id=article_id, title=title, url="", section=section, text=text, start=0, end=len(text), section_start=0)


NAMES = ArticleNames([
    chunk("oi", "Osteogenesis imperfecta", "Osteogenesis imperfecta (OI) is a group of disorders that make bones break easily."),
    chunk("msud", "Maple syrup urine disease", "An inherited disorder of amino acids."),
    chunk("nephrotic", "Nephrotic Syndrome in Adults", "Nephrotic syndrome is a group of symptoms."),
    chunk("amlodipine", "Amlodipine", "- Norvasc\n- Katerzia", section="Brand names"),
    chunk("kidney", "Kidney Disease", "The kidneys filter the blood."),
    chunk("wilson", "Wilson disease", "Wilson disease (WD) makes copper build up."),
], dictionary=["as", "was", "bones"])


def test_defined_abbreviations_follow_the_letters_of_the_long_form():
    text = "Osteogenesis imperfecta (OI) is rare. Patients with congenital diaphragmatic hernia (CDH) need surgery."
    assert defined_abbreviations(text) == [("OI", "Osteogenesis imperfecta"), ("CDH", "congenital diaphragmatic hernia")]
    assert defined_abbreviations("a test of the blood (see below)") == []  # lower case, no letters that fit
    assert defined_abbreviations("the spine (XYZ) hurts") == []


def test_title_initials_need_three_words():
    assert title_initials("Maple syrup urine disease") == "MSUD"
    assert title_initials("Tay-Sachs disease") == "TSD"
    assert title_initials("Wilson disease") == ""


def test_the_longest_name_is_found_and_a_qualifier_is_optional():
    foci = NAMES.find("My son has maple syrup urine disease and kidney disease. What about nephrotic syndrome?")
    assert [(f.text, set(f.articles)) for f in foci] == [
        ("maple syrup urine disease", {"msud"}), ("kidney disease", {"kidney"}), ("nephrotic syndrome", {"nephrotic"})]


def test_possessives_plurals_and_case_are_folded():
    assert name_key("Wilson's Diseases") == name_key("wilson disease")
    assert {f.text for f in NAMES.find("what is WILSON'S DISEASE")} == {"WILSON DISEASE"}


def test_abbreviations_and_brand_names_name_their_articles():
    foci = NAMES.find("diagnosis of OI? and does Norvasc help? is msud inherited")
    assert [(f.text, f.abbreviation, set(f.articles)) for f in foci] == [
        ("OI", "osteogenesis imperfecta", {"oi"}), ("Norvasc", "", {"amlodipine"}),
        ("msud", "maple syrup urine disease", {"msud"})]


def test_an_abbreviation_that_is_an_ordinary_word_counts_only_in_capitals():
    names = ArticleNames([chunk("as", "Ankylosing spondylitis", "Ankylosing spondylitis (AS) stiffens the spine.")],
                         dictionary=["as"])
    assert names.find("as far as I know") == []
    assert [f.abbreviation for f in names.find("my dad has AS")] == ["ankylosing spondylitis"]


def test_understand_spells_out_abbreviations_in_the_search_query():
    question = understand("how is OI diagnosed", names=NAMES)
    assert "osteogenesis imperfecta" in question.search_query
    assert [f.text for f in question.foci] == ["OI"]
    assert understand("how is OI diagnosed").foci == ()


def test_missing_or_foreign_model_falls_back_to_the_fixed_weights(tmp_path, monkeypatch, caplog):
    fixed = {name: float(getattr(SearchSettings(), name)) for name in ranker.FIXED_FEATURES}
    for content in (None, "not json", json.dumps({"weights": {"dense": 1.0, "moon_phase": 2.0}})):
        path = tmp_path / "ranker.json"
        if content is not None:
            path.write_text(content)
        monkeypatch.setattr(ranker, "MODEL_PATH", path)
        ranker.shipped_model.cache_clear()
        with caplog.at_level(logging.WARNING):
            assert ranker.ranking_weights(SearchSettings()) == fixed
        assert "hand-set weights" in caplog.text and "fit_ranker.py" in caplog.text
        caplog.clear()
    ranker.shipped_model.cache_clear()


def test_the_shipped_model_weighs_known_features_and_fixed_means_fixed():
    model = ranker.shipped_model()
    assert model is not None, "chatbot/search/data/ranker.json is missing: python benchmarks/fit_ranker.py"
    assert set(model["weights"]) == set(ranker.FEATURES)
    assert ranker.ranking_weights(SearchSettings()) == model["weights"]
    assert ranker.ranking_weights(SearchSettings(ranker="fixed"))["dense"] == SearchSettings().dense
    assert ranker.ranker_record(SearchSettings())["ranker"] == "learned"
    with pytest.raises(ValueError, match="ranker must be one of"):
        SearchSettings(ranker="magic")


def test_a_named_article_is_found_in_a_long_story(tmp_path, fake_embedder):
    """A story that names a condition once, among many words of other articles, finds that condition's
    article when the ranker weighs the names a message uses."""
    corpus = write_corpus(tmp_path / "corpus", {
        "wilson.md": article("Wilson disease", ("Overview", "A rare disorder in which copper builds up in the liver.")),
        **{f"other{i}.md": article(f"Topic {i}", ("Overview", f"My family doctor said my son was tired at school {i}."))
           for i in range(30)},
    })
    build_index(corpus, tmp_path / "index", embedder=fake_embedder)
    story = "Hello. My son is tired at school and our family doctor said he has Wilson disease. What can we do? Thanks"
    learned = Retriever.load(tmp_path / "index", embedder=fake_embedder, settings=SearchSettings(candidates=5))
    learned.weights = {name: 0.0 for name in ranker.FEATURES} | {"named": 1.0, "dense": 0.1}
    assert learned.search(story, k=1)[0].article_id == "wilson"
    rows, features = learned.candidate_features(understand(story, learned.vocabulary, names=learned.names),
                                                fake_embedder.embed([story]))
    wilson = [i for i, r in enumerate(rows) if learned.chunks[r].article_id == "wilson"]
    assert wilson and all(features["named"][i] > 0 for i in wilson)
    assert set(ranker.FEATURES) <= set(features)


def test_other_names_are_read_where_the_text_names_its_title():
    from chatbot.search.names import other_names

    text = "Halitosis, commonly called bad breath, is common. The sinus node, also called the SA node, fires."
    assert other_names("Halitosis", text) == ["bad breath"]
    names = ArticleNames([chunk("halitosis", "Halitosis", text)])
    assert [set(f.articles) for f in names.find("how do I get rid of bad breath")] == [{"halitosis"}]
    assert not names.find("what does the SA node do")
