from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from chatbot.serve.api import MAX_BODY_BYTES, create_api
from chatbot.index.build import build_index
from chatbot.answer.safety import DOCTOR_NOTICE
from chatbot.serve.feedback import FeedbackStore, summarise_feedback
from chatbot.serve.service import BotService
from fakes import HashingEmbedder


@pytest.fixture
def client(tiny_corpus, tmp_path):
    embedder = HashingEmbedder()
    build_index(tiny_corpus, tmp_path / "index", embedder=embedder)
    service = BotService(tmp_path / "index", tiny_corpus, embedder=embedder)
    app = create_api(service, FeedbackStore(tmp_path / "feedback.db"))
    with TestClient(app, raise_server_exceptions=False) as c:
        c.log_path = tmp_path / "feedback.db"
        yield c


def test_health(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["articles"] == 3 and body["chunks"] > 0


def test_search(client):
    r = client.get("/api/search", params={"q": "knee pain surgery", "k": 2})
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert len(hits) == 2 and hits[0]["article_id"] == "knees"
    assert set(hits[0]) == {"article_id", "title", "url", "section", "text", "start", "end", "score", "similarity"}


def test_ask_returns_the_answer_as_json(client):
    r = client.post("/api/ask", json={"question": "how much water should adults drink", "history": []})
    assert r.status_code == 200
    answer = r.json()
    assert answer["kind"] in ("answer", "out_of_scope") and DOCTOR_NOTICE in answer["markdown"]
    assert {"question", "kind", "markdown", "citations", "intent", "red_flags", "confidence"} <= set(answer)


def test_ask_with_message_history(client):
    history = [{"role": "user", "content": "knee pain"}, {"role": "assistant", "content": "..."}]
    r = client.post("/api/ask", json={"question": "and how is it treated?", "history": history})
    assert r.status_code == 200 and r.json()["intent"] == "treatment"


def test_invalid_question_is_an_answer_with_the_notice(client):
    r = client.post("/api/ask", json={"question": "   "})
    assert r.status_code == 200 and r.json()["kind"] == "invalid" and DOCTOR_NOTICE in r.json()["markdown"]


def test_urgent_question(client):
    r = client.post("/api/ask", json={"question": "I have crushing chest pain right now"})
    assert r.json()["kind"] == "urgent" and "911" in r.json()["markdown"]


def test_info(client):
    info = client.get("/api/info").json()
    assert info["counts"]["articles"] == 3 and info["model"]["name"] == "test/hashing-bow"
    assert {a["article_id"] for a in info["articles"]} == {"hydration", "knees", "sleep"}


def test_openapi_schema_lists_the_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/health", "/api/search", "/api/ask", "/api/info", "/api/feedback"} <= set(paths)


def test_a_rating_the_database_cannot_take_is_a_503_with_a_message(client):
    client.log_path.unlink()
    client.log_path.mkdir()  # the database can no longer be written
    r = client.post("/api/feedback", json={"question": "q", "rating": "down"})
    assert r.status_code == 503 and "could not be stored" in r.text
    assert client.post("/api/ask", json={"question": "what is the capital of france"}).status_code == 200


def test_feedback_is_logged(client):
    r = client.post("/api/feedback", json={"question": "q", "rating": "down", "kind": "answer", "cited_articles": ["knees"]})
    assert r.status_code == 204
    client.post("/api/ask", json={"question": "what is the capital of france"})
    summary = summarise_feedback(client.log_path)
    assert summary["down"] == 1


@pytest.mark.parametrize(
    "method, url, kwargs, status",
    [
        ("get", "/api/search", {}, 422),                                   # q missing
        ("get", "/api/search", {"params": {"q": "x", "k": 0}}, 422),
        ("get", "/api/search", {"params": {"q": "x", "k": 1000}}, 422),
        ("get", "/api/search", {"params": {"q": "x", "k": "many"}}, 422),
        ("get", "/api/search", {"params": {"q": "   "}}, 422),              # blank query
        ("get", "/api/search", {"params": {"q": "x" * 3000}}, 422),
        ("post", "/api/ask", {"content": b"not json", "headers": {"content-type": "application/json"}}, 422),
        ("post", "/api/ask", {"json": {}}, 422),
        ("post", "/api/ask", {"json": {"question": 5}}, 422),
        ("post", "/api/ask", {"json": {"question": "x", "history": "nope"}}, 422),
        ("post", "/api/ask", {"json": {"question": "x", "history": [{"role": "robot", "content": "x"}]}}, 422),
        ("post", "/api/ask", {"content": b"{" + b" " * (MAX_BODY_BYTES + 10) + b"}", "headers": {"content-type": "application/json"}}, 413),
        ("post", "/api/feedback", {"json": {"question": "q", "rating": "meh"}}, 422),
    ],
)
def test_bad_input_gets_a_4xx_json_error(client, method, url, kwargs, status):
    r = getattr(client, method)(url, **kwargs)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    if status == 422:  # FastAPI's validation errors: where and what, for each
        assert set(body) == {"detail"} and body["detail"] and all({"loc", "msg"} <= set(e) for e in body["detail"])
    else:
        assert set(body) == {"error"} and body["error"]


@pytest.fixture
def locked(tiny_corpus, tmp_path):
    embedder = HashingEmbedder()
    build_index(tiny_corpus, tmp_path / "index", embedder=embedder)
    service = BotService(tmp_path / "index", tiny_corpus, embedder=embedder)
    with TestClient(create_api(service, None, credentials=("nurse", "s3cret")), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("auth", [None, ("nurse", "wrong"), ("someone", "s3cret")])
def test_password_protected_api_refuses_without_the_right_credentials(locked, auth):
    r = locked.post("/api/ask", json={"question": "water"}, auth=auth)
    assert r.status_code == 401 and "user name and password" in r.json()["error"]
    assert r.headers["www-authenticate"] == "Basic"
    assert locked.get("/api/search", params={"q": "water"}, auth=auth).status_code == 401


def test_password_protected_api_answers_with_them(locked):
    assert locked.post("/api/ask", json={"question": "water"}, auth=("nurse", "s3cret")).status_code == 200
    assert locked.get("/api/health").status_code == 200  # for monitoring, no secrets in it


@pytest.mark.slow  # builds the Gradio page (seconds)
def test_page_asks_for_the_password_too(tiny_corpus, tmp_path, monkeypatch):
    from chatbot.serve.web import create_app, credentials_from_environment

    monkeypatch.setenv("CHATBOT_USERNAME", "nurse")
    monkeypatch.setenv("CHATBOT_PASSWORD", "s3cret")
    assert credentials_from_environment() == ("nurse", "s3cret")
    embedder = HashingEmbedder()
    build_index(tiny_corpus, tmp_path / "index", embedder=embedder)
    app = create_app(BotService(tmp_path / "index", tiny_corpus, embedder=embedder), None, credentials_from_environment())
    with TestClient(app) as c:
        page = c.get("/")
        assert page.status_code == 200  # the page shell: it shows a sign-in form until /login succeeds
        assert c.get("/config").status_code == 401
        assert c.post("/login", data={"username": "nurse", "password": "s3cret"}).status_code == 200
        assert c.get("/config").status_code == 200


@pytest.mark.parametrize("q", ["\x1e", "\x1c\x1f", " \u2003 "])
def test_blank_by_any_definition_is_a_validation_error(client, q):
    assert client.get("/api/search", params={"q": q}).status_code == 422
