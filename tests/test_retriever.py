from __future__ import annotations

import pytest

from chatbot.errors import IndexMismatchError, IndexNotFoundError, InvalidQueryError
from chatbot.index.build import build_index
from chatbot.search.retriever import Retriever
from chatbot.settings import MAX_K, SearchSettings
from fakes import HashingEmbedder


@pytest.fixture
def retriever(tiny_corpus, tmp_path, fake_embedder):
    build_index(tiny_corpus, tmp_path / "index", embedder=fake_embedder)
    return Retriever.load(tmp_path / "index", embedder=fake_embedder)


def test_hits_carry_the_contract_fields(retriever, tiny_corpus):
    hits = retriever.search("how much water should adults drink", k=3)
    top = hits[0]
    assert top.article_id == "hydration"
    assert top.title == "Drinking water" and top.url == "https://example.org/drinking-water"
    assert top.section in {"Overview", "How much"}
    assert top.text and isinstance(top.score, float)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_quote_offsets_point_into_the_article(retriever, tiny_corpus):
    from chatbot.ingest.corpus import load_article

    hit = retriever.search("knee surgery physiotherapy", k=1)[0]
    article = load_article(tiny_corpus / "knees.txt", "knees")
    assert article.text[hit.start : hit.end] == hit.text


def test_k_larger_than_the_index_returns_everything(retriever):
    assert len(retriever.search("sleep", k=MAX_K)) == len(retriever)


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_refused(retriever, query):
    with pytest.raises(InvalidQueryError, match="query is empty"):
        retriever.search(query)


@pytest.mark.parametrize("k", [0, -1, MAX_K + 1, 2.5, True, "5"])
def test_k_out_of_range_is_refused(retriever, k):
    with pytest.raises(InvalidQueryError, match=f"k must be a whole number from 1 to {MAX_K}"):
        retriever.search("sleep", k=k)


def test_overlong_query_is_refused(retriever):
    with pytest.raises(InvalidQueryError, match="limit"):
        retriever.search("sleep " * 1000)


def test_missing_index(tmp_path):
    with pytest.raises(IndexNotFoundError, match="python -m chatbot build"):
        Retriever.load(tmp_path / "nowhere", embedder=HashingEmbedder())


def test_model_mismatch_names_both_models(tiny_corpus, tmp_path, fake_embedder):
    build_index(tiny_corpus, tmp_path / "index", embedder=fake_embedder)
    with pytest.raises(IndexMismatchError, match="built with model 'test/hashing-bow'.*'other/model' was asked"):
        Retriever.load(tmp_path / "index", model="other/model")


def test_dimension_mismatch(tiny_corpus, tmp_path, fake_embedder):
    build_index(tiny_corpus, tmp_path / "index", embedder=fake_embedder)
    with pytest.raises(IndexMismatchError, match="256-dimensional"):
        Retriever.load(tmp_path / "index", embedder=HashingEmbedder(dimension=32))


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_every_mode_finds_the_obvious_article(retriever, mode):
    hits = retriever.search("knee pain arthritis meniscus", k=3, mode=mode)
    assert hits[0].article_id == "knees" and len(hits) == 3


def test_hits_carry_their_cosine_similarity(retriever):
    hit = retriever.search("how much water should adults drink", k=1)[0]
    assert 0 < hit.similarity <= 1.0001


def test_unknown_mode_is_refused(retriever):
    with pytest.raises(InvalidQueryError, match="mode must be one of hybrid, dense, lexical"):
        retriever.search("water", mode="magic")


def test_hybrid_finds_a_rare_word_the_embedding_misses(tmp_path):
    from conftest import write_corpus

    corpus = write_corpus(tmp_path / "c", {
        f"filler{i}.md": f"# Filler {i}\n\nGeneral advice about staying healthy, number {i}." for i in range(30)
    } | {"rare.md": "# Rare\n\nXylophagia is the habit of eating wood."})
    # An embedder that sees nothing: every text gets the same vector, so only BM25 can rank.
    blind = HashingEmbedder(dimension=4, name="test/blind")
    blind.embed = lambda texts, progress=False: __import__("numpy").tile([[1, 0, 0, 0]], (len(texts), 1)).astype("float32")
    build_index(corpus, tmp_path / "i", embedder=blind)
    r = Retriever.load(tmp_path / "i", embedder=blind)
    assert r.search("xylophagia", k=1, mode="hybrid")[0].article_id == "rare"
    assert r.search("xylophagia", k=1, mode="lexical")[0].article_id == "rare"


def test_exact_duplicate_texts_do_not_crowd_the_results(tmp_path, fake_embedder):
    from conftest import write_corpus

    same = "Gout is a form of arthritis caused by uric acid crystals."
    corpus = write_corpus(tmp_path / "c", {"a.md": f"# A\n\n{same}", "b.md": f"# B\n\n{same}", "c.md": "# C\n\nGout diet."})
    build_index(corpus, tmp_path / "i", embedder=fake_embedder)
    hits = Retriever.load(tmp_path / "i", embedder=fake_embedder).search("gout arthritis uric acid", k=3)
    assert [h.text for h in hits].count(same) == 1


class ReverseReranker:
    """Prefers the passage the retriever liked least: shows the reranker decides the order."""

    def rerank(self, query, texts):
        return list(range(len(texts)))


