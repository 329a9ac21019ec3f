"""The chat page (Gradio), mounted on the API app (``serve.launch`` runs them).

The page shows the conversation, a panel with the passages the latest answer cites (the
quoted sentence highlighted), an emergency banner when an answer is urgent, example
questions, and the see-a-doctor notice at all times.  Every text from a user or an article
is escaped, so it shows as text and never runs.
"""


import errno
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from chatbot.serve.api import create_api, origin_of
from chatbot.answer.compose import escape
from chatbot.errors import ChatbotError
from chatbot.serve.page_html import length_note_js, link_markers, render_banner, render_sources
from chatbot.settings import MAX_QUESTION_CHARS
from chatbot.serve.feedback import FeedbackStore
from chatbot.serve.service import BotService

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
PENDING = "*Looking it up in the articles…*"
# Colours are set for both schemes: Gradio's dark mode puts `.dark` on the page's root.
CSS = """
.gradio-container h1 {font-size: 1.5rem; margin: 0.25em 0;}
.notice {border-left: 4px solid #2563eb; padding: 0.5em 1em; background: #eff6ff !important;}
.notice, .notice * {color: #1e3a8a !important;}
.emergency, .same-day {padding: 0.75em 1em; border-radius: 6px; font-weight: 600;}
.emergency {border: 2px solid #b91c1c; background: #fef2f2 !important;}
.emergency, .emergency * {color: #7f1d1d !important;}
.same-day {border: 2px solid #b45309; background: #fffbeb !important;}
.same-day, .same-day * {color: #78350f !important;}
.source-article {margin-bottom: 0.75em;}
.source-title {font-size: 1rem; margin: 0.25em 0;}
.source-meta {font-size: 0.875rem; margin: 0 0 0.25em;}
.source {border-bottom: 1px solid #d1d5db; padding: 0.5em 0;}
.source mark {background: #fde68a; color: #111827 !important;}
.source-head {font-weight: 600; margin-bottom: 0.25em;}
.marker {margin-right: 0.25em; scroll-margin-top: 4em;}
.marker:target {outline: 2px solid #2563eb;}
.length-over {color: #991b1b !important; font-weight: 600;}
.dark .length-over {color: #fca5a5 !important;}
#chat a {text-decoration: underline;}
footer, footer * {color: #4b5563 !important;}
.dark footer, .dark footer * {color: #d1d5db !important;}
#examples-label {margin: 0.5em 0 0.25em 0;}
#length-note {min-height: 0; padding: 0;}
@media (max-width: 640px) {
  .gradio-container {padding: 8px !important;}
  #title h1 {font-size: 1.1rem !important; margin: 0 !important;}
  .notice, .notice p {padding: 0.2em 0.5em; font-size: 0.85rem !important; line-height: 1.35 !important;}
  #chat {height: 42vh !important; max-height: 42vh !important;}
}
"""
# Runs once in the page: [n] links scroll the sources panel to their passage (and never open a tab).
HEAD = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#source-"]');
  if (!link) return;
  const target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault(); event.stopPropagation();
  target.scrollIntoView({behavior: "smooth", block: "start"});
  target.setAttribute("tabindex", "-1"); target.focus({preventScroll: true});
}, true);
</script>"""
# After an answer: the chat box shows the latest answer from its first line.
SHOW_LATEST_ANSWER = """() => {
  const bots = document.querySelectorAll("#chat .message-row.bot-row, #chat .bot-row");
  const last = bots[bots.length - 1];
  if (!last) return;
  let box = last.parentElement;
  while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
  if (box && box !== document.documentElement && box !== document.body) {
    box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  }
}"""


def build_page(service: BotService, feedback: FeedbackStore | None = None, *, compact: bool = False):
    """The Gradio Blocks of the chat page; ``compact``: the widget served at /embed for an iframe."""
    import gradio as gr

    with gr.Blocks(title="Health Q&A — answers quoted from curated articles") as page:
        parts = _layout(gr, compact)
        _wire_questions(gr, parts, service, feedback)

        def answer_markdown(question: str, history: list | None = None) -> str:
            """The answer's markdown (citations [n] and the see-a-doctor notice) for gradio_client."""
            return service.current().ask(question, history=history or []).markdown

        gr.api(answer_markdown, api_name="answer")

        def rate(data: gr.LikeData, summaries: dict) -> None:
            summary = summaries.get(str(data.index if isinstance(data.index, int) else data.index[0]))
            if feedback and summary:
                liked = data.liked if isinstance(data.liked, bool) else data.liked == "Like"
                feedback.rating(summary["question"], summary["kind"], summary["cited_articles"], "up" if liked else "down")

        parts.chat.like(rate, [parts.answers], None, api_visibility="private")
    return page


@dataclass
class _Parts:
    """The components of the page that its events read and write."""

    chat: Any
    question: Any
    length_note: Any
    sources: Any
    emergency: Any
    answers: Any         # gr.State: assistant message index -> answer summary, for ratings
    pending: Any         # gr.State: the question being answered
    example_buttons: list


