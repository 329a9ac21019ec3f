from __future__ import annotations

import logging
import os

import pytest

from chatbot.ingest.corpus import load_article, load_corpus
from chatbot.errors import CorpusError
from conftest import ROOT, write_corpus, SHIPPED_CORPUS


@pytest.fixture(scope="module")
def seeds():
    loaded = load_corpus(ROOT / "corpus")
    return {a.article_id: a for a in loaded.articles}


def headings(article):
    return [s.heading for s in article.sections]


@SHIPPED_CORPUS
def test_seed_ids_and_titles(seeds):
    assert {a: seeds[a].title for a in seeds} == {
        "back-pain-shaky-hands": "Can Back Pain Cause Shaky Hands?",
        "lumbar-tremor": "Lumbar tremor: causes, symptoms, and treatment methods",
        "spinal-problems-tremors": "Can spinal problems cause tremors?",
    }


@SHIPPED_CORPUS
def test_repeated_title_of_000_is_dropped(seeds):
    a = seeds["back-pain-shaky-hands"]
    assert "Can Back Pain Cause Shaky Hands?" not in a.text
    assert a.text.startswith("The primary question posed is")


@SHIPPED_CORPUS
def test_one_line_headings_become_sections(seeds):
    assert headings(seeds["back-pain-shaky-hands"])[:4] == ["", "Nerve Compression", "Muscle Tension", "Medication Side Effects"]
    lumbar = headings(seeds["lumbar-tremor"])
    assert lumbar[:4] == ["About the Symptom", "Diseases", "Diagnosis", "Which doctor to contact"]
    assert "Treatment of Lumbar Tremor" in lumbar and "Complications" in lumbar


@SHIPPED_CORPUS
def test_bullets_stay_in_their_section_verbatim(seeds):
    a = seeds["lumbar-tremor"]
    doctors = next(s for s in a.sections if s.heading == "Which doctor to contact")
    body = a.text[doctors.start : doctors.end]
    assert "- Neurologist\n- Orthopedic surgeon\n- Vertebrologist" in body
    assert "- Neurologist" not in headings(a)


@SHIPPED_CORPUS
def test_page_furniture_of_003_is_dropped(seeds):
    text = seeds["spinal-problems-tremors"].text
    assert "Share on Pinterest" not in text
    assert "Getty Images" not in text
    assert "  • be mild or severe" in text  # bullets kept as written
    assert "Botulinum toxin (Botox) injections" in headings(seeds["spinal-problems-tremors"])


@SHIPPED_CORPUS
def test_seed_text_is_the_original_wording(seeds):
    original = (ROOT.parent / "shared" / "seeds" / "002_9434285b10c056a6.txt")
    if not original.exists():
        original = ROOT / "corpus" / "lumbar-tremor.txt"
    raw = original.read_text(encoding="utf-8")
    for section in seeds["lumbar-tremor"].sections:
        for line in seeds["lumbar-tremor"].text[section.start : section.end].splitlines():
            assert line in raw


def test_markdown_front_matter_and_headings(tmp_path):
    path = write_corpus(tmp_path, {"a.md": "---\ntitle: Gout\nurl: https://x.org/gout\nsource: NIH\n---\n# Gout\n\nIntro line.\n\n## Causes\n\nUric acid crystals.\n\n### Diet\n\nLess red meat.\n"}) / "a.md"
    a = load_article(path, "a")
    assert (a.title, a.url, a.source) == ("Gout", "https://x.org/gout", "NIH")
    assert headings(a) == ["", "Causes", "Diet"]
    assert a.text[a.sections[1].start : a.sections[1].end] == "Uric acid crystals."


@pytest.mark.parametrize("front, reviewed", [
    ("reviewed: 2024-05-31", "2024-05-31"),             # YAML reads it as a date
    ("last_reviewed: '2023-11'", "2023-11"),
    ("updated: 2022-01-02 10:30:00", "2022-01-02"),     # a time is dropped
    ("reviewed: last spring", ""),                      # not a date: left out, with a warning
    ("reviewed: '2024-13-01'", ""),
    ("title: X", ""),
])
def test_review_date_from_front_matter(tmp_path, caplog, front, reviewed):
    path = write_corpus(tmp_path, {"a.md": f"---\n{front}\n---\n# Gout\n\nUric acid crystals.\n"}) / "a.md"
    assert load_article(path, "a").reviewed == reviewed
    assert ("is not a date" in caplog.text) == (front.startswith("reviewed: ") and not reviewed)


def test_a_new_review_date_or_source_changes_the_content_hash(tmp_path):
    hashes = set()
    for front in ("title: Gout", "title: Gout\nreviewed: 2024-05-31", "title: Gout\nsource: NIH"):
        path = write_corpus(tmp_path / str(len(hashes)), {"a.md": f"---\n{front}\n---\nUric acid crystals.\n"}) / "a.md"
        hashes.add(load_article(path, "a").content_hash)
    assert len(hashes) == 3


def test_markdown_title_from_first_heading_without_front_matter(tmp_path):
    path = write_corpus(tmp_path, {"b.md": "# Asthma basics\n\nAsthma narrows the airways.\n"}) / "b.md"
    a = load_article(path, "b")
    assert a.title == "Asthma basics" and a.text == "Asthma narrows the airways."


