from __future__ import annotations

import json

import pytest

import chatbot.index.build
import chatbot.search.retriever
from chatbot.cli import main
from chatbot.settings import Settings
from conftest import article, write_corpus
from fakes import HashingEmbedder


@pytest.fixture(autouse=True)
def fake_model(monkeypatch):
    """The command line loads models by name; give it the fake one."""
    fake = HashingEmbedder()
    monkeypatch.setattr(chatbot.index.build, "load_embedder", lambda model=None, **kw: fake)
    monkeypatch.setattr(chatbot.search.retriever, "load_embedder", lambda model=None, **kw: fake)
    return fake


@pytest.fixture
def paths(tiny_corpus, tmp_path):
    return ["--corpus", str(tiny_corpus), "--index", str(tmp_path / "index")]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_build_prints_the_report(capsys, paths):
    code, out, _ = run(capsys, "build", *paths, "-q")
    assert code == 0
    assert "full rebuild: new index" in out
    assert "3 added, 0 changed, 0 removed, 0 unchanged, 0 skipped" in out
    code, out, _ = run(capsys, "build", *paths, "-q")
    assert "is up to date" in out and "nothing embedded" in out


def test_build_json_and_dry_run(capsys, paths, tiny_corpus):
    run(capsys, "build", *paths, "-q")
    write_corpus(tiny_corpus, {"new.md": article("New", ("S", "Fresh words."))})
    code, out, _ = run(capsys, "build", *paths, "--dry-run", "--json")
    report = json.loads(out)
    assert report["dry_run"] and report["added"] == ["new"] and report["counts"]["unchanged"] == 3
    code, out, _ = run(capsys, "build", *paths, "--json", "-q")
    assert json.loads(out)["chunks_embedded"] == 1


def test_bad_chunk_settings_are_one_error_line(capsys, paths):
    code, _, err = run(capsys, "build", *paths, "--chunk-size", "10")
    assert code == 1 and err.startswith("error: chunk_size must be at least 50")


def test_search_json_has_the_hit_fields(capsys, paths):
    run(capsys, "build", *paths, "-q")
    code, out, _ = run(capsys, "search", "knee pain treatment", "-k", "2", "--json", "--index", paths[3])
    hits = json.loads(out)["hits"]
    assert len(hits) == 2 and hits[0]["article_id"] == "knees"
    assert {"article_id", "title", "url", "section", "text", "score", "start", "end"} <= set(hits[0])


def test_search_plain_text(capsys, paths):
    run(capsys, "build", *paths, "-q")
    code, out, _ = run(capsys, "search", "water", "--index", paths[3])
    assert code == 0 and out.startswith("1. [")


def test_search_without_index_is_one_error_line(capsys, tmp_path):
    code, out, err = run(capsys, "search", "x", "--index", str(tmp_path / "none"))
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [err.strip()] and "error: No index at" in err and "python -m chatbot build" in err


def test_empty_query_is_one_error_line(capsys, paths):
    run(capsys, "build", *paths, "-q")
    code, _, err = run(capsys, "search", "  ", "--index", paths[3])
    assert code == 1 and "error: The query is empty" in err


def test_info_says_when_the_index_is_stale(capsys, paths, tiny_corpus):
    run(capsys, "build", *paths, "-q")
    code, out, _ = run(capsys, "info", *paths, "--json")
    info = json.loads(out)
    assert info["stale"] is False and info["counts"]["articles"] == 3
    (tiny_corpus / "sleep.md").unlink()
    code, out, _ = run(capsys, "info", *paths)
    assert "STALE" in out and "1 removed" in out


