"""The HTTP API, served by the same process as the chat page.

    GET  /api/health              liveness and the index in force
    GET  /api/search?q=...&k=5    passages, as in `python -m chatbot search --json`
    POST /api/ask                 {"question": ..., "history": [...]} -> the Answer as JSON
    POST /api/feedback            {"question": ..., "rating": "up"|"down"} -> 204
    GET  /api/info                the index: model, settings, counts, times
    GET  /openapi.json            the schema of all of the above

Bad input gets a 4xx JSON error (``{"error": ...}`` or FastAPI's validation detail), never a 500.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from typing import Any, Literal, Sequence, Union
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from pydantic import BaseModel, Field, create_model

from chatbot.version import __version__
from chatbot.errors import ChatbotError, InvalidQueryError
from chatbot.settings import MAX_K, MAX_QUESTION_CHARS, MAX_UPLOAD_BYTES

# Longer request fields are refused with a 422 before any work; up to this, a long question
# still gets the answer that says how long it is (and triage on all of it).
MAX_TEXT_FIELD_CHARS = 10 * MAX_QUESTION_CHARS
from chatbot.serve.auth import password_check
from chatbot.serve.feedback import FeedbackStore
from chatbot.serve.service import BotService
from chatbot.types import ANSWER_KINDS, TRIAGE_LEVELS, Citation, Hit


MAX_BODY_BYTES = 64 * 1024


def _json_model(record: type, name: str, leave_out: tuple[str, ...] = ()) -> type[BaseModel]:
    """A pydantic model of a record's ``to_dict``: its fields, less ``leave_out``, with their types."""
    hints = typing.get_type_hints(record)
    fields = {f.name: (hints[f.name], ... if f.default is dataclasses.MISSING else f.default)
              for f in dataclasses.fields(record) if f.name not in leave_out}
    return create_model(name, __doc__=record.__doc__, **fields)


HitOut = _json_model(Hit, "HitOut", leave_out=("row", "section_start"))


class SearchOut(BaseModel):
    query: str
    hits: list[HitOut]


class AnswerOut(BaseModel):
    question: str
    kind: Literal[ANSWER_KINDS]
    markdown: str
    citations: list[Citation]
    intent: str
    red_flags: list[str] = Field(description="the red flags recognised, in this message or earlier in the conversation")
    confidence: float
    triage: Literal[TRIAGE_LEVELS] = Field(
        description="emergency: call the emergency number now; crisis: suicide or self-harm, crisis line first; "
                    "same_day: see a doctor today; routine. kind is 'urgent' exactly for emergency and crisis")
    language: str = Field(description="the message's language (ISO 639-1); the bot answers English questions only")
    request: Literal["", "diagnosis", "dose"] = Field(description="set when the message asks for a diagnosis or a dose")


class ContentBlock(BaseModel):
    type: str = "text"
    text: str = Field("", max_length=MAX_TEXT_FIELD_CHARS)


class Turn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: Union[str, list[ContentBlock]] = Field(max_length=MAX_TEXT_FIELD_CHARS)


class AskIn(BaseModel):
    question: str = Field(max_length=MAX_TEXT_FIELD_CHARS, description=f"what the person typed; over {MAX_QUESTION_CHARS:,} characters gets an 'invalid' answer")
    history: list[Union[Turn, str]] = Field(default_factory=list, max_length=50,
                                            description="earlier turns: role/content messages or earlier questions")


class FeedbackIn(BaseModel):
    question: str = Field(max_length=MAX_TEXT_FIELD_CHARS)
    rating: Literal["up", "down"]
    kind: Literal[ANSWER_KINDS] = "answer"
    cited_articles: list[str] = Field(default_factory=list, max_length=50)


class ErrorOut(BaseModel):
    error: str


