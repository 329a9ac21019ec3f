"""The chat page (Gradio), mounted on the API app, and ``serve`` to run both.

The page shows the conversation, a panel with the passages the latest answer cites (the
quoted sentence highlighted), an emergency banner when an answer is urgent, example
questions, and the see-a-doctor notice at all times.  Every text from a user or an article
is escaped, so it shows as text and never runs.
"""


import html
import ipaddress
import logging
import os
from pathlib import Path
from typing import Any

from .api import create_api
from .compose import escape
from .feedback import FeedbackLog
from .service import BotService

log = logging.getLogger(__name__)

EXAMPLES = [
    "Can back pain cause shaky hands?",
    "Which doctor should I see for lower back tremors?",
    "How is lumbar tremor treated?",
    "Can spinal problems cause tremors?",
]
BANNER = (
    "**This assistant quotes health articles; it is not a doctor.** It cannot diagnose or treat you. "
    "For any health concern, see a doctor. **In an emergency, call 112, 911 or 999 now.**"
)
CSS = """
.notice {border-left: 4px solid #2563eb; padding: 0.5em 1em; background: #eff6ff;}
.notice, .notice * {color: #1e3a8a !important;}
.emergency, .same-day {padding: 0.75em 1em; border-radius: 6px; font-weight: 600;}
.emergency {border: 2px solid #b91c1c; background: #fef2f2 !important;}
.emergency, .emergency * {color: #7f1d1d !important;}
.same-day {border: 2px solid #b45309; background: #fffbeb !important;}
.same-day, .same-day * {color: #78350f !important;}
.source {border-bottom: 1px solid #e5e7eb; padding: 0.5em 0;}
.source mark {background: #fde68a; color: #111827 !important;}
.source-head {font-weight: 600; margin-bottom: 0.25em;}
"""


def render_sources(bot, answer) -> str:
    """HTML of the cited passages, each quote highlighted inside its passage."""
    if answer is None or not answer.citations:
        return "<p><em>The passages an answer quotes appear here.</em></p>"
    blocks = []
    for c in answer.citations:
        passage, offset = bot.passage_around(c)
        start, end = c.start - offset, c.end - offset
        if passage[start:end] != c.quote:
            passage, start, end = c.quote, 0, len(c.quote)
        body = (html.escape(passage[:start]) + "<mark>" + html.escape(passage[start:end]) + "</mark>"
                + html.escape(passage[end:])).replace("\n", "<br>")
        title = html.escape(c.title)
        if c.url.startswith(("https://", "http://")):
            title = f'<a href="{html.escape(c.url, quote=True)}" target="_blank" rel="noopener noreferrer">{title}</a>'
        section = f" — {html.escape(c.section)}" if c.section else ""
        blocks.append(f'<div class="source" id="source-{c.n}"><div class="source-head">[{c.n}] {title}{section}</div>'
                      f"<div>{body}</div></div>")
    return "\n".join(blocks)


def render_banner(answer) -> str:
    """A red banner for an emergency or crisis, an amber one for see-a-doctor-today; nothing otherwise."""
    level = getattr(answer, "triage", "routine") if answer is not None else "routine"
    if level == "crisis":
        return ('<div class="emergency" role="alert">⚠ You deserve help now: call or text a crisis line (988 in the US '
                'and Canada, 116 123 in the UK and Ireland) or your local emergency number (112, 911, 999).</div>')
    if level == "emergency":
        return '<div class="emergency" role="alert">⚠ This may be an emergency. Call your local emergency number (112, 911, 999) now.</div>'
    if level == "same_day":
        return '<div class="same-day" role="status">See a doctor today about this: call your doctor\'s practice or an urgent care service.</div>'
    return ""


