"""Chat histories in the shapes callers send them: what the user said in earlier turns."""

from __future__ import annotations

from typing import Sequence


def _text_of(content: object) -> str:
    """The text of a message's content: a string, or a list of content blocks (Gradio 6, OpenAI style)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return _text_of(content.get("text", content.get("content", "")))
    if isinstance(content, (list, tuple)):
        return " ".join(t for t in (_text_of(block) for block in content) if t)
    return ""


def previous_user_messages(history: Sequence | None) -> list[str]:
    """User turns of a chat history given as strings, ``{"role", "content"}`` dicts (content a string or a
    list of ``{"type": "text", "text": ...}`` blocks) or (user, bot) pairs."""
    messages: list[str] = []
    for turn in history or []:
        if isinstance(turn, str):
            text = turn
        elif isinstance(turn, dict):
            text = _text_of(turn.get("content")) if turn.get("role") == "user" else ""
        elif isinstance(turn, (list, tuple)) and turn:
            text = _text_of(turn[0])
        else:
            text = ""
        if text.strip():
            messages.append(text)
    return messages
