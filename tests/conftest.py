from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

# In CI every property test draws the same examples, so a run cannot fail on a draw no one has
# seen before; locally they explore (HYPOTHESIS_PROFILE=ci reproduces CI).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") or os.environ.get("HYPOTHESIS_PROFILE") == "ci":
    settings.load_profile("ci")
# Hypothesis keeps failing examples and a cache in the system's temporary folder, not in the checkout.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "chatbot-hypothesis")

TESTS = Path(__file__).parent
ROOT = TESTS.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(TESTS))


def edited_corpus() -> str:
    """What git says differs from the committed corpus/ and index/ ("" when nothing, or without git)."""
    try:
        done = subprocess.run(["git", "status", "--porcelain", "--", "corpus", "index"], cwd=ROOT,
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


# Tests of the shipped seed articles (their answers, titles, quotes) skip once an editor has
# changed corpus/ or index/: the editor's own articles are not wrong for giving other answers.
_EDITED = edited_corpus()
SHIPPED_CORPUS = pytest.mark.skipif(bool(_EDITED), reason="corpus/ or index/ differ from the committed ones "
                                    f"(an editor changed them: {' '.join(_EDITED.split()[:6])}); these tests check the shipped seed articles")

# The ONNX export of the model is cached ($CHATBOT_CACHE_DIR, else ~/.cache/chatbot). The tests keep
# theirs in pytest's temporary root (kept between runs, like pytest's own numbered temp folders),
# so they never write to the home folder; servers they start inherit the variable. An exported
# CHATBOT_CACHE_DIR is used as it is.
from fakes import HashingEmbedder  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not os.environ.get("CHATBOT_CACHE_DIR"):
        root = tmp_path_factory.getbasetemp().parent  # pytest's temporary root, e.g. /tmp/pytest-of-$USER
        os.environ["CHATBOT_CACHE_DIR"] = str(root / "chatbot-onnx-cache")
    return Path(os.environ["CHATBOT_CACHE_DIR"])


@pytest.fixture
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


def write_corpus(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: content}`` under ``folder``; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def article(title: str, *sections: tuple[str, str]) -> str:
    """A small Markdown article with front matter."""
    body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections)
    return f"---\ntitle: {title}\nurl: https://example.org/{title.lower().replace(' ', '-')}\n---\n\n{body}\n"


TINY_CORPUS = {
    "sleep.md": article(
        "Sleep and rest",
        ("Overview", "Adults need seven to nine hours of sleep. Poor sleep raises stress hormones."),
        ("Tips", "Keep a regular bedtime. Avoid caffeine in the evening. Keep the bedroom dark and quiet."),
    ),
    "hydration.md": article(
        "Drinking water",
        ("Overview", "Water keeps the body cool and joints lubricated. Thirst is an early sign of dehydration."),
        ("How much", "Most adults need about two litres of fluid a day, more in hot weather or exercise."),
    ),
    "knees.txt": "Knee pain\n\nCauses\n\nKnee pain often comes from overuse, arthritis or a torn meniscus.\n\n"
    "Treatment\n\nRest, ice and physiotherapy help most knee pain. Surgery is rarely needed.\n",
}


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus", TINY_CORPUS)


@pytest.fixture(scope="session")
def real_embedder():
    """The bundled all-MiniLM-L6-v2 (loaded once per test session)."""
    from chatbot.embedding import load_embedder

    return load_embedder()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
