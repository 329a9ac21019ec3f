"""The editors' API: list, upload and delete articles on a running server.

    GET    /api/articles               id, title, format, reviewed, review_due, overdue, chunks
    PUT    /api/articles/{id}          the file as the body; format from Content-Type or ?format=
    DELETE /api/articles/{id}
    ?dry_run=true                      what would change (and a diff of the text); nothing written

Present only when the server has admin credentials (``CHATBOT_ADMIN_PASSWORD``); HTTP Basic.
A file is checked (parsed as an article) before anything is written, then written into the
corpus through a temporary file, fsync and rename, and the index is updated incrementally
and swapped in; the answer is the build report.  Every change is logged with who and when.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from starlette.exceptions import HTTPException

from chatbot.errors import ChatbotError, CorpusError
from chatbot.files import fsync_dir, replace_atomically
from chatbot.ingest.corpus import SUFFIXES, load_article
from chatbot.ingest.reviews import due_date, review_years
from chatbot.serve.auth import password_check
from chatbot.serve.service import BotService
from chatbot.settings import MAX_UPLOAD_BYTES

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*(/[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*)*")
CONTENT_TYPES = {
    "text/markdown": "md", "text/x-markdown": "md", "text/plain": "txt", "text/html": "html",
    "application/pdf": "pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
FORMATS = tuple(s.lstrip(".") for s in SUFFIXES)


def check_article_id(article_id: str) -> str:
    """``article_id`` if it is a safe relative id (letters, digits, ``-_.``, folders with ``/``); else 400."""
    if len(article_id) > 200 or not _ID.fullmatch(article_id) or ".." in article_id:
        raise HTTPException(400, f"{article_id[:80]!r} is not an article id: use letters, digits, '-', '_' and '.', "
                                 "with '/' between folders (no '..', no leading '/')")
    if Path(article_id).suffix.lower() in SUFFIXES:
        raise HTTPException(400, f"give the id without the file extension: {article_id.rsplit('.', 1)[0]!r}")
    return article_id


def upload_format(content_type: str, given: str | None) -> str:
    """The article's format from ``?format=`` or the Content-Type; 415 when neither names one we read."""
    fmt = (given or CONTENT_TYPES.get(content_type.split(";")[0].strip().lower(), "")).lower().lstrip(".")
    if fmt not in FORMATS:
        raise HTTPException(415, f"cannot tell the article's format (Content-Type {content_type or 'missing'!r}); "
                                 f"send ?format= one of {', '.join(FORMATS)}")
    return fmt


