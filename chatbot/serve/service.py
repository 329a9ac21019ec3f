"""A running server's view of the index: the current ``Chatbot``, swapped when the index changes.

``BotService.current()`` is what every request calls; it returns the Chatbot in force.  A
background thread notices a new build (the manifest's build id changes, whoever built it)
and loads the new index beside the old one, then swaps the reference: a request that
started before the swap finishes on the old Chatbot, so none fails.  With ``watch_corpus``,
another thread rebuilds the index incrementally when files in the corpus change.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from chatbot.index import store
from chatbot.answer.bot import Chatbot
from chatbot.embedding import Embedder
from chatbot.errors import ChatbotError

log = logging.getLogger(__name__)


class BotService:
    """Owns the current Chatbot of ``index_dir`` and keeps it fresh."""

    def __init__(self, index_dir: str | Path = "index", corpus_dir: str | Path = "corpus", *,
                 embedder: Embedder | None = None, backend: str | None = None, poll_seconds: float = 1.0) -> None:
        self.index_dir = Path(index_dir)
        self.corpus_dir = Path(corpus_dir)
        self.poll_seconds = poll_seconds
        self._bot = Chatbot.load(self.index_dir, embedder=embedder, backend=backend)
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
        from chatbot.index.build import build_index

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
