"""A running server's view of the index: the current ``Chatbot``, swapped when the index changes.

``BotService.current()`` is what every request calls; it returns the Chatbot in force.  A
background thread notices a new build (the manifest's build id changes, whoever built it)
and loads the new index beside the old one, then swaps the reference: a request that
started before the swap finishes on the old Chatbot, so none fails.  With ``watch_corpus``,
another thread rebuilds the index incrementally when files in the corpus change.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import store
from .answer import Chatbot
from .embedding import Embedder
from .errors import ChatbotError
from .types import Answer

log = logging.getLogger(__name__)


class BotService:
    """Owns the current Chatbot of ``index_dir`` and keeps it fresh."""

    def __init__(self, index_dir: str | Path = "index", corpus_dir: str | Path = "corpus", *,
                 embedder: Embedder | None = None, poll_seconds: float = 1.0) -> None:
        self.index_dir = Path(index_dir)
        self.corpus_dir = Path(corpus_dir)
        self.poll_seconds = poll_seconds
        self._bot = Chatbot.load(self.index_dir, embedder=embedder)
        self.embedder = self._bot.retriever.embedder  # shared by reloads and rebuilds
        self._build_id = self._bot.retriever.manifest.get("build_id")
        self._reload_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.last_error = ""
        self.reloads = 0

    def current(self) -> Chatbot:
        return self._bot

    @property
    def build_id(self) -> str | None:
        return self._build_id

    def reload_if_changed(self) -> bool:
        """Load the index again if a build replaced it; True when the Chatbot was swapped."""
        with self._reload_lock:
            try:
                build_id = store.read_manifest(self.index_dir).get("build_id")
            except ChatbotError as exc:
                self.last_error = str(exc)
                return False
            if build_id == self._build_id:
                return False
            try:
                fresh = Chatbot.load(self.index_dir, embedder=self.embedder)
            except ChatbotError as exc:  # keep serving the index in force
                self.last_error = str(exc)
                log.warning("New index at %s not loaded, keeping the previous one: %s", self.index_dir, exc)
                return False
            self._bot, self._build_id = fresh, fresh.retriever.manifest.get("build_id")
            self.reloads += 1
            self.last_error = ""
            log.info("Serving the new index %s (%d chunks)", self._build_id, len(fresh.retriever))
            return True

    def rebuild(self) -> None:
        """Bring the index up to date with the corpus, then serve it."""
        from .indexer import build_index

        try:
            report = build_index(self.corpus_dir, self.index_dir, embedder=self.embedder)
        except ChatbotError as exc:
            self.last_error = str(exc)
            log.warning("Rebuild after a corpus change failed, keeping the index in force: %s", exc)
            return
        if not report.is_noop:
            log.info("Rebuilt: %d added, %d changed, %d removed", len(report.added), len(report.changed), len(report.removed))
        self.reload_if_changed()

    def start(self, *, watch_corpus: bool = False) -> None:
        """Start the background threads: index polling, and corpus watching if asked."""
        self._spawn(self._poll_index, "index-poller")
        if watch_corpus:
            self._spawn(self._watch_corpus, "corpus-watcher")

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _poll_index(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            self.reload_if_changed()

    def _watch_corpus(self) -> None:
        from watchfiles import watch

        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        for _changes in watch(self.corpus_dir, stop_event=self._stop, debounce=500, rust_timeout=1000):
            self.rebuild()


class FeedbackLog:
    """Appends ratings and refused questions to a JSON Lines file (one event per line)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def _append(self, record: dict[str, Any]) -> None:
        record = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), **record}
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)

    def rating(self, question: str, kind: str, cited_articles: list[str], rating: str) -> None:
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', got {rating!r}")
        self._append({
            "event": "rating", "rating": rating, "question": question[:2000], "kind": kind,
            "cited_articles": sorted(set(cited_articles)),
        })

    def answered(self, answer: Answer) -> None:
        """Record questions the articles could not answer: the topics the corpus misses."""
        if answer.kind == "out_of_scope":
            self._append({"event": "refused", "question": answer.question[:2000], "kind": answer.kind})


def summarise_feedback(path: str | Path) -> dict[str, Any]:
    """Counts of ratings by answer kind, the down-rated questions, and refused questions by frequency."""
    path = Path(path)
    if not path.is_file():
        raise ChatbotError(f"No feedback log at {str(path)!r}. Ratings are written there while `serve` runs.")
    ratings: dict[str, dict[str, int]] = {}
    down: dict[str, int] = {}
    refused: dict[str, int] = {}
    bad_lines = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
            kind = event.get("event")
        except (json.JSONDecodeError, AttributeError):
            bad_lines += 1
            continue
        question = " ".join(str(event.get("question", "")).split()).lower()
        if kind == "rating":
            by_kind = ratings.setdefault(str(event.get("kind")), {"up": 0, "down": 0})
            by_kind[event.get("rating") if event.get("rating") in ("up", "down") else "down"] += 1
            if event.get("rating") == "down":
                down[question] = down.get(question, 0) + 1
        elif kind == "refused":
            refused[question] = refused.get(question, 0) + 1
    top = lambda counts: [{"question": q, "count": n} for q, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:20]]  # noqa: E731
    return {
        "ratings": ratings,
        "up": sum(r["up"] for r in ratings.values()),
        "down": sum(r["down"] for r in ratings.values()),
        "down_rated_questions": top(down),
        "refused_questions": top(refused),
        "unreadable_lines": bad_lines,
    }
