"""When articles are due for review, and which are overdue.

An article's ``review_due`` is its front matter's (or sidecar's) ``review_due``, else its
``reviewed`` date plus the review interval: ``CHATBOT_REVIEW_YEARS`` years (3 unless set).
Partial dates count from their first day (``2024-05`` is 1 May 2024).
"""

from __future__ import annotations

import datetime
import os
from typing import Any, Mapping

from chatbot.errors import ChatbotError

DEFAULT_REVIEW_YEARS = 3


def review_years(value: int | str | None = None) -> int:
    """The review interval in years: ``value``, else ``CHATBOT_REVIEW_YEARS``, else 3."""
    raw = value if value is not None else os.environ.get("CHATBOT_REVIEW_YEARS", DEFAULT_REVIEW_YEARS)
    try:
        years = int(raw)
    except (TypeError, ValueError):
        raise ChatbotError(f"the review interval {raw!r} is not a whole number of years; set e.g. CHATBOT_REVIEW_YEARS=2") from None
    if not 1 <= years <= 50:
        raise ChatbotError(f"the review interval {years} is not between 1 and 50 years")
    return years


def parse_date(text: str) -> datetime.date | None:
    """A date from ISO ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (first day of the period); None for ""."""
    if not text:
        return None
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return datetime.date(parts[0], parts[1], parts[2])


def due_date(reviewed: str, review_due: str = "", years: int = DEFAULT_REVIEW_YEARS) -> str:
    """The ISO date the next review is due, or "" when the article has neither date."""
    if review_due:
        return parse_date(review_due).isoformat()
    start = parse_date(reviewed)
    if start is None:
        return ""
    try:
        return start.replace(year=start.year + years).isoformat()
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28).isoformat()


def review_status(articles: Mapping[str, Mapping[str, Any]], *, years: int | None = None,
                  today: datetime.date | None = None) -> dict[str, list]:
    """Of the manifest's article records: ``overdue`` (id, title, reviewed, review_due, days_overdue;
    most overdue first) and ``unreviewed`` (ids of articles with no review date)."""
    years = review_years(years)
    today = today or datetime.date.today()
    overdue, unreviewed = [], []
    for article_id, record in articles.items():
        due = due_date(str(record.get("reviewed") or ""), str(record.get("review_due") or ""), years)
        if not due:
            unreviewed.append(article_id)
        elif datetime.date.fromisoformat(due) < today:
            overdue.append({"article_id": article_id, "title": record.get("title", ""),
                            "reviewed": record.get("reviewed") or "", "review_due": due,
                            "days_overdue": (today - datetime.date.fromisoformat(due)).days})
    overdue.sort(key=lambda r: (-r["days_overdue"], r["article_id"]))
    return {"overdue": overdue, "unreviewed": sorted(unreviewed)}
