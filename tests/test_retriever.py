from __future__ import annotations

import pytest

from chatbot.errors import IndexMismatchError, IndexNotFoundError, InvalidQueryError
from chatbot.indexer import build_index
from chatbot.retriever import MAX_K, Retriever
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
    from chatbot.corpus import load_article

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
