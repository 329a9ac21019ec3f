"""The real page in a real browser: Debian's chromium driven by Playwright, against a server
started as a user would (`python -m chatbot serve --watch`) on a copy of the seed corpus."""

from __future__ import annotations

import json
import re
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

HOSTILE_ARTICLE = """---
title: "Zebra fever <script>window.__xss = 'title'</script>"
---

## Overview

Zebra fever is an invented illness that only exists in this test. <script>window.__xss = 'article'</script>
It causes striped rashes <img src=x onerror="window.__xss = 'image'"> on the arms and legs of people who have it.
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("served")
    shutil.copytree(ROOT / "corpus", work / "corpus")
    shutil.copytree(ROOT / "index", work / "index")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    log = (work / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--corpus", str(work / "corpus"), "--index", str(work / "index"),
         "--port", str(port), "--watch", "--feedback-log", str(work / "feedback.jsonl")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
        if proc.poll() is not None:
            pytest.fail(f"server exited: {(work / 'server.log').read_text()}")
    else:
        proc.kill()
        pytest.fail("server did not start in 180 s")
    yield base, work
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


def open_page(page, base: str) -> None:
    page.goto(base + "/", wait_until="load")
    page.locator("#question textarea").wait_for(timeout=60_000)


def ask_in_page(page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")


def test_seed_question_in_the_browser(server, browser):
    base, work = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_page(page, base)
    assert "it is not a doctor" in page.locator("#doctor-notice").inner_text()
    ask_in_page(page, "can back pain cause shaky hands?")
    chat = page.locator("#chat")
    chat.get_by_text("[1]").first.wait_for(timeout=60_000)
    text = chat.inner_text()
    assert "Please see a doctor" in text and "[1]" in text
    sources = page.locator("#sources")
    sources.locator("mark").first.wait_for(timeout=10_000)
    assert "Can Back Pain Cause Shaky Hands?" in sources.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "seed-answer.png"), full_page=True)

    page.locator("#chat").get_by_role("button", name="Like").last.click()
    log = work / "feedback.jsonl"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and '"rating"' not in (log.read_text() if log.exists() else ""):
        time.sleep(0.2)
    rating = [json.loads(line) for line in log.read_text().splitlines() if '"rating"' in line][-1]
    assert rating["rating"] == "up" and rating["kind"] == "answer"
    assert rating["question"] == "can back pain cause shaky hands?" and "back-pain-shaky-hands" in rating["cited_articles"]
    page.close()


def test_emergency_answer_is_visibly_distinct(server, browser):
    base, _ = server
    page = browser.new_page()
    open_page(page, base)
    ask_in_page(page, "I have crushing chest pain and my left arm is numb")
    banner = page.locator("#emergency-banner .emergency")
    banner.wait_for(timeout=60_000)
    assert "emergency" in banner.inner_text().lower()
    assert contrast(banner) >= 4.5
    page.close()


def _luminance(css_colour: str) -> float:
    r, g, b = (float(v) / 255 for v in re.findall(r"[\d.]+", css_colour)[:3])
    return sum(w * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4) for w, c in zip((0.2126, 0.7152, 0.0722), (r, g, b)))


def contrast(locator) -> float:
    """The WCAG contrast ratio of an element's text colour on its own background colour."""
    fg, bg = locator.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_same_day_answer_has_an_amber_banner_readable_in_dark_mode(server, browser):
    base, _ = server
    page = browser.new_page(color_scheme="dark")
    page.goto(base + "/?__theme=dark", wait_until="load")
    page.locator("#question textarea").wait_for(timeout=60_000)
    ask_in_page(page, "my lower back has ached for a week and now I have a fever and chills")
    banner = page.locator("#emergency-banner .same-day")
    banner.wait_for(timeout=60_000)
    assert "doctor today" in banner.inner_text()
    assert contrast(banner) >= 4.5
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "same-day-dark.png"), full_page=True)
    page.close()


def test_added_article_is_served_and_hostile_markup_stays_text(server, browser):
    base, work = server
    (work / "corpus" / "zebra-fever.md").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    deadline = time.monotonic() + 120
    cited = set()
    while time.monotonic() < deadline and "zebra-fever" not in cited:
        time.sleep(1)
        answer = httpx.post(f"{base}/api/ask", json={"question": "what is zebra fever?"}, timeout=60).json()
        cited = {c["article_id"] for c in answer["citations"]}
    assert "zebra-fever" in cited, "the watched corpus change was not served within 120 s"

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_page(page, base)
    ask_in_page(page, 'what is zebra fever? <script>window.__xss = "question"</script><img src=x onerror="window.__xss = 1">')
    page.locator("#sources mark").first.wait_for(timeout=60_000)
    time.sleep(1)
    assert page.evaluate("window.__xss") is None  # nothing ran
    assert "<script>" in page.locator("#sources").inner_text()  # shown as text
    assert "<img src=x" in page.locator("#chat").inner_text()
    page.screenshot(path=str(ARTIFACTS / "hostile-markup.png"), full_page=True)
    page.close()