def build_page(service: BotService, feedback: FeedbackLog | None = None):
    """The Gradio Blocks of the chat page."""
    import gradio as gr

    with gr.Blocks(title="Health Q&A — answers quoted from curated articles") as page:
        gr.Markdown("# Health questions, answered from curated articles")
        gr.Markdown(BANNER, elem_classes=["notice"], elem_id="doctor-notice")
        emergency = gr.HTML("", elem_id="emergency-banner")
        answers = gr.State({})  # assistant message index -> answer summary, for ratings
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Conversation", elem_id="chat", height=520, sanitize_html=True,
                                  feedback_options=("Like", "Dislike"), allow_tags=False)
                question = gr.Textbox(label="Your question", placeholder="e.g. Can back pain cause shaky hands?",
                                      max_length=20_000, elem_id="question", submit_btn=True)
                gr.Examples(EXAMPLES, inputs=question, label="Example questions")
            with gr.Column(scale=2):
                with gr.Accordion("Sources of the latest answer", open=True, elem_id="sources-panel"):
                    sources = gr.HTML(render_sources(None, None), elem_id="sources")

        def respond(message: str, history: list[dict[str, Any]], summaries: dict):
            history = list(history or [])
            bot = service.current()
            answer = bot.ask(message or "", history=history)
            if feedback:
                feedback.answered(answer)
            shown = ("⚠ " if answer.kind == "urgent" else "") + answer.markdown
            history += [{"role": "user", "content": escape(message or "")}, {"role": "assistant", "content": shown}]
            summaries = {**summaries, str(len(history) - 1): {
                "question": message or "", "kind": answer.kind,
                "cited_articles": [c.article_id for c in answer.citations]}}
            return "", history, summaries, render_sources(bot, answer), render_banner(answer)

        question.submit(respond, [question, chat, answers], [question, chat, answers, sources, emergency], api_name="ask")

        def rate(data: gr.LikeData, summaries: dict) -> None:
            summary = summaries.get(str(data.index if isinstance(data.index, int) else data.index[0]))
            if feedback and summary:
                liked = data.liked if isinstance(data.liked, bool) else data.liked == "Like"
                feedback.rating(summary["question"], summary["kind"], summary["cited_articles"], "up" if liked else "down")

        chat.like(rate, [answers], None)
    return page


def credentials_from_environment() -> tuple[str, str] | None:
    """(user, password) from CHATBOT_USERNAME and CHATBOT_PASSWORD, or None when they are not both set."""
    user, password = os.environ.get("CHATBOT_USERNAME", ""), os.environ.get("CHATBOT_PASSWORD", "")
    return (user, password) if user and password else None


def create_app(service: BotService, feedback: FeedbackLog | None = None, credentials: tuple[str, str] | None = None):
    """The API with the chat page mounted at ``/``; both behind a password when ``credentials`` are given."""
    import gradio as gr

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    app = create_api(service, feedback, credentials)
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    return gr.mount_gradio_app(app, build_page(service, feedback), path="/", theme=theme, css=CSS,
                               footer_links=["api"], auth=credentials)


def serve(index_dir: str | Path = "index", corpus_dir: str | Path = "corpus", *, host: str = "127.0.0.1",
          port: int = 7860, watch: bool = False, feedback_log: str | Path | None = "feedback.jsonl",
          backend: str | None = None) -> None:
    """Build the index if it is missing or stale, then serve the page and the API until stopped."""
    import uvicorn

    from .indexer import build_index

    if Path(corpus_dir).is_dir():
        report = build_index(corpus_dir, index_dir, backend=backend, dry_run=True)
        if not report.is_noop:
            print(f"Index '{index_dir}/' is missing or stale ({report.reason or 'articles changed'}); building it first...", flush=True)
            build_index(corpus_dir, index_dir, backend=backend, progress=True)
    if not _is_loopback(host):
        log.warning("Serving on %s: anyone who can reach this machine can use the page and the API", host)
    service = BotService(index_dir, corpus_dir, backend=backend)
    service.start(watch_corpus=watch)
    feedback = FeedbackLog(feedback_log) if feedback_log else None
    credentials = credentials_from_environment()
    app = create_app(service, feedback, credentials)
    if credentials:
        print("The page and the API ask for the user name and password set in CHATBOT_USERNAME and CHATBOT_PASSWORD.")
    print(f"Serving the chat page on http://{host}:{port}/ and the API on http://{host}:{port}/api/ "
          f"({'watching ' + str(corpus_dir) + ' for changes' if watch else 'index reloads after each build'}). Ctrl+C stops.",
          flush=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        service.stop()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