class Editor:
    """Changes the corpus of a ``BotService`` one request at a time, and logs each change."""

    def __init__(self, service: BotService, log_path: str | Path) -> None:
        self.service = service
        self.log_path = Path(log_path)
        self._lock = threading.Lock()

    def articles(self) -> list[dict[str, Any]]:
        years = review_years()
        today = datetime.date.today().isoformat()
        out = []
        for article_id, record in self.service.current().retriever.manifest["articles"].items():
            due = due_date(record.get("reviewed") or "", record.get("review_due") or "", years)
            out.append({"id": article_id, "title": record["title"],
                        "format": record.get("format") or Path(record.get("path", "")).suffix.lstrip("."),
                        "reviewed": record.get("reviewed") or "", "review_due": due,
                        "overdue": bool(due) and due < today, "chunks": record.get("chunks", 0)})
        return out

    def _files_of(self, article_id: str) -> list[Path]:
        folder = self.service.corpus_dir / Path(article_id).parent
        name = Path(article_id).name
        return [folder / f"{name}.{fmt}" for fmt in FORMATS if (folder / f"{name}.{fmt}").is_file()]

    def put(self, article_id: str, data: bytes, fmt: str, *, dry_run: bool, user: str) -> dict[str, Any]:
        with self._lock, tempfile.TemporaryDirectory() as scratch:
            trial = Path(scratch) / f"upload.{fmt}"
            trial.write_bytes(data)
            try:
                new = load_article(trial, article_id)
            except CorpusError as exc:
                raise HTTPException(422, f"the file cannot be used as an article: {exc}") from None
            old_files = self._files_of(article_id)
            old_text = _text_of(old_files[0], article_id) if old_files else ""
            if dry_run:
                return {"dry_run": True, "id": article_id, "title": new.title,
                        "added": [] if old_files else [article_id],
                        "changed": [article_id] if old_files and old_text != new.text else [],
                        "sections": [s.heading for s in new.sections], "diff": _diff(old_text, new.text, article_id)}
            target = self.service.corpus_dir / f"{article_id}.{fmt}"
            target.parent.mkdir(parents=True, exist_ok=True)
            replace_atomically(target, lambda tmp: tmp.write_bytes(data))
            for other in old_files:
                if other != target:
                    other.unlink()
            fsync_dir(target.parent)
            self._log(user, "put", article_id, fmt=fmt, bytes=len(data))
            return self._rebuild()

    def delete(self, article_id: str, *, dry_run: bool, user: str) -> dict[str, Any]:
        with self._lock:
            files = self._files_of(article_id)
            if not files:
                raise HTTPException(404, f"there is no article {article_id!r} in the corpus")
            if dry_run:
                return {"dry_run": True, "id": article_id, "removed": [article_id],
                        "diff": _diff(_text_of(files[0], article_id), "", article_id)}
            for path in files:
                path.unlink()
                for sidecar in (path.with_suffix(".yaml"), path.with_suffix(".yml")):
                    sidecar.unlink(missing_ok=True)
            fsync_dir(files[0].parent)
            self._log(user, "delete", article_id)
            return self._rebuild()

    def _rebuild(self) -> dict[str, Any]:
        from chatbot.index.build import build_index

        try:
            report = build_index(self.service.corpus_dir, self.service.index_dir, embedder=self.service.embedder)
        except ChatbotError as exc:
            raise HTTPException(503, f"the corpus was changed but the index could not be rebuilt: {exc}") from None
        self.service.reload_if_changed()
        return report.to_dict()

    def _log(self, user: str, action: str, article_id: str, **details: Any) -> None:
        record = {"time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                  "user": user, "action": action, "id": article_id, **details}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def _text_of(path: Path, article_id: str) -> str:
    try:
        return load_article(path, article_id).text
    except CorpusError:
        return ""


def _diff(old: str, new: str, article_id: str, limit: int = 400) -> str:
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), f"{article_id} (now)",
                                      f"{article_id} (after)", lineterm="", n=1))
    return "\n".join(lines[:limit] + ([f"... {len(lines) - limit} more lines"] if len(lines) > limit else []))


def add_editor_routes(app: FastAPI, service: BotService, credentials: tuple[str, str], log_path: str | Path) -> None:
    """The /api/articles routes and the /admin page, behind ``credentials`` (user, password)."""
    from chatbot.serve.admin_page import ADMIN_PAGE
    from fastapi.responses import HTMLResponse

    editor = Editor(service, log_path)
    check = password_check(credentials)
    user = credentials[0]
    guard = [Depends(check)]

    @app.get("/admin", include_in_schema=False)
    def admin_page() -> HTMLResponse:
        return HTMLResponse(ADMIN_PAGE, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})

    @app.get("/api/articles", dependencies=guard, tags=["editors"])
    def list_articles() -> dict[str, Any]:
        return {"articles": editor.articles()}

    @app.put("/api/articles/{article_id:path}", dependencies=guard, tags=["editors"])
    async def put_article(article_id: str, request: Request, format: str | None = Query(None),
                          dry_run: bool = Query(False)) -> dict[str, Any]:
        check_article_id(article_id)
        fmt = upload_format(request.headers.get("content-type", ""), format)
        data = await request.body()
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(413, f"the file is over the {MAX_UPLOAD_BYTES:,}-byte upload limit")
        if not data:
            raise HTTPException(400, "the request body is empty: send the article file as the body")
        return editor.put(article_id, data, fmt, dry_run=dry_run, user=user)

    @app.delete("/api/articles/{article_id:path}", dependencies=guard, tags=["editors"])
    def delete_article(article_id: str, dry_run: bool = Query(False)) -> dict[str, Any]:
        return editor.delete(check_article_id(article_id), dry_run=dry_run, user=user)
