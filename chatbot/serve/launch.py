"""``serve``: bring the index up to date, then run the chat page and the API in one process or several.

With ``workers`` > 1, uvicorn starts that many processes on the one port; each opens the
index memory-mapped and read-only (``store.load_index``), so the vectors, sentence vectors
and BM25 weights are in memory once however many processes serve them, and each picks up a
rebuilt index by itself (``BotService`` polls the manifest).  Feedback goes to one SQLite
database in WAL mode, which several processes may write at once.  With ``watch``, the corpus
is watched and rebuilt by this first process only, never by each worker.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

from chatbot.errors import ChatbotError
from chatbot.serve.api import origin_of
from chatbot.serve.feedback import FeedbackStore
from chatbot.serve.service import BotService
from chatbot.serve.web import admin_from_environment, check_port_free, create_app, credentials_from_environment

log = logging.getLogger(__name__)

_SETTINGS_VARIABLE = "CHATBOT_SERVE_SETTINGS"  # how the first process tells the workers what to serve


@dataclass(frozen=True)
class ServeSettings:
    index_dir: str = "index"
    corpus_dir: str = "corpus"
    feedback_db: str | None = "feedback.db"
    backend: str | None = None
    allow_origins: list[str] = field(default_factory=list)
    editor_log: str = "editor-log.jsonl"


def serve(index_dir: str | Path = "index", corpus_dir: str | Path = "corpus", *, host: str = "127.0.0.1",
          port: int = 7860, watch: bool = False, feedback_db: str | Path | None = "feedback.db",
          backend: str | None = None, allow_origins: Sequence[str] = (), editor_log: str | Path = "editor-log.jsonl",
          workers: int = 1) -> None:
    """Build the index if it is missing or stale, then serve the page and the API until stopped."""
    import uvicorn

    if workers < 1:
        raise ChatbotError(f"--workers must be 1 or more, got {workers}")
    settings = ServeSettings(str(index_dir), str(corpus_dir), str(feedback_db) if feedback_db else None, backend,
                             [origin_of(o) for o in allow_origins], str(editor_log))
    check_port_free(host, port)
    _build_if_stale(settings)
    if not _is_loopback(host):
        log.warning("Serving on %s: anyone who can reach this machine can use the page and the API", host)
    _announce(settings, host, port, watch, workers)
    check_port_free(host, port)  # again: the build may have taken minutes
    if workers == 1:
        app, service = _app(settings, watch_corpus=watch)
        try:
            uvicorn.run(app, host=host, port=port, log_level="warning")
        finally:
            service.stop()
        return
    os.environ[_SETTINGS_VARIABLE] = json.dumps(asdict(settings))
    stop = threading.Event()
    if watch:
        threading.Thread(target=_rebuild_on_changes, args=(settings, stop), name="corpus-watcher", daemon=True).start()
    try:
        uvicorn.run("chatbot.serve.launch:worker_app", factory=True, workers=workers, host=host, port=port,
                    log_level="warning")
    finally:
        stop.set()


def worker_app() -> Any:
    """The app of one worker process (uvicorn calls this in each, with the settings in the environment)."""
    settings = ServeSettings(**json.loads(os.environ[_SETTINGS_VARIABLE]))
    app, _service = _app(settings, watch_corpus=False)
    return app


def _app(settings: ServeSettings, *, watch_corpus: bool) -> tuple[Any, BotService]:
    service = BotService(settings.index_dir, settings.corpus_dir, backend=settings.backend)
    service.start(watch_corpus=watch_corpus)
    feedback = FeedbackStore(settings.feedback_db) if settings.feedback_db else None
    app = create_app(service, feedback, credentials_from_environment(), settings.allow_origins,
                     admin_from_environment(), settings.editor_log)
    return app, service


def _build_if_stale(settings: ServeSettings) -> None:
    from chatbot.index.build import build_index

    if Path(settings.corpus_dir).is_dir():
        report = build_index(settings.corpus_dir, settings.index_dir, backend=settings.backend, dry_run=True)
        if not report.is_noop:
            print(f"Index '{settings.index_dir}/' is missing or stale ({report.reason or 'articles changed'}); "
                  "building it first...", flush=True)
            build_index(settings.corpus_dir, settings.index_dir, backend=settings.backend, progress=True)


def _rebuild_on_changes(settings: ServeSettings, stop: threading.Event) -> None:
    """Rebuild the index when files in the corpus change (the workers reload it themselves)."""
    from watchfiles import watch

    from chatbot.index.build import build_index

    Path(settings.corpus_dir).mkdir(parents=True, exist_ok=True)
    for _changes in watch(settings.corpus_dir, stop_event=stop, debounce=500, rust_timeout=1000):
        try:
            build_index(settings.corpus_dir, settings.index_dir, backend=settings.backend)
        except ChatbotError as exc:
            log.warning("Rebuild after a corpus change failed, keeping the index in force: %s", exc)


def _announce(settings: ServeSettings, host: str, port: int, watch: bool, workers: int) -> None:
    admin, credentials = admin_from_environment(), credentials_from_environment()
    if admin:
        print(f"Editors: http://{host}:{port}/admin and /api/articles, for user {admin[0]!r} with CHATBOT_ADMIN_PASSWORD; "
              f"changes are logged to {settings.editor_log}.")
    if credentials:
        print("The page and the API ask for the user name and password set in CHATBOT_USERNAME and CHATBOT_PASSWORD.")
    origins = f"; pages of {', '.join(settings.allow_origins)} may call the API" if settings.allow_origins else ""
    processes = f" in {workers} processes" if workers > 1 else ""
    reloads = f"watching {settings.corpus_dir} for changes" if watch else "index reloads after each build"
    print(f"Serving the chat page on http://{host}:{port}/ (widget for an iframe: /embed) and the API on "
          f"http://{host}:{port}/api/{processes} ({reloads}{origins}). Ctrl+C stops.", flush=True)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