def origin_of(text: str) -> str:
    """``text`` as a web origin (``scheme://host[:port]``), or ``ChatbotError`` saying what is wrong."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query:
        raise ChatbotError(f"--allow-origin {text!r} is not a web origin: give scheme, host and port only, "
                           "e.g. https://clinic.example or http://localhost:8000")
    return f"{parts.scheme}://{parts.netloc}"


def create_api(service: BotService, feedback: FeedbackStore | None = None,
               credentials: tuple[str, str] | None = None, *, allow_origins: Sequence[str] = (),
               admin: tuple[str, str] | None = None, editor_log: str = "editor-log.jsonl") -> FastAPI:
    """The FastAPI app with the /api routes; the chat page is mounted onto it by ``web.py``.

    With ``credentials`` (user name, password) every route but /api/health asks for them
    (HTTP Basic).  ``allow_origins``: the web sites (``https://clinic.example``) whose pages may call
    the API from the browser (CORS); none by default.  /docs serves its Swagger UI files from the
    ``fastapi-offline`` package, so it works with no network.  With ``admin`` (user name, password)
    the editors' routes (/api/articles, /admin; see ``editor.py``) are added, logging changes to ``editor_log``.
    """
    app = FastAPIOffline(title="Health Q&A chatbot", version=__version__, redoc_url=None,
                         description="Answers quoted from curated health articles, with citations. Not medical advice.")
    if allow_origins:
        app.add_middleware(CORSMiddleware, allow_origins=[origin_of(o) for o in allow_origins],
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type", "Authorization"])
    # Declared only when set, so the OpenAPI schema says which routes ask for a password.
    protected = [Depends(password_check(credentials))] if credentials else []
    _guard(app)
    _status_routes(app, service, protected)
    _question_routes(app, service, feedback, protected)
    if admin:
        from chatbot.serve.editor import add_editor_routes

        add_editor_routes(app, service, admin, editor_log)
    return app


ERRORS = {400: {"model": ErrorOut}, 413: {"model": ErrorOut}}  # the error bodies of the question routes


def _guard(app: FastAPI) -> None:
    """Oversized bodies refused before they are read; every error as ``{"error": ...}`` JSON."""

    @app.middleware("http")
    async def limit_body_size(request: Request, call_next):
        length = request.headers.get("content-length")
        upload = request.url.path.startswith("/api/articles/")
        limit = MAX_UPLOAD_BYTES if upload else MAX_BODY_BYTES
        if length and (not length.isdigit() or int(length) > limit):
            what = "the upload limit for one article" if upload else "send a shorter question"
            return JSONResponse({"error": f"Request body over {limit:,} bytes; {what}."}, 413)
        return await call_next(request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(ChatbotError)
    async def chatbot_error(request: Request, exc: ChatbotError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)


def _status_routes(app: FastAPI, service: BotService, protected: list) -> None:
    """/api/health (never behind the password) and /api/info."""

    @app.get("/api/health")
    def health() -> dict[str, Any]:
        bot = service.current()
        return {"status": "ok", "build_id": service.build_id, "chunks": len(bot.retriever),
                "articles": len(bot.retriever.manifest["articles"])}

    @app.get("/api/info", dependencies=protected)
    def info() -> dict[str, Any]:
        manifest = service.current().retriever.manifest
        return {
            "index_dir": str(service.index_dir),
            "build_id": manifest.get("build_id"),
            "model": manifest["model"],
            "chunking": manifest["chunking"],
            "counts": manifest["counts"],
            "created_at": manifest.get("created_at"),
            "updated_at": manifest.get("updated_at"),
            "articles": [{"article_id": k, "title": v["title"], "url": v["url"]} for k, v in manifest["articles"].items()][:1000],
            "reloads": service.reloads,
            "last_error": service.last_error,
            "process": os.getpid(),  # which server process answered (serve --workers N runs several)
        }


def _question_routes(app: FastAPI, service: BotService, feedback: FeedbackStore | None, protected: list) -> None:
    """/api/search, /api/ask and /api/feedback."""

    @app.get("/api/search", response_model=SearchOut, responses=ERRORS, dependencies=protected)
    # Not blank: a character Python does not count as white space (\x1c-\x1f are, for Python).
    def search(q: str = Query(..., min_length=1, max_length=MAX_QUESTION_CHARS, pattern=r"[^\s\x1c-\x1f]",
                              description="the query (not blank)"),
               k: int = Query(5, ge=1, le=MAX_K, description="how many passages")) -> dict[str, Any]:
        hits = service.current().retriever.search(q, k=k)
        return {"query": q, "hits": [h.to_dict() for h in hits]}

    @app.post("/api/ask", response_model=AnswerOut, responses=ERRORS, dependencies=protected)
    def ask(body: AskIn) -> dict[str, Any]:
        history = [t.model_dump() if isinstance(t, Turn) else t for t in body.history]
        answer = service.current().ask(body.question, history=history)
        if feedback:
            feedback.answered(answer)
        return answer.to_dict()

    @app.post("/api/feedback", status_code=204, responses=ERRORS, dependencies=protected)
    def rate(body: FeedbackIn) -> Response:
        if feedback is None:
            raise InvalidQueryError("Feedback is not being recorded by this server (started with --feedback-db '').")
        if not feedback.rating(body.question, body.kind, body.cited_articles, body.rating):
            raise HTTPException(503, "The rating could not be stored (the feedback database is unavailable); "
                                     "try again later.")
        return Response(status_code=204)
