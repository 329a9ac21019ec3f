"""The formats editors have: PDF, Word and web pages (main content only), and metadata for every format."""

from __future__ import annotations

import logging

import pytest

from chatbot.ingest.corpus import load_article, load_corpus
from conftest import write_corpus

LEAFLET = [  # (heading, paragraphs) of a three-page PDF; each page's text differs
    ("Symptoms", ["An attack of gout usually starts at night. The joint is hot, red and very tender, and it can be "
                  "so painful that even the weight of a bed sheet on it hurts.", "- sudden severe pain",
                  "- swelling and redness"]),
    ("Treatment", ["Anti-inflammatory medicines ease an attack within a few days. Resting the joint and keeping it "
                   "cool also helps while the attack lasts."]),
    ("Prevention", ["Drinking less alcohol and fewer sugary drinks lowers the chance of another attack, and so does "
                    "losing weight slowly if you are overweight."]),
]


def make_pdf(path, *, title: str | None = "Gout: a patient leaflet", pages=LEAFLET, text_layer: bool = True):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.set_auto_page_break(False)
    if title:
        pdf.set_title(title)
    for number, (heading, paragraphs) in enumerate(pages, 1):
        pdf.add_page()
        if not text_layer:  # a scanned page: drawing only, no text
            pdf.rect(20, 20, 150, 200, style="F")
            continue
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 8, "Health Site - patient information", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 12, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(275)
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 8, f"Page {number} of {len(pages)}", align="C")
    pdf.output(str(path))
    return path


def test_pdf_title_sections_and_paragraphs(tmp_path):
    a = load_article(make_pdf(tmp_path / "gout.pdf"), "gout")
    assert a.title == "Gout: a patient leaflet" and a.format == "pdf"
    assert [s.heading for s in a.sections] == ["Symptoms", "Treatment", "Prevention"]
    # the sentence wrapped over two lines in the PDF is one paragraph again
    assert "it can be so painful that even the weight of a bed sheet on it hurts." in a.text
    assert "- sudden severe pain\n\n- swelling and redness" in a.text


def test_pdf_page_furniture_is_dropped(tmp_path):
    a = load_article(make_pdf(tmp_path / "gout.pdf"), "gout")
    assert "Health Site" not in a.text and "Page 1" not in a.text and "of 3" not in a.text


def test_pdf_title_from_first_heading_without_metadata(tmp_path):
    a = load_article(make_pdf(tmp_path / "gout.pdf", title=None), "gout")
    assert a.title == "Symptoms"
    assert [s.heading for s in a.sections][:2] == ["", "Treatment"]


def test_scanned_pdf_is_skipped_saying_it_has_no_text(tmp_path, caplog):
    corpus = tmp_path / "c"
    write_corpus(corpus, {"good.md": "# Good\n\nFine text."})
    make_pdf(corpus / "scan.pdf", text_layer=False)
    with caplog.at_level(logging.WARNING, logger="chatbot"):
        loaded = load_corpus(corpus)
    assert [a.article_id for a in loaded.articles] == ["good"]
    assert "no text layer" in loaded.skipped[0][1] and "scan.pdf" in caplog.text


def make_docx(path, *, core_title: str = ""):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.core_properties.title = core_title
    document.add_paragraph("Migraine", style="Title")
    document.add_paragraph("A migraine is a strong headache, often on one side of the head.")
    document.add_heading("Triggers", level=1)
    document.add_paragraph("Stress", style="List Bullet")
    document.add_paragraph("Bright light", style="List Bullet")
    document.add_heading("When to get help", level=2)
    document.add_paragraph("See a doctor if headaches come more often or feel different.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Medicine", "Use"), ("Paracetamol", "mild pain")]):
        row.cells[0].text, row.cells[1].text = cells
    document.save(str(path))
    return path


def test_docx_title_headings_lists_and_tables(tmp_path):
    a = load_article(make_docx(tmp_path / "migraine.docx"), "migraine")
    assert a.title == "Migraine" and a.format == "docx"
    assert [s.heading for s in a.sections] == ["", "Triggers", "When to get help"]
    assert "- Stress\n\n- Bright light" in a.text
    assert "Paracetamol | mild pain" in a.text