def _layout(gr, compact: bool) -> _Parts:
    """The page's components, in reading order: notice, chat, question box, examples, sources."""
    if not compact:
        gr.Markdown("# Health questions, answered from curated articles", elem_id="title")
    gr.Markdown(BANNER, elem_classes=["notice"], elem_id="doctor-notice")
    emergency = gr.HTML("", elem_id="emergency-banner", visible=False)
    answers, pending = gr.State({}), gr.State("")
    example_buttons = []
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=280):
            chat = gr.Chatbot(label="Conversation", show_label=False, elem_id="chat",
                              height="min(360px, 55vh)" if compact else "min(520px, 48vh)", min_height=200, autoscroll=False,
                              sanitize_html=True, feedback_options=("Like", "Dislike"), allow_tags=False,
                              buttons=["copy", "copy_all"])  # Gradio's share button has no accessible name
            question = gr.Textbox(label="Your question", placeholder="e.g. Can back pain cause shaky hands?",
                                  elem_id="question", submit_btn="Ask", lines=1, max_lines=6)
            length_note = gr.HTML("", elem_id="length-note")
            if not compact:
                gr.HTML('<p id="examples-label">Or try an example:</p>', padding=False)
                with gr.Row(elem_id="examples"):
                    example_buttons = [gr.Button(text, size="sm", variant="secondary", min_width=120) for text in EXAMPLES]
        with gr.Column(scale=2, min_width=280):
            with gr.Accordion("Sources of the latest answer", open=True, elem_id="sources-panel"):
                sources = gr.HTML(render_sources(None, None), elem_id="sources")
    return _Parts(chat, question, length_note, sources, emergency, answers, pending, example_buttons)


def _wire_questions(gr, parts: _Parts, service: BotService, feedback: FeedbackStore | None) -> None:
    """A question (typed or an example) shows at once, then its answer replaces the looking-it-up line."""

    def post(message: str, history: list[dict[str, Any]]):
        """Show the question at once, with a looking-it-up line where the answer will come."""
        if not (message or "").strip():
            raise gr.Error("Type a question first, then press Enter or Ask.", duration=5)
        history = list(history or []) + [{"role": "user", "content": escape(message)},
                                          {"role": "assistant", "content": PENDING}]
        return "", history, message, ""

    def respond(message: str, history: list[dict[str, Any]], summaries: dict):
        history = list(history or [])  # ends with the question and its looking-it-up line
        bot = service.current()
        answer = bot.ask(message, history=history[:-2])
        if feedback:
            feedback.answered(answer)
        shown = ("⚠ " if answer.kind == "urgent" else "") + link_markers(answer.markdown)
        history[-1] = {"role": "assistant", "content": shown}
        summaries = {**summaries, str(len(history) - 1): {
            "question": message, "kind": answer.kind,
            "cited_articles": [c.article_id for c in answer.citations]}}
        banner = render_banner(answer)
        return history, summaries, render_sources(bot, answer), gr.HTML(banner, visible=bool(banner))

    def ask_chain(event, message_input):
        event(post, [message_input, parts.chat], [parts.question, parts.chat, parts.pending, parts.length_note],
              api_visibility="private", show_progress="hidden").success(
            respond, [parts.pending, parts.chat, parts.answers], [parts.chat, parts.answers, parts.sources, parts.emergency],
            api_visibility="private", show_progress="minimal").then(None, js=SHOW_LATEST_ANSWER)

    ask_chain(parts.question.submit, parts.question)
    for button in parts.example_buttons:
        ask_chain(button.click, button)
    parts.question.input(None, [parts.question], [parts.length_note], js=length_note_js(MAX_QUESTION_CHARS))


def credentials_from_environment() -> tuple[str, str] | None:
    """(user, password) from CHATBOT_USERNAME and CHATBOT_PASSWORD, or None when they are not both set."""
    user, password = os.environ.get("CHATBOT_USERNAME", ""), os.environ.get("CHATBOT_PASSWORD", "")
    return (user, password) if user and password else None


def admin_from_environment() -> tuple[str, str] | None:
    """(user, password) for the editors' page and API: CHATBOT_ADMIN_USER (default admin) and
    CHATBOT_ADMIN_PASSWORD; None (the editors' routes are absent) when no password is set."""
    password = os.environ.get("CHATBOT_ADMIN_PASSWORD", "")
    return (os.environ.get("CHATBOT_ADMIN_USER", "") or "admin", password) if password else None


def create_app(service: BotService, feedback: FeedbackStore | None = None, credentials: tuple[str, str] | None = None,
               allow_origins: Sequence[str] = (), admin: tuple[str, str] | None = None,
               editor_log: str | Path = "editor-log.jsonl"):
    """The API with the chat page mounted at ``/`` and the compact widget at ``/embed``; all behind a
    password when ``credentials`` are given.  ``allow_origins``: web sites whose pages may call the API."""
    import gradio as gr

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    app = create_api(service, feedback, credentials, allow_origins=allow_origins, admin=admin, editor_log=str(editor_log))
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    look = {"theme": theme, "css": CSS, "head": HEAD, "auth": credentials}
    # /embed first: the page at / would otherwise answer for it
    gr.mount_gradio_app(app, build_page(service, feedback, compact=True), path="/embed", footer_links=[], **look)
    return gr.mount_gradio_app(app, build_page(service, feedback), path="/", footer_links=["api"], **look)


def check_port_free(host: str, port: int) -> None:
    """Raise ``ChatbotError`` when ``host:port`` cannot be served (in use, or not an address here)."""
    import socket

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ChatbotError(f"port {port} on {host} is already in use (another server?); "
                               f"stop it or choose another port with --port") from None
        raise ChatbotError(f"cannot serve on {host}:{port}: {exc.strerror or exc}; check --host and --port") from None