def test_a_damaged_index_is_reported_and_repaired_with_the_command_the_error_gives(capsys, paths, tmp_path):
    run(capsys, "build", *paths, "-q")
    vectors = tmp_path / "index" / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[: vectors.stat().st_size // 2])
    code, out, _ = run(capsys, "info", *paths, "--json")
    info = json.loads(out)
    assert "vectors.faiss does not match its checksum" in info["damaged"] and info["stale"] is True
    code, out, _ = run(capsys, "info", *paths)
    assert "DAMAGED" in out and "up to date" not in out
    code, out, err = run(capsys, "search", "water", "--index", str(tmp_path / "index"))
    assert code != 0 and "python -m chatbot build" in err
    code, out, _ = run(capsys, "build", *paths, "-q")
    assert code == 0 and "full rebuild: the index is damaged" in out
    code, out, _ = run(capsys, "search", "water", "--index", str(tmp_path / "index"))
    assert code == 0
    code, out, _ = run(capsys, "build", *paths, "-q", "--force")
    assert "full rebuild: asked for (--force)" in out


def test_eval_prints_metrics_as_json(capsys, paths, tmp_path):
    run(capsys, "build", *paths, "-q")
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "1", "question": "how much water a day", "kind": "in_scope", "relevant": [{"article": "hydration", "grade": 2}],
         "evidence": ["two litres of fluid a day"]},
        {"id": "2", "question": "knee arthritis meniscus", "kind": "in_scope", "relevant": [{"article": "knees", "grade": 2}],
         "evidence": ["torn meniscus"]},
        {"id": "3", "question": "stock prices", "kind": "out_of_scope", "relevant": []},
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(questions), *paths)
    result = json.loads(out)
    assert result["questions"] == {"total": 3, "in_scope": 2, "out_of_scope": 1, "urgent": 0}
    retrieval = result["retrieval"]
    assert retrieval["questions"] == 2
    assert retrieval["recall@5"] == 1.0 and retrieval["mrr@10"] == 1.0 and retrieval["passage_hit@5"] == 1.0
    answers = result["answers"]
    assert answers["questions"] == 3 and answers["notice_rate"] == 1.0
    assert answers["quotes"] > 0 and answers["quotes_verbatim"] == 1.0
    assert result["settings"] == Settings().to_dict()
    assert Settings.from_dict(result["settings"]) == Settings()
    assert result["ranker"]["ranker"] == "learned" and len(result["ranker"]["sha256"]) == 64
    assert result["opening"]["lead"] == "learned" and len(result["opening"]["sha256"]) == 64


def test_eval_refuses_a_corpus_that_is_not_the_index(capsys, paths, tmp_path):
    run(capsys, "build", *paths, "-q")
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "1", "question": "water"}), encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.md").write_text("# X\n\nText.", encoding="utf-8")
    code, _, err = run(capsys, "eval", str(questions), "--index", paths[3], "--corpus", str(other))
    assert code == 1 and "is not the corpus of this index" in err


def test_eval_of_a_bad_file(capsys, tmp_path, paths):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    code, _, err = run(capsys, "eval", str(bad), "--index", paths[3])
    assert code == 1 and "line 1 is not a question record" in err


def test_options_alone_serve_the_page(monkeypatch):
    import chatbot.serve.launch

    seen = {}
    monkeypatch.setattr(chatbot.serve.launch, "serve", lambda *a, **kw: seen.update(kw))
    assert main(["--port", "7881", "--host", "127.0.0.1", "--allow-origin", "https://clinic.example"]) == 0
    assert seen["port"] == 7881 and seen["host"] == "127.0.0.1" and seen["allow_origins"] == ["https://clinic.example"]
    seen.clear()
    assert main([]) == 0 and seen["port"] == 7860 and seen["workers"] == 1  # `python -m chatbot`
    assert main(["serve", "--workers", "2"]) == 0 and seen["workers"] == 2


def test_a_port_in_use_is_one_error_line_before_serving(capsys, paths):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["--port", str(port), *paths, "--feedback-db", ""])
    out, err = capsys.readouterr()
    assert code == 1 and "Serving" not in out
    assert err.startswith("error: ") and f"port {port}" in err and "--port" in err and err.count("\n") == 1


@pytest.mark.parametrize("origin", ["clinic.example", "https://clinic.example/page", "ftp://clinic.example"])
def test_an_origin_that_is_not_one_is_refused(capsys, paths, origin):
    code = main(["serve", "--allow-origin", origin, *paths])
    assert code == 1 and "is not a web origin" in capsys.readouterr().err
