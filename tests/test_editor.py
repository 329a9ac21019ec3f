"""The editors' API on a running server: list, upload, delete, dry runs, credentials, bad input."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from chatbot.index.build import build_index
from chatbot.serve.api import create_api
from chatbot.settings import MAX_UPLOAD_BYTES
from chatbot.serve.service import BotService
from fakes import HashingEmbedder

ADMIN = ("editor", "correct horse")
GOUT = b"---\nreviewed: 2015-01-01\n---\n# Gout\n\nGout is a kind of arthritis that causes sudden joint pain.\n"


@pytest.fixture
def server(tiny_corpus, tmp_path):
    embedder = HashingEmbedder()
    build_index(tiny_corpus, tmp_path / "index", embedder=embedder)
    service = BotService(tmp_path / "index", tiny_corpus, embedder=embedder)
    app = create_api(service, admin=ADMIN, editor_log=str(tmp_path / "editor-log.jsonl"))
    with TestClient(app, raise_server_exceptions=False) as client:
        client.auth = ADMIN
        client.service, client.corpus, client.log = service, tiny_corpus, tmp_path / "editor-log.jsonl"
        yield client


def ids(server):
    return [a["id"] for a in server.get("/api/articles").json()["articles"]]


def test_routes_are_absent_without_an_admin_password(tiny_corpus, tmp_path):
    embedder = HashingEmbedder()
    build_index(tiny_corpus, tmp_path / "index", embedder=embedder)
    app = create_api(BotService(tmp_path / "index", tiny_corpus, embedder=embedder))
    with TestClient(app) as client:
        for method, path in (("GET", "/api/articles"), ("PUT", "/api/articles/x"), ("DELETE", "/api/articles/x"),
                             ("GET", "/admin")):
            assert client.request(method, path, auth=ADMIN).status_code in (404, 405), path
        assert "/api/articles" not in json.dumps(client.get("/openapi.json").json()["paths"])


@pytest.mark.parametrize("auth", [None, ("editor", "wrong"), ("admin", "correct horse")])
def test_wrong_or_missing_credentials_get_401(server, auth):
    for method, path in (("GET", "/api/articles"), ("PUT", "/api/articles/gout"), ("DELETE", "/api/articles/sleep")):
        response = server.request(method, path, auth=auth, content=GOUT, headers={"Content-Type": "text/markdown"})
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Basic", (method, auth)
    assert (server.corpus / "sleep.md").is_file()


def test_list_articles(server):
    articles = server.get("/api/articles").json()["articles"]
    assert {a["id"] for a in articles} == {"hydration", "knees", "sleep"}
    assert set(articles[0]) == {"id", "title", "format", "reviewed", "review_due", "overdue", "chunks"}
    assert {a["id"]: a["format"] for a in articles} == {"hydration": "md", "knees": "txt", "sleep": "md"}
    assert all(a["chunks"] >= 1 and a["reviewed"] == "" and not a["overdue"] for a in articles)


def test_put_adds_an_article_and_the_server_answers_from_it(server):
    response = server.put("/api/articles/conditions/gout", content=GOUT, headers={"Content-Type": "text/markdown"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["added"] == ["conditions/gout"] and report["chunks_embedded"] >= 1
    assert (server.corpus / "conditions" / "gout.md").read_bytes() == GOUT
    assert not [p for p in server.corpus.rglob(".*")]  # no temporary file left behind
    gout = next(a for a in server.get("/api/articles").json()["articles"] if a["id"] == "conditions/gout")
    assert (gout["reviewed"], gout["review_due"], gout["overdue"]) == ("2015-01-01", "2018-01-01", True)
    hits = server.service.current().retriever.search("gout arthritis sudden joint pain", k=1)
    assert hits[0].article_id == "conditions/gout"
    (entry,) = [json.loads(line) for line in server.log.read_text().splitlines()]
    assert (entry["user"], entry["action"], entry["id"], entry["fmt"]) == ("editor", "put", "conditions/gout", "md")
    assert entry["time"].endswith("+00:00")


def test_put_replaces_an_article_in_another_format(server):
    response = server.put("/api/articles/sleep?format=txt", content=b"Sleep\n\nAdults need seven to nine hours.\n")
    assert response.status_code == 200 and response.json()["changed"] == ["sleep"]
    assert not (server.corpus / "sleep.md").exists() and (server.corpus / "sleep.txt").is_file()


def test_dry_run_says_what_would_change_and_writes_nothing(server):
    before = sorted(p.name for p in server.corpus.rglob("*"))
    new = server.put("/api/articles/gout?dry_run=true", content=GOUT, headers={"Content-Type": "text/markdown"}).json()
    assert new["dry_run"] and new["added"] == ["gout"] and "+Gout is a kind of arthritis" in new["diff"]
    changed = server.put("/api/articles/sleep?dry_run=true&format=md", content=b"# Sleep\n\nNine hours.\n").json()
    assert changed["changed"] == ["sleep"] and "+Nine hours." in changed["diff"] and "\n-" in changed["diff"]
    gone = server.delete("/api/articles/sleep?dry_run=true").json()
    assert gone["removed"] == ["sleep"] and gone["diff"].count("\n-") >= 1
    assert sorted(p.name for p in server.corpus.rglob("*")) == before and not server.log.exists()


def test_delete_removes_the_article_from_the_corpus_and_the_index(server):
    response = server.delete("/api/articles/sleep")
    assert response.status_code == 200 and response.json()["removed"] == ["sleep"]
    assert not (server.corpus / "sleep.md").exists() and "sleep" not in ids(server)
    assert server.delete("/api/articles/sleep").status_code == 404


@pytest.mark.parametrize("article_id", ["../escape", "a/../../b", "/etc/passwd", ".hidden", "a//b", "gout.md", "x" * 201,
                                        "sp ace", "a\\b"])
def test_bad_ids_are_refused(server, article_id):
    response = server.put(f"/api/articles/{article_id}", content=GOUT, headers={"Content-Type": "text/markdown"})
    assert response.status_code in (400, 404), article_id
    assert not (server.corpus.parent / "escape.md").exists() and sorted(ids(server)) == ["hydration", "knees", "sleep"]


def test_unreadable_or_unknown_files_are_refused_and_nothing_is_written(server):
    before = sorted(p.name for p in server.corpus.rglob("*"))
    assert server.put("/api/articles/gout", content=GOUT).status_code == 415  # no format given
    assert server.put("/api/articles/gout?format=pptx", content=GOUT).status_code == 415
    refused = server.put("/api/articles/gout?format=pdf", content=b"%PDF-1.4 not really")
    assert refused.status_code == 422 and "not a readable PDF" in refused.json()["error"]
    assert server.put("/api/articles/gout?format=md", content=b"").status_code == 400
    assert sorted(p.name for p in server.corpus.rglob("*")) == before


def test_uploads_over_the_size_limit_are_refused(server):
    response = server.put("/api/articles/big?format=txt", content=b"x" * (MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 413 and "upload limit" in response.json()["error"]
    assert not (server.corpus / "big.txt").exists()


def test_the_admin_page_is_served_with_a_sign_in_form(server):
    page = server.get("/admin", auth=None)
    assert page.status_code == 200 and 'id="signin"' in page.text and 'type="password"' in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_page_s_own_sign_in_gets_a_401_without_the_browser_password_box(server):
    response = server.get("/api/articles", auth=("editor", "wrong"), headers={"X-Requested-With": "fetch"})
    assert response.status_code == 401 and "www-authenticate" not in response.headers
