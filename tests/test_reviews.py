"""Review dates: when each article is due, which are overdue, and where editors see them."""

from __future__ import annotations

import datetime
import json

import pytest

import chatbot.index.build
from chatbot.cli import main
from chatbot.errors import ChatbotError
from chatbot.ingest.reviews import due_date, review_status, review_years
from chatbot.serve.feedback import FeedbackStore
from conftest import write_corpus
from fakes import HashingEmbedder


@pytest.mark.parametrize("reviewed, review_due, years, due", [
    ("2024-05-31", "", 3, "2027-05-31"),
    ("2024-02-29", "", 1, "2025-02-28"),   # no 29 February next year
    ("2023-11", "", 2, "2025-11-01"),      # a partial date counts from its first day
    ("2020-01-01", "2022-06-30", 3, "2022-06-30"),  # review_due wins over the interval
    ("", "", 3, ""),
])
def test_due_date(reviewed, review_due, years, due):
    assert due_date(reviewed, review_due, years) == due


def test_review_status_lists_overdue_most_overdue_first_and_unreviewed():
    records = {
        "fresh": {"title": "Fresh", "reviewed": "2026-01-01"},
        "old": {"title": "Old", "reviewed": "2020-01-01"},
        "older": {"title": "Older", "reviewed": "2019-06-01"},
        "set-due": {"title": "Due set", "reviewed": "2026-01-01", "review_due": "2026-02-01"},
        "never": {"title": "Never"},
    }
    status = review_status(records, years=3, today=datetime.date(2026, 3, 1))
    assert [r["article_id"] for r in status["overdue"]] == ["older", "old", "set-due"]
    assert status["overdue"][1] == {"article_id": "old", "title": "Old", "reviewed": "2020-01-01",
                                    "review_due": "2023-01-01", "days_overdue": 1155}
    assert status["unreviewed"] == ["never"]


def test_review_interval_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHATBOT_REVIEW_YEARS", "2")
    assert review_years() == 2 and review_years(5) == 5
    monkeypatch.setenv("CHATBOT_REVIEW_YEARS", "soon")
    with pytest.raises(ChatbotError, match="whole number of years"):
        review_years()


@pytest.fixture
def reviewed_index(tmp_path, monkeypatch):
    monkeypatch.setattr(chatbot.index.build, "load_embedder", lambda model=None, **kw: HashingEmbedder())
    corpus = write_corpus(tmp_path / "corpus", {
        "gout.md": "---\nreviewed: 2015-04-01\n---\n# Gout\n\nGout is a kind of arthritis that causes joint pain.",
        "sleep.md": f"---\nreviewed: {datetime.date.today().isoformat()}\n---\n# Sleep\n\nAdults need seven hours of sleep.",
        "flu.txt": "Flu\n\nFlu is an infection of the nose, throat and lungs.",
    })
    (corpus / "flu.yaml").write_text("reviewed: 2018-01-01\nreview_due: 2019-01-01\n")
    paths = ["--index", str(tmp_path / "index")]
    assert main(["build", "--corpus", str(corpus), *paths, "-q"]) == 0
    return corpus, paths


def test_info_lists_overdue_articles(capsys, reviewed_index):
    corpus, paths = reviewed_index
    capsys.readouterr()
    main(["info", "--corpus", str(corpus), *paths, "--json"])
    info = json.loads(capsys.readouterr().out)
    assert [(r["article_id"], r["review_due"]) for r in info["review_due"]] == [("gout", "2018-04-01"), ("flu", "2019-01-01")]
    assert info["unreviewed"] == []
    main(["info", "--corpus", str(corpus), *paths, "--review-years", "20"])
    out = capsys.readouterr().out
    assert "OVERDUE FOR REVIEW: 1 article" in out and "flu: due 2019-01-01" in out and "gout" not in out


def test_report_lists_overdue_articles_with_how_often_each_was_cited(capsys, reviewed_index, tmp_path):
    _, paths = reviewed_index
    log = FeedbackStore(tmp_path / "feedback.db")
    for cited in (["gout"], ["gout", "sleep"], ["sleep"], ["gout"]):
        log._append({"event": "cited", "articles": cited})
    capsys.readouterr()
    main(["report", "--feedback-db", str(log.path), *paths, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["cited"] == {"gout": 3, "sleep": 2}
    assert [(r["article_id"], r["cited"]) for r in report["review_due"]] == [("gout", 3), ("flu", 0)]
    main(["report", "--feedback-db", str(log.path), *paths])
    assert "gout: due 2018-04-01 (reviewed 2015-04-01, cited 3 times)" in capsys.readouterr().out


def test_the_feedback_log_records_which_articles_answers_cite(tmp_path):
    from types import SimpleNamespace

    log = FeedbackStore(tmp_path / "feedback.db")
    cite = lambda article_id: SimpleNamespace(article_id=article_id)  # noqa: E731
    log.answered(SimpleNamespace(kind="answer", question="what is gout?", citations=[cite("gout"), cite("gout"), cite("diet")]))
    log.answered(SimpleNamespace(kind="out_of_scope", question="who won?", citations=[]))
    events = log.events()
    assert [(e["event"], e.get("articles")) for e in events] == [("cited", ["diet", "gout"]), ("refused", None)]
    assert "question" not in events[0]  # which articles, never the question