def test_docx_title_property_wins(tmp_path):
    assert load_article(make_docx(tmp_path / "m.docx", core_title="Migraine in adults"), "m").title == "Migraine in adults"


PAGE = """<!doctype html><html><head><title>Gout | Health Site</title>
<link rel="canonical" href="https://health.example/gout"></head><body>
<div id="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<header><a href="/">Health Site</a></header>
<nav><a href="/a-z">Health A-Z</a> <a href="/drugs">Medicines</a></nav>
<div class="site-menu"><ul><li><a href="/live-well">Live well</a></li></ul></div>
<main><article>
<h1>Gout</h1>
<div class="share-buttons"><a>Share on Facebook</a> <a>Share on X</a></div>
<p>Gout is a kind of arthritis that causes sudden pain and swelling in a joint, often the big toe.</p>
<figure><img src="toe.jpg"><figcaption>Photo credit: Jane Doe / Getty Images</figcaption></figure>
<h2>Symptoms</h2><p>An attack usually starts at night.</p><ul><li>sudden severe pain</li><li>a red, hot joint</li></ul>
<aside>Related: Arthritis</aside>
</article></main>
<section class="related-articles"><h3>You may also like</h3><p>Joint pain explained</p></section>
<div class="newsletter"><p>Sign up to our newsletter</p></div>
<footer>© 2026 Health Site. Privacy policy.</footer></body></html>"""


def test_html_keeps_the_main_content_only(tmp_path):
    a = load_article(write_corpus(tmp_path, {"gout.html": PAGE}) / "gout.html", "gout")
    assert a.title == "Gout" and a.url == "https://health.example/gout"
    assert [s.heading for s in a.sections] == ["", "Symptoms"]
    assert a.text.startswith("Gout is a kind of arthritis")
    assert "- sudden severe pain" in a.text
    for furniture in ("cookies", "Health A-Z", "Live well", "Share on", "Getty", "Related", "also like",
                      "newsletter", "Privacy", "©"):
        assert furniture not in a.text, furniture


def test_html_without_main_uses_the_largest_article(tmp_path):
    page = ("<html><body><article><p>Short teaser.</p></article>"
            "<article><h2>Causes</h2><p>Uric acid builds up in the blood and forms crystals in a joint.</p></article>"
            "<div class='sidebar'>Popular now</div></body></html>")
    a = load_article(write_corpus(tmp_path, {"g.html": page}) / "g.html", "g")
    assert "Uric acid" in a.text and "teaser" not in a.text and "Popular" not in a.text


def test_txt_front_matter_names_url_source_and_review(tmp_path):
    text = "---\nurl: https://health.example/gout\nsource: Health Site\nreviewed: 2024-03-01\n---\nGout\n\nGout is arthritis.\n"
    a = load_article(write_corpus(tmp_path, {"gout.txt": text}) / "gout.txt", "gout")
    assert (a.title, a.url, a.source, a.reviewed) == ("Gout", "https://health.example/gout", "Health Site", "2024-03-01")
    assert a.text == "Gout is arthritis."


def test_sidecar_gives_metadata_to_any_format(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    make_pdf(corpus / "gout.pdf")
    (corpus / "gout.yaml").write_text("url: https://health.example/gout.pdf\nreviewed: 2025-01-15\nreview_due: 2026-01-15\n")
    loaded = load_corpus(corpus)
    assert loaded.skipped == []
    (a,) = loaded.articles
    assert (a.url, a.reviewed, a.review_due) == ("https://health.example/gout.pdf", "2025-01-15", "2026-01-15")


def test_front_matter_wins_over_the_sidecar(tmp_path):
    corpus = write_corpus(tmp_path, {"a.md": "---\nsource: From the file\n---\n# A\n\nText.", "a.yml": "source: Sidecar\nurl: https://x.example/a\n"})
    (a,) = load_corpus(corpus).articles
    assert (a.source, a.url) == ("From the file", "https://x.example/a")
