"""The feedback store: ratings of answers, the questions the articles could not answer, and
which articles answers cite.

One row per event in a SQLite database in WAL mode, so several server processes (``serve
--workers N``) append at once without interleaving or losing rows; each write is its own
transaction.  "cited" records only which articles an answer quoted (not the question), so
editors see which articles are used; ``summarise_feedback`` reads it back for ``python -m
chatbot report``.  A ``feedback.jsonl`` written by older versions is imported once.

Schema (a dashboard may read it directly; times are UTC, ISO 8601):

    events(id INTEGER PRIMARY KEY, time TEXT, event TEXT,   -- "rating", "refused" or "cited"
           rating TEXT,       -- "up" / "down" (rating events)
           kind TEXT,         -- the answer's kind: answer, out_of_scope, urgent, ...
           question TEXT,     -- rating and refused events only
           articles TEXT)     -- JSON array of article ids: cited, or rated
    imports(path TEXT PRIMARY KEY, time TEXT, events INTEGER, unreadable INTEGER)
"""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from chatbot.errors import ChatbotError
from chatbot.settings import MAX_QUESTION_CHARS
from chatbot.types import Answer

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, time TEXT NOT NULL, event TEXT NOT NULL,
    rating TEXT, kind TEXT, question TEXT, articles TEXT);
CREATE INDEX IF NOT EXISTS events_by_event ON events(event);
CREATE TABLE IF NOT EXISTS imports (path TEXT PRIMARY KEY, time TEXT NOT NULL, events INTEGER NOT NULL,
    unreadable INTEGER NOT NULL);