def test_reranker_slot_reorders_the_candidates(tiny_corpus, tmp_path, fake_embedder):
    build_index(tiny_corpus, tmp_path / "index", embedder=fake_embedder)
    plain = Retriever.load(tmp_path / "index", embedder=fake_embedder).search("water", k=3)
    reranked = Retriever.load(tmp_path / "index", embedder=fake_embedder, reranker=ReverseReranker()).search("water", k=3)
    assert [h.text for h in reranked] != [h.text for h in plain]


def test_reranker_that_cannot_load_is_a_clear_error(tiny_corpus, tmp_path, fake_embedder):
    from chatbot.errors import ChatbotError

    build_index(tiny_corpus, tmp_path / "index", embedder=fake_embedder)
    with pytest.raises(ChatbotError, match="Cannot load reranker"):
        Retriever.load(tmp_path / "index", embedder=fake_embedder, reranker=str(tmp_path / "no-such-model"))


def test_best_sentence_is_the_closest_sentence_of_each_chunk(retriever):
    import numpy as np

    vector = retriever.embedder.embed(["knee surgery"])[0]
    rows = np.array([len(retriever) - 1, 0, 2])
    table = retriever.sentences
    expected = []
    for row in rows:
        _, _, vectors = table.of_chunk(int(row))
        v = vectors.astype(np.float32)
        expected.append(max((v @ vector) / np.linalg.norm(v, axis=1)) if len(v) else 0.0)
    np.testing.assert_allclose(retriever._features.best_sentence(rows, vector), expected, rtol=1e-5)


def test_section_features_mark_openings_and_headings_that_fit_the_question():
    from chatbot.search.features import _opens_section, _section_cues
    from chatbot.types import Chunk

    chunks = [Chunk("a", "A", "", "Causes", "x", 100, 200, 0), Chunk("a", "A", "", "Causes", "y", 0, 120, 0),
              Chunk("a", "A", "", "Treatment", "z", 300, 400, 290), Chunk("b", "B", "", "", "w", 0, 10, 0),
              # a second "Causes" section of article a (pages that repeat a heading) opens too
              Chunk("a", "A", "", "Causes", "v", 500, 600, 500), Chunk("a", "A", "", "Causes", "u", 580, 700, 500)]
    opens, cues = _opens_section(chunks), _section_cues(chunks)
    assert opens.tolist() == [0.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    assert cues["causes"].tolist() == [1.0, 1.0, 0.0, 0.0, 1.0, 1.0]
    assert cues["treatment"].tolist() == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]


def test_a_heading_that_fits_the_kind_of_question_wins_a_tie(tmp_path, fake_embedder):
    from conftest import article, write_corpus

    from chatbot.search.query import understand

    text = "Gout flares bring sudden joint pain in the big toe."
    corpus = write_corpus(tmp_path / "corpus", {"gout.md": article("Gout", ("Overview", text), ("Causes", text))})
    build_index(corpus, tmp_path / "index", embedder=fake_embedder)
    retriever = Retriever.load(tmp_path / "index", embedder=fake_embedder)
    question = understand("what causes gout flares", retriever.vocabulary)
    assert question.intent == "causes"
    assert retriever.search_question(question, k=2)[0].section == "Causes"


def _only(feature):
    """Search settings with one hybrid feature alone, so that a test sees that feature and nothing else."""
    weights = {name: 0.0 for name in FEATURE_NAMES}
    return SearchSettings(ranker="fixed", **{**weights, feature: 1.0})


FEATURE_NAMES = ("dense", "lexical", "sentence", "section_opening", "section_cue", "heading_words", "title_fit")


def test_a_section_whose_heading_the_question_uses_comes_first(tmp_path, fake_embedder):
    from conftest import article, write_corpus

    text = "Changes in one gene are found in most families with the condition"
    corpus = write_corpus(tmp_path / "corpus", {
        "gout.md": article("Gout", ("Inheritance", text + "."), ("Genetic changes", text + "!"), ("Overview", text + "?"))})
    build_index(corpus, tmp_path / "index", embedder=fake_embedder)
    retriever = Retriever.load(tmp_path / "index", embedder=fake_embedder, settings=_only("heading_words"))
    hits = retriever.search("what are the genetic changes related to gout", k=3)
    assert [h.section for h in hits][0] == "Genetic changes"
    assert hits[0].score == 1.0 and hits[-1].score == 0.0  # all of "Genetic changes" is asked for; "Overview" is not


def test_the_article_whose_title_the_question_names_comes_first(tmp_path, fake_embedder):
    from conftest import article, write_corpus

    text = "Spinocerebellar ataxia affects balance and coordination in"
    corpus = write_corpus(tmp_path / "corpus", {
        f"sca{n}.md": article(f"Spinocerebellar ataxia type {n}", ("Overview", f"{text} {n * 'many '}people.")) for n in (36, 6, 3)})
    build_index(corpus, tmp_path / "index", embedder=fake_embedder)
    retriever = Retriever.load(tmp_path / "index", embedder=fake_embedder, settings=_only("title_fit"))
    hits = retriever.search("What are the symptoms of spinocerebellar ataxia type 6?", k=3)
    assert hits[0].title == "Spinocerebellar ataxia type 6"  # numbers count: type 6 is not type 36
    assert hits[0].score > hits[1].score