def test_html_visible_text_title_and_sections(tmp_path):
    html = """<html><head><title>Migraine</title><style>p{color:red}</style>
    <script>alert('x')</script></head><body><nav>Home | About</nav>
    <h1>Migraine</h1><p>A migraine is a <b>strong</b> headache.</p>
    <h2>Triggers</h2><ul><li>Stress</li><li>Bright light</li></ul><footer>Copyright</footer></body></html>"""
    a = load_article(write_corpus(tmp_path, {"m.html": html}) / "m.html", "m")
    assert a.title == "Migraine"
    assert "A migraine is a strong headache." in a.text
    assert headings(a) == ["", "Triggers"]
    assert "- Stress\n\n- Bright light" in a.text
    for hidden in ("alert", "color:red", "Home | About", "Copyright"):
        assert hidden not in a.text


def test_text_article_hash_changes_with_content(tmp_path):
    p = write_corpus(tmp_path, {"x.txt": "Title\n\nSome text here."}) / "x.txt"
    first = load_article(p, "x").content_hash
    p.write_text("Title\n\nOther text here.", encoding="utf-8")
    assert load_article(p, "x").content_hash != first


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("latin1.txt", "Caf\xe9 au lait\n\nText".encode("latin-1"), "not UTF-8"),
        ("empty.md", b"", "empty"),
        ("blank.txt", b"  \n\n  \n", "empty"),
        ("broken.md", b"---\ntitle: [unclosed\n---\nBody text.\n", "front matter"),
        ("title-only.txt", b"Just a title\n", "no article text"),
        ("notes.docx", b"PK\x03\x04", "not a readable Word"),
        ("leaflet.pdf", b"%PDF-1.4 truncated", "not a readable PDF"),
        ("slides.pptx", b"PK\x03\x04", "unsupported file type"),
        ("orphan.yaml", b"reviewed: 2024-01-01\n", "no such article"),
    ],
)
def test_bad_file_is_skipped_with_a_warning_naming_it(tmp_path, caplog, name, content, reason):
    corpus = write_corpus(tmp_path / "c", {"good.md": "# Good\n\nFine text.", name: content})
    with caplog.at_level(logging.WARNING, logger="chatbot"):
        loaded = load_corpus(corpus)
    assert [a.article_id for a in loaded.articles] == ["good"]
    assert len(loaded.skipped) == 1 and loaded.skipped[0][0].endswith(name)
    assert reason in loaded.skipped[0][1]
    assert name in caplog.text


def test_duplicate_ids_keep_the_first_and_warn(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"a.md": "# A\n\nFrom markdown.", "a.txt": "A\n\nFrom text."})
    loaded = load_corpus(corpus)
    assert [a.path.endswith("a.md") for a in loaded.articles] == [True]
    assert "already used" in loaded.skipped[0][1]


def test_symlink_outside_corpus_is_skipped(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("Secret\n\nDo not index me.", encoding="utf-8")
    corpus = write_corpus(tmp_path / "c", {"ok.txt": "Ok\n\nIndex me."})
    os.symlink(outside, corpus / "link.txt")
    loaded = load_corpus(corpus)
    assert [a.article_id for a in loaded.articles] == ["ok"]
    assert "outside the corpus" in loaded.skipped[0][1]


def test_nested_folders_give_path_ids_and_hidden_files_are_ignored(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"heart/afib.md": "# AFib\n\nIrregular beat.", ".draft.md": "# x\n\ny", "heart/.swp.txt": "x"})
    loaded = load_corpus(corpus)
    assert [a.article_id for a in loaded.articles] == ["heart/afib"]
    assert loaded.skipped == []


def test_articles_come_in_sorted_path_order_with_duplicates_found_inside_each_folder(tmp_path):
    names = ["a.md", "a-b/x.md", "a/x.md", "a/x.txt", "a/z/y.md", "a/y.md", "b.md", "a.n/x.md", "A.md", "b/a.md", "b/a.yaml"]
    corpus = write_corpus(tmp_path / "c", {name: f"# T {name}\n\nBody of {name}." for name in names})
    loaded = load_corpus(corpus)
    expected = [p for p in sorted(corpus.rglob("*")) if p.suffix in (".md", ".txt") and p.name != "x.txt"]
    assert [a.path for a in loaded.articles] == [str(p) for p in expected]
    assert [s for s, _ in loaded.skipped] == [str(corpus / "a/x.txt")] and "already used" in loaded.skipped[0][1]


def test_missing_corpus_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_a_50_megabyte_file_is_skipped_and_the_rest_loads(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"ok.md": "# Ok\n\nFine text."})
    with (corpus / "huge.txt").open("w", encoding="utf-8") as f:
        line = "Huge article line that goes on and on. " * 25 + "\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    loaded = load_corpus(corpus)
    assert [a.article_id for a in loaded.articles] == ["ok"]
    assert "over the 5,000,000-byte limit" in loaded.skipped[0][1]


@pytest.mark.parametrize("name", ["my article (copy).md", "émigré–ß 😀.txt", "-starts-with-dash.md", "tab\tin name.md",
                                  "UPPER.MD", "dots.in.name.txt", "sub dir/x.html"])
def test_odd_file_names_load_with_their_path_as_id(tmp_path, name):
    body = "<html><title>T</title><p>Body text.</p></html>" if name.endswith(".html") else "Title\n\nBody text."
    corpus = write_corpus(tmp_path / "c", {name: body})
    loaded = load_corpus(corpus)
    assert [a.article_id for a in loaded.articles] == [name.rsplit(".", 1)[0]]
    assert "Body text." in loaded.articles[0].text
