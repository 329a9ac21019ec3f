from __future__ import annotations

import json
import threading
import time

import pytest

from chatbot.errors import ChatbotError
from chatbot.index.build import build_index
from chatbot.serve.feedback import FeedbackStore, summarise_feedback
from chatbot.serve.service import BotService
from chatbot.types import Answer
from conftest import article, write_corpus
from fakes import HashingEmbedder


@pytest.fixture
def service(tiny_corpus, tmp_path):
    embedder = HashingEmbedder()
    build_index(tiny_corpus, tmp_path / "index", embedder=embedder)
    svc = BotService(tmp_path / "index", tiny_corpus, embedder=embedder, poll_seconds=0.05)
    yield svc
    svc.stop()


def wait_until(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def cited(service, question):
    return {c.article_id for c in service.current().ask(question).citations}


def test_a_separate_build_is_picked_up_without_restart(service, tiny_corpus, tmp_path):
    service.start()
    before = service.build_id
    write_corpus(tiny_corpus, {"zinc.md": article("Zinc", ("Overview", "Zinc deficiency slows wound healing in adults."))})
    build_index(tiny_corpus, tmp_path / "index", embedder=HashingEmbedder())  # as `python -m chatbot build` would
    assert wait_until(lambda: service.build_id != before)
    assert service.reloads == 1
    assert "zinc" in service.current().retriever.manifest["articles"]


def test_watching_the_corpus_rebuilds_and_swaps(service, tiny_corpus):
    service.start(watch_corpus=True)
    time.sleep(0.5)  # let the watcher start
    write_corpus(tiny_corpus, {"zinc.md": article("Zinc", ("Overview", "Zinc deficiency slows wound healing in adults."))})
    assert wait_until(lambda: "zinc" in service.current().retriever.manifest["articles"], timeout=30)
    (tiny_corpus / "zinc.md").unlink()
    assert wait_until(lambda: "zinc" not in service.current().retriever.manifest["articles"], timeout=30)


@pytest.mark.slow  # rebuilds the index under load (seconds)
def test_requests_during_swaps_never_fail(service, tiny_corpus, tmp_path):
    service.start()
    service.current().ask("how much water should adults drink")  # loads what the first answer needs
    failures, answers = [], []
    stop = threading.Event()

    def ask_repeatedly():
        while not stop.is_set():
            try:
                answers.append(service.current().ask("how much water should adults drink"))
            except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
                failures.append(exc)

    threads = [threading.Thread(target=ask_repeatedly) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(5):
        write_corpus(tiny_corpus, {f"extra{i}.md": article(f"Extra {i}", ("S", f"Extra words number {i}."))})
        build_index(tiny_corpus, tmp_path / "index", embedder=HashingEmbedder())
        time.sleep(0.15)
    stop.set()
    for t in threads:
        t.join()
    assert failures == [] and len(answers) > 10
    assert wait_until(lambda: service.reloads >= 1)


def test_a_broken_new_index_keeps_the_old_one(service, tmp_path):
    manifest_path = tmp_path / "index" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["build_id"] = "something-new"
    manifest["counts"]["chunks"] += 1  # inconsistent: cannot load
    manifest_path.write_text(json.dumps(manifest))
    old = service.current()
    assert service.reload_if_changed() is False
    assert service.current() is old and "inconsistent" in service.last_error


def test_feedback_store_and_report(tmp_path):
    store = FeedbackStore(tmp_path / "data" / "feedback.db")
    store.rating("can back pain cause shaky hands?", "answer", ["back-pain-shaky-hands"], "up")
    store.rating("what is gout", "answer", ["a"], "down")
    store.answered(Answer(question="best mattress for back pain?", kind="out_of_scope", markdown="x"))
    store.answered(Answer(question="Best  mattress for back pain?", kind="out_of_scope", markdown="x"))
    store.answered(Answer(question="fine", kind="answer", markdown="x"))  # answered questions are not logged
    events = store.events()
    assert len(events) == 4 and events[0]["event"] == "rating" and events[0]["articles"] == ["back-pain-shaky-hands"]
    assert events[0]["time"].endswith("+00:00")
    summary = summarise_feedback(tmp_path / "data" / "feedback.db")
    assert summary["up"] == 1 and summary["down"] == 1 and summary["unreadable_lines"] == 0
    assert summary["refused_questions"] == [{"question": "best mattress for back pain?", "count": 2}]
    assert summary["down_rated_questions"] == [{"question": "what is gout", "count": 1}]


def test_an_old_json_lines_log_is_imported_once(tmp_path):
    old = tmp_path / "feedback.jsonl"
    old.write_text(json.dumps({"time": "2026-01-01T00:00:00+00:00", "event": "rating", "rating": "down",
                               "question": "what is gout", "kind": "answer", "cited_articles": ["gout"]}) + "\n"
                   + json.dumps({"time": "2026-01-01T00:00:01+00:00", "event": "cited", "articles": ["gout"]}) + "\n"
                   + "not json\n")
    for _ in range(2):  # opening the store again imports nothing more
        FeedbackStore(tmp_path / "feedback.db", legacy_log=old)
    summary = summarise_feedback(tmp_path / "feedback.db")
    assert summary["down"] == 1 and summary["cited"] == {"gout": 1} and summary["unreadable_lines"] == 1
    assert FeedbackStore(tmp_path / "feedback.db").events()[0]["articles"] == ["gout"]


def _post_ratings(path: str, worker: int, count: int) -> None:
    store = FeedbackStore(path)
    for i in range(count):
        store.rating(f"question {worker}-{i}", "answer", ["a"], "up" if i % 2 else "down")


@pytest.mark.parametrize("through", ["sqlite file", "SQLAlchemy URL"])
def test_concurrent_writers_in_several_processes_lose_no_event(tmp_path, through):
    import multiprocessing

    path = str(tmp_path / "feedback.db")
    if through == "SQLAlchemy URL":  # the code path of a server database (PostgreSQL cannot run here)
        path = f"sqlite:///{path}"
    FeedbackStore(path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_post_ratings, args=(path, w, 50)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0] * 4
    events = FeedbackStore(path).events()
    assert len(events) == 200 and len({e["question"] for e in events}) == 200


def test_a_server_database_url_stores_and_reports_feedback(tmp_path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    store = FeedbackStore(url)
    store.rating("what is gout", "answer", ["gout"], "down")
    store.answered(Answer(question="best mattress?", kind="out_of_scope", markdown="x"))
    assert [e["event"] for e in FeedbackStore(url).events()] == ["rating", "refused"]
    summary = summarise_feedback(url)
    assert summary["down"] == 1 and summary["refused_questions"] == [{"question": "best mattress?", "count": 1}]
    with pytest.raises(ChatbotError, match="Cannot use the database 'nowhere.invalid/db'") as error:
        FeedbackStore("postgresql+psycopg://user:secret@nowhere.invalid/db")  # no driver, or no server
    assert "secret" not in str(error.value)


def test_an_unusable_feedback_database_says_what_to_do(tmp_path):
    (tmp_path / "feedback.db").write_text("this is not a database")
    with pytest.raises(ChatbotError, match="--feedback-db"):
        FeedbackStore(tmp_path / "feedback.db")


def test_bad_rating_and_missing_log(tmp_path):
    with pytest.raises(ValueError, match="'up' or 'down'"):
        FeedbackStore(tmp_path / "f.db").rating("q", "answer", [], "meh")
    with pytest.raises(ChatbotError, match="No feedback database"):
        summarise_feedback(tmp_path / "none.db")


def test_a_feedback_database_that_fails_never_fails_the_caller(tmp_path, caplog):
    store = FeedbackStore(tmp_path / "feedback.db")
    (tmp_path / "feedback.db").unlink()
    (tmp_path / "feedback.db").mkdir()  # writes now fail: the path is a folder
    assert store.rating("q", "answer", [], "up") is False
    store.answered(Answer(question="who won?", kind="out_of_scope", markdown="x"))
    assert "Feedback event not recorded" in caplog.text
