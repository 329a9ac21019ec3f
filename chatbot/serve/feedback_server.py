"""Feedback in a server database (PostgreSQL, MySQL, ...) through SQLAlchemy, for servers on several machines.

``--feedback-db`` takes an SQLAlchemy URL instead of a file path, e.g.
``postgresql+psycopg://chatbot@db.internal/feedback`` (install ``sqlalchemy`` and the driver,
``pip install psycopg``).  The tables and columns are those of the SQLite file (see
feedback.py), created on first use; each event is inserted in its own transaction, so any
number of processes on any number of machines can write at once.  The legacy JSON Lines
import applies to SQLite files only.
"""

from __future__ import annotations

from typing import Any

from chatbot.errors import ChatbotError


class ServerDatabase:
    """The events table of a database reached through an SQLAlchemy URL."""

    def __init__(self, url: str, columns: tuple[str, ...]) -> None:
        try:
            import sqlalchemy as sa
        except ImportError:
            raise ChatbotError("A database URL for --feedback-db needs SQLAlchemy and the database's driver: "
                               "pip install sqlalchemy psycopg (for PostgreSQL)") from None
        self.errors = (sa.exc.SQLAlchemyError,)
        metadata = sa.MetaData()
        self._events = sa.Table(
            "events", metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("time", sa.String(40), nullable=False), sa.Column("event", sa.String(20), nullable=False),
            sa.Column("rating", sa.String(8)), sa.Column("kind", sa.String(40)), sa.Column("question", sa.Text),
            sa.Column("articles", sa.Text), sa.Index("events_by_event", "event"))
        self._imports = sa.Table(
            "imports", metadata, sa.Column("path", sa.String(1000), primary_key=True),
            sa.Column("time", sa.String(40), nullable=False), sa.Column("events", sa.Integer, nullable=False),
            sa.Column("unreadable", sa.Integer, nullable=False))
        try:
            self._engine = sa.create_engine(url, pool_pre_ping=True)
            metadata.create_all(self._engine)
        except (sa.exc.SQLAlchemyError, ValueError, ImportError) as exc:  # bad URL, missing driver, no server
            shown = url.split("@")[-1]  # never print a password
            raise ChatbotError(f"Cannot use the database {shown!r} for feedback ({type(exc).__name__}: {exc}). "
                               "Check --feedback-db and that the server is reachable.") from None
        self._sa, self._columns = sa, columns

    def __str__(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    def insert(self, values: list[Any]) -> None:
        with self._engine.begin() as connection:
            connection.execute(self._events.insert(), [dict(zip(self._columns, values))])

    def rows(self) -> list[tuple]:
        query = self._sa.select(*(self._events.c[name] for name in self._columns)).order_by(self._events.c.id)
        with self._engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]

    def unreadable(self) -> int:
        query = self._sa.select(self._sa.func.coalesce(self._sa.func.sum(self._imports.c.unreadable), 0))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())