"""
COLUMNS = ("time", "event", "rating", "kind", "question", "articles")
INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
BUSY_TIMEOUT_S = 30  # how long a writer waits for another process's transaction


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    return connection


class FeedbackStore:
    """Appends feedback events to a SQLite database (created on first use, WAL mode), or to a server
    database given as an SQLAlchemy URL (``postgresql+psycopg://user@host/db``; see feedback_server.py).

    ``legacy_log`` is a JSON Lines log to import once (default: the ``.jsonl`` beside ``path``)."""

    def __init__(self, path: str | Path, *, legacy_log: str | Path | None = None) -> None:
        if is_database_url(path):
            from chatbot.serve.feedback_server import ServerDatabase

            self.path: str | Path = str(path)
            self._db: Any = ServerDatabase(str(path), COLUMNS)
            return
        self.path = Path(path)
        self._db = SqliteDatabase(self.path)
        self._db.create(Path(legacy_log) if legacy_log else Path(path).with_suffix(".jsonl"))

    def _append(self, record: dict[str, Any]) -> bool:
        """Insert one event; False (and a logged error) if the database cannot take it, so that a full disk
        or a locked file never turns an answer into an error."""
        row = {"time": _now(), **record}
        if isinstance(row.get("articles"), list):
            row["articles"] = json.dumps(row["articles"], ensure_ascii=False)
        try:
            self._db.insert([row.get(c) for c in COLUMNS])
        except self._db.errors as exc:
            log.error("Feedback event not recorded in %s: %s", self._db, exc)
            return False
        return True

    def rating(self, question: str, kind: str, cited_articles: list[str], rating: str) -> bool:
        """Record a rating; False if the database could not take it (logged)."""
        if rating not in ("up", "down"):
            raise ValueError(f"rating must be 'up' or 'down', got {rating!r}")
        return self._append({"event": "rating", "rating": rating, "question": question[:MAX_QUESTION_CHARS], "kind": kind,
                      "articles": sorted(set(cited_articles))})

    def answered(self, answer: Answer) -> None:
        """Record the articles an answer cites, and questions the articles could not answer: the topics
        the corpus misses."""
        if answer.citations:
            self._append({"event": "cited", "articles": sorted({c.article_id for c in answer.citations})})
        if answer.kind == "out_of_scope":
            self._append({"event": "refused", "question": answer.question[:MAX_QUESTION_CHARS], "kind": answer.kind})

    def events(self) -> list[dict[str, Any]]:
        """Every event, oldest first, as a dict of its non-empty columns (``articles`` as a list)."""
        return [_event(values) for values in self._db.rows()]


def is_database_url(target: str | Path) -> bool:
    """Whether ``--feedback-db`` names a server database (an SQLAlchemy URL) rather than a SQLite file."""
    return isinstance(target, str) and "://" in target


class SqliteDatabase:
    """The events in a SQLite file, each write its own transaction (WAL mode: several processes at once)."""

    errors = (sqlite3.Error,)

    def __init__(self, path: Path) -> None:
        self.path = path

    def __str__(self) -> str:
        return str(self.path)

    def create(self, legacy_log: Path) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with closing(_connect(self.path)) as db:
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(SCHEMA)
                if legacy_log.is_file():
                    _import_log(db, legacy_log)
        except sqlite3.Error as exc:
            raise ChatbotError(f"Cannot use {str(self.path)!r} as the feedback database ({exc}). "
                               "Pass --feedback-db with a writable path, or '' to keep no feedback.") from None

    def insert(self, values: list[Any]) -> None:
        with closing(_connect(self.path)) as db:
            db.execute(INSERT, values)

    def rows(self) -> list[tuple]:
        with closing(_connect(self.path)) as db:
            return db.execute(f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY id").fetchall()

    def unreadable(self) -> int:
        with closing(_connect(self.path)) as db:
            return db.execute("SELECT COALESCE(SUM(unreadable), 0) FROM imports").fetchone()[0]


def _import_log(db: sqlite3.Connection, log: Path) -> None:
    """Copy the events of a JSON Lines feedback log into the database, once per file."""
    key = str(log.resolve())
    if db.execute("SELECT 1 FROM imports WHERE path = ?", (key,)).fetchone():
        return
    rows, unreadable = [], 0
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            event = json.loads(line)
            event["articles"] = event.get("articles", event.get("cited_articles"))
            row = [json.dumps(v) if isinstance(v, list) else v for v in (event.get(c) for c in COLUMNS)]
        except (json.JSONDecodeError, AttributeError, TypeError):
            unreadable += 1
            continue
        if row[1]:  # an event type: anything else is not a feedback event
            rows.append(row)
        else:
            unreadable += 1
    db.execute("BEGIN IMMEDIATE")
    db.executemany(INSERT, rows)
    db.execute("INSERT INTO imports VALUES (?, ?, ?, ?)", (key, _now(), len(rows), unreadable))
    db.execute("COMMIT")


def _event(values: tuple) -> dict[str, Any]:
    event = {c: v for c, v in zip(COLUMNS, values) if v is not None}
    if "articles" in event:
        try:
            event["articles"] = [str(a) for a in json.loads(event["articles"])]
        except (json.JSONDecodeError, TypeError):
            event["articles"] = []
    return event


def summarise_feedback(path: str | Path) -> dict[str, Any]:
    """Counts of ratings by answer kind, the down-rated questions, refused questions by frequency and
    how often each article was cited."""
    if is_database_url(path):
        from chatbot.serve.feedback_server import ServerDatabase

        db: Any = ServerDatabase(str(path), COLUMNS)
    elif not Path(path).is_file():
        raise ChatbotError(f"No feedback database at {str(path)!r}. Ratings are written there while `serve` runs "
                           "(--feedback-db).")
    else:
        db = SqliteDatabase(Path(path))
    ratings: dict[str, dict[str, int]] = {}
    down: dict[str, int] = {}
    refused: dict[str, int] = {}
    cited: dict[str, int] = {}
    try:
        events = [_event(values) for values in db.rows()]
        unreadable = db.unreadable()
    except db.errors as exc:
        raise ChatbotError(f"{db} is not a readable feedback database ({exc}).") from None
    for event in events:
        kind = event["event"]
        question = " ".join(str(event.get("question", "")).split()).lower()
        if kind == "rating":
            by_kind = ratings.setdefault(str(event.get("kind")), {"up": 0, "down": 0})
            by_kind[event.get("rating") if event.get("rating") in ("up", "down") else "down"] += 1
            if event.get("rating") == "down":
                down[question] = down.get(question, 0) + 1
        elif kind == "refused":
            refused[question] = refused.get(question, 0) + 1
        elif kind == "cited":
            for article_id in event.get("articles", []):
                cited[article_id] = cited.get(article_id, 0) + 1
    top = lambda counts: [{"question": q, "count": n} for q, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:20]]  # noqa: E731
    return {
        "ratings": ratings,
        "up": sum(r["up"] for r in ratings.values()),
        "down": sum(r["down"] for r in ratings.values()),
        "down_rated_questions": top(down),
        "refused_questions": top(refused),
        "cited": dict(sorted(cited.items(), key=lambda x: (-x[1], x[0]))),  # answers citing each article
        "unreadable_lines": unreadable,  # lines of imported JSON Lines logs that could not be read
    }
