"""The feedback log: ratings of answers and the questions the articles could not answer.

One JSON object per line (``event`` "rating", "refused" or "cited", UTC ``time``), appended
under a lock.  "cited" records only which articles an answer quoted (not the question), so
editors see which articles are used; ``summarise_feedback`` reads it back for ``python -m chatbot report``.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from chatbot.errors import ChatbotError
from chatbot.settings import MAX_QUESTION_CHARS
from chatbot.types import Answer


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
            "event": "rating", "rating": rating, "question": question[:MAX_QUESTION_CHARS], "kind": kind,
            "cited_articles": sorted(set(cited_articles)),
        })

    def answered(self, answer: Answer) -> None:
        """Record the articles an answer cites, and questions the articles could not answer: the topics
        the corpus misses."""
        if answer.citations:
            self._append({"event": "cited", "articles": sorted({c.article_id for c in answer.citations})})
        if answer.kind == "out_of_scope":
            self._append({"event": "refused", "question": answer.question[:MAX_QUESTION_CHARS], "kind": answer.kind})


def summarise_feedback(path: str | Path) -> dict[str, Any]:
    """Counts of ratings by answer kind, the down-rated questions, and refused questions by frequency."""
    path = Path(path)
    if not path.is_file():
        raise ChatbotError(f"No feedback log at {str(path)!r}. Ratings are written there while `serve` runs.")
    ratings: dict[str, dict[str, int]] = {}
    down: dict[str, int] = {}
    refused: dict[str, int] = {}
    cited: dict[str, int] = {}
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
        elif kind == "cited" and isinstance(event.get("articles"), list):
            for article_id in map(str, event["articles"]):
                cited[article_id] = cited.get(article_id, 0) + 1
    top = lambda counts: [{"question": q, "count": n} for q, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:20]]  # noqa: E731
    return {
        "ratings": ratings,
        "up": sum(r["up"] for r in ratings.values()),
        "down": sum(r["down"] for r in ratings.values()),
        "down_rated_questions": top(down),
        "refused_questions": top(refused),
        "cited": dict(sorted(cited.items(), key=lambda x: (-x[1], x[0]))),  # answers citing each article
        "unreadable_lines": bad_lines,
    }
