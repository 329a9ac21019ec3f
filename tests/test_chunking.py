from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from chatbot.settings import ChunkSettings
from chatbot.ingest.chunking import chunk_article, embedding_text, split_sentences
from chatbot.ingest.corpus import load_corpus
from chatbot.ingest.plain import assemble as _assemble
from chatbot.types import Article
from conftest import ROOT


@pytest.fixture(scope="module")
def seed_articles():
    return load_corpus(ROOT / "corpus").articles


def make_article(blocks: list[tuple[str, str]]) -> Article:
    text, sections = _assemble(blocks)
    return Article(article_id="t", title="T", text=text, sections=tuple(sections))


@pytest.mark.parametrize("size, overlap", [(200, 0), (500, 100), (900, 200)])
def test_seed_chunks_round_trip_and_stay_in_sections(seed_articles, size, overlap):
    s = ChunkSettings(chunk_size=size, overlap=overlap)
    for article in seed_articles:
        chunks = chunk_article(article, s)
        assert chunks
        for c in chunks:
            assert article.text[c.start : c.end] == c.text
            assert len(c.text) <= size
            section = next(sec for sec in article.sections if sec.start <= c.start and c.end <= sec.end)
            assert (c.section, c.section_start) == (section.heading, section.start)
            assert c.text.strip() and c.text != c.section  # never a heading alone


def test_chunks_end_on_sentence_boundaries(seed_articles):
    for c in chunk_article(seed_articles[0], ChunkSettings(chunk_size=300, overlap=0)):
        assert c.text.rstrip()[-1] in ".?!:)”\"'" or "\n" in c.text


def test_overlap_repeats_whole_trailing_sentences():
    body = " ".join(f"Sentence number {i} is here." for i in range(20))
    article = make_article([("S", body)])
    chunks = chunk_article(article, ChunkSettings(chunk_size=120, overlap=60))
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end  # they share text
        assert a.text.endswith(article.text[b.start : a.end])
    no_overlap = chunk_article(article, ChunkSettings(chunk_size=120, overlap=0))
    for a, b in zip(no_overlap, no_overlap[1:]):
        assert b.start > a.end - 1


def test_sentence_longer_than_a_chunk_is_cut_at_spaces():
    body = "word " * 200 + "end."
    chunks = chunk_article(make_article([("", body)]), ChunkSettings(chunk_size=100, overlap=0))
    assert len(chunks) > 5 and all(len(c.text) <= 100 for c in chunks)
    assert not any(c.text.startswith(" ") or c.text.endswith(" ") for c in chunks)


def test_chunking_is_deterministic(seed_articles):
    assert chunk_article(seed_articles[1]) == chunk_article(seed_articles[1])


def test_bullets_are_units_of_their_own():
    article = make_article([("Doctors", "See one of:\n- Neurologist\n- Therapist")])
    spans = split_sentences(article.text, article.sections[0].start, article.sections[0].end)
    assert [article.text[s:e] for s, e in spans] == ["See one of:", "- Neurologist", "- Therapist"]


def test_embedding_text_adds_title_and_section_only_when_asked():
    c = chunk_article(make_article([("Causes", "Too much salt.")]))[0]
    assert embedding_text(c, ChunkSettings(embed_context=True)) == "T: Causes\nToo much salt."
    assert embedding_text(c, ChunkSettings(embed_context=False)) == "Too much salt."


@pytest.mark.parametrize("kwargs, message", [({"chunk_size": 10}, "at least 50"), ({"overlap": 700}, "overlap"), ({"overlap": -1}, "overlap")])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ChunkSettings(**kwargs)


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
paragraph = st.lists(words, min_size=1, max_size=40).map(" ".join)
body = st.lists(paragraph, min_size=1, max_size=5).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(blocks=st.lists(st.tuples(st.sampled_from(["", "Causes", "Treatment"]), body), min_size=1, max_size=4),
       size=st.integers(50, 400), overlap_share=st.floats(0, 0.9))
def test_any_text_chunks_round_trip(blocks, size, overlap_share):
    article = make_article(blocks)
    chunks = chunk_article(article, ChunkSettings(chunk_size=size, overlap=int(size * overlap_share)))
    covered = 0
    for c in chunks:
        assert article.text[c.start : c.end] == c.text and c.text.strip()
        assert len(c.text) <= size
    for section in article.sections:
        inside = [c for c in chunks if section.start <= c.start < section.end]
        assert all(c.end <= section.end and c.section_start == section.start for c in inside)
        covered += bool(inside)
    # every section with visible text yields at least one chunk
    assert covered == sum(bool(article.text[s.start : s.end].strip()) for s in article.sections)
