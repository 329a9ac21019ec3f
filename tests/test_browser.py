"""The real page in a real browser: Debian's chromium driven by Playwright, against a server
started as a user would (`python -m chatbot serve --watch`) on a copy of the seed corpus."""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, SHIPPED_CORPUS, free_port
from chatbot.serve.feedback import FeedbackStore

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"),
              SHIPPED_CORPUS]
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

HOSTILE_ARTICLE = """---
title: "Zebra fever <script>window.__xss = 'title'</script>"
---

## Overview

Zebra fever is an invented illness that only exists in this test. <script>window.__xss = 'article'</script>
It causes striped rashes <img src=x onerror="window.__xss = 'image'"> on the arms and legs of people who have it.
"""


ADMIN_PASSWORD = "editor pass phrase"
ALLOWED_PORT, REFUSED_PORT = free_port(), free_port()  # two other web sites: one allowed to call the API


@pytest.fixture(scope="module")
def screenshot(tmp_path_factory):
    """``screenshot(page, name)`` saves a PNG in ``$CHATBOT_SCREENSHOTS`` if set (to look at them), else in a
    temporary folder."""
    folder = Path(os.environ.get("CHATBOT_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, **options) -> Path:
        page.screenshot(path=str(folder / name), **options)
        return folder / name

    return save


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("served")
    shutil.copytree(ROOT / "corpus", work / "corpus")
    shutil.copytree(ROOT / "index", work / "index")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")} | {"CHATBOT_ADMIN_PASSWORD": ADMIN_PASSWORD}
    log = (work / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--corpus", str(work / "corpus"), "--index", str(work / "index"),
         "--port", str(port), "--watch", "--feedback-db", str(work / "feedback.db"),
         "--editor-log", str(work / "editor-log.jsonl"),
         "--allow-origin", f"http://127.0.0.1:{ALLOWED_PORT}"],
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


def test_seed_question_in_the_browser(server, browser, screenshot):
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
    screenshot(page, "seed-answer.png", full_page=True)

    page.locator("#chat").get_by_role("button", name="Like").last.click()
    ratings = lambda: [e for e in FeedbackStore(work / "feedback.db").events() if e["event"] == "rating"]  # noqa: E731
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not ratings():
        time.sleep(0.2)
    rating = ratings()[-1]
    assert rating["rating"] == "up" and rating["kind"] == "answer"
    assert rating["question"] == "can back pain cause shaky hands?" and "back-pain-shaky-hands" in rating["articles"]
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


def test_same_day_answer_has_an_amber_banner_readable_in_dark_mode(server, browser, screenshot):
    base, _ = server
    page = browser.new_page(color_scheme="dark")
    page.goto(base + "/?__theme=dark", wait_until="load")
    page.locator("#question textarea").wait_for(timeout=60_000)
    ask_in_page(page, "my lower back has ached for a week and now I have a fever and chills")
    banner = page.locator("#emergency-banner .same-day")
    banner.wait_for(timeout=60_000)
    assert "doctor today" in banner.inner_text()
    assert contrast(banner) >= 4.5
    screenshot(page, "same-day-dark.png", full_page=True)
    page.close()


def test_added_article_is_served_and_hostile_markup_stays_text(server, browser, screenshot):
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
    screenshot(page, "hostile-markup.png", full_page=True)
    page.close()


# --- the page as people use it: follow-ups, reading order, links, phone, accessibility --------------------------

def record_chat_texts(page) -> None:
    """Keep every text the chat box shows (in window.__chatTexts), to see states that pass quickly.  The page
    renders its parts one by one: the question box can be there before the chat box is."""
    page.locator("#chat").wait_for(state="attached", timeout=60_000)
    page.evaluate("""() => { window.__chatTexts = [];
        new MutationObserver(() => window.__chatTexts.push(document.querySelector('#chat').innerText))
            .observe(document.querySelector('#chat'), {childList: true, subtree: true, characterData: true}); }""")


def latest_answer(page):
    return page.locator("#chat .bot-row").last


def wait_for_answers(page, n: int) -> None:
    """Until the chat holds ``n`` answers, the last one finished (its [1] marker or notice shown)."""
    page.wait_for_function(
        """n => { const bots = document.querySelectorAll('#chat .bot-row');
                  return bots.length >= n && !bots[bots.length - 1].innerText.includes('Looking it up')
                         && bots[bots.length - 1].innerText.includes('Please see a doctor'); }""",
        arg=n, timeout=60_000)
    page.wait_for_timeout(400)  # the scroll to the answer's first line runs after it is shown


def first_line_in_view(page) -> bool:
    """Whether the top of the latest answer is inside the chat box's visible area and the window."""
    return page.evaluate("""() => {
        const bots = document.querySelectorAll('#chat .bot-row'); const last = bots[bots.length - 1];
        let box = last.parentElement; while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
        const top = last.getBoundingClientRect().top, view = box.getBoundingClientRect();
        return top >= view.top - 1 && top + 20 <= view.bottom && top >= 0 && top + 20 <= innerHeight; }""")


def test_follow_up_is_answered_on_the_page_and_read_from_its_first_line(server, browser, screenshot):
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    open_page(page, base)
    record_chat_texts(page)
    ask_in_page(page, "what is lumbar tremor?")
    page.locator("#chat .user-row").first.wait_for(timeout=10_000)
    wait_for_answers(page, 1)
    assert any("what is lumbar tremor?" in t and "Looking it up" in t for t in page.evaluate("window.__chatTexts")), \
        "the question and a looking-it-up line did not show before the answer"
    ask_in_page(page, "how is it treated?")
    wait_for_answers(page, 2)
    follow = latest_answer(page).inner_text()
    assert "can't answer" not in follow.lower() and "[1]" in follow and "treat" in follow.lower()
    assert page.locator("#sources").get_by_text("Treatment of Lumbar Tremor").first.is_visible()
    assert first_line_in_view(page), "the chat box shows the end of the answer, not its first line"
    screenshot(page, "follow-up-desktop-light.png")
    page.close()


def test_markers_link_to_their_passage_listed_once(server, browser):
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    open_page(page, base)
    ask_in_page(page, "how is lumbar tremor treated?")
    wait_for_answers(page, 1)
    links = latest_answer(page).locator('a[href^="#source-"]')
    assert links.count() >= 2
    last = links.nth(links.count() - 1)
    target = last.get_attribute("href")[1:]
    last.click()
    page.wait_for_timeout(800)
    assert page.locator(f"#{target}").is_visible()
    assert page.evaluate(f"""() => {{ const r = document.getElementById('{target}').getBoundingClientRect();
                                     return r.top >= 0 && r.bottom <= innerHeight; }}""")
    assert len(page.context.pages) == 1  # no tab opened
    bodies = page.locator("#sources .source > div:nth-child(2)").all_inner_texts()
    assert len(bodies) == len(set(bodies)), "a passage is listed twice"
    page.close()


def test_examples_send_and_empty_messages_are_not_posted(server, browser):
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    open_page(page, base)
    page.locator("#question textarea").press("Enter")
    page.get_by_text("Type a question first").first.wait_for(timeout=10_000)
    assert page.locator("#chat .user-row").count() == 0
    page.get_by_role("button", name="Can back pain cause shaky hands?").click()
    wait_for_answers(page, 1)
    assert "Can back pain cause shaky hands?" in page.locator("#chat .user-row").first.inner_text()
    assert page.locator("#sources mark").count() >= 1
    page.close()


def test_a_long_paste_is_not_cut_and_is_still_triaged(server, browser):
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    open_page(page, base)
    story = ("I moved house last week and carried a lot of boxes up the stairs. " * 150
             + "Now my back hurts and since this morning I can't control my bladder.")
    box = page.locator("#question textarea")
    box.fill(story[:-1])
    box.press_sequentially(story[-1])  # typed: Gradio's input event (fill alone does not send it)
    note = page.locator("#length-note")
    note.get_by_text("over the 2,000 limit").wait_for(timeout=10_000)
    assert f"{len(story) - 2000:,} over" in note.inner_text()
    assert box.input_value() == story  # nothing was cut
    box.press("Enter")
    page.locator("#emergency-banner .emergency").wait_for(timeout=60_000)
    wait_for_answers(page, 1)
    text = latest_answer(page).inner_text()
    assert "emergency" in text.lower() and "2,000 characters" in text
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessibility_in_both_schemes(server, browser, scheme, screenshot):
    """axe-core (WCAG 2.1 A and AA: contrast, names, labels) on the page with an answer, the red banner and sources."""
    from axe_playwright_python.sync_playwright import Axe

    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page.goto(f"{base}/?__theme={scheme}", wait_until="load")
    page.locator("#question textarea").wait_for(timeout=60_000)
    ask_in_page(page, "can back pain cause shaky hands?")
    wait_for_answers(page, 1)
    ask_in_page(page, "my back hurts and i suddenly cant control my bladder")
    wait_for_answers(page, 2)
    page.locator("#emergency-banner .emergency").wait_for(timeout=10_000)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    problems = [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]
    assert not problems, problems
    for selector in ("#doctor-notice", "#emergency-banner .emergency"):
        assert contrast(page.locator(selector)) >= 4.5
    screenshot(page, f"emergency-desktop-{scheme}.png")
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_layout(server, browser, scheme, screenshot):
    base, _ = server
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{base}/?__theme={scheme}", wait_until="load")
    page.locator("#question textarea").wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    box = page.locator("#question textarea").bounding_box()
    assert box["y"] + box["height"] <= 844, "the question box is below the fold on a phone"
    screenshot(page, f"phone-{scheme}-first-load.png")
    ask_in_page(page, "can back pain cause shaky hands?")
    wait_for_answers(page, 1)
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), "the page scrolls sideways"
    latest_answer(page).locator('a[href="#source-1"]').first.tap()
    page.wait_for_timeout(800)
    assert page.evaluate("""() => { const r = document.getElementById('source-1').getBoundingClientRect();
                                    return r.top >= 0 && r.bottom <= innerHeight; }"""), "sources not one tap away"
    screenshot(page, f"phone-{scheme}-sources.png")
    context.close()


# --- on a clinic's website: the widget in an iframe, and the API called from other origins ----------------------

CLINIC_PAGE = """<!doctype html><html lang="en"><head><title>clinic</title></head><body>
<h1>A clinic's page</h1>
<iframe id="widget" src="{api}/embed/" title="Health questions" width="420" height="640"></iframe>
<p id="result">calling</p>
<script>
fetch("{api}/api/ask", {{method: "POST", headers: {{"Content-Type": "application/json"}},
                          body: JSON.stringify({{question: "can back pain cause shaky hands?"}})}})
  .then(r => r.json()).then(j => document.getElementById("result").textContent = "answered:" + j.kind)
  .catch(() => document.getElementById("result").textContent = "refused");
</script></body></html>"""


@pytest.fixture(scope="module")
def other_sites(server, tmp_path_factory):
    """Two web sites on other ports serving the same clinic page: one allowed by --allow-origin, one not."""
    import functools
    import http.server
    import threading

    base, _ = server
    folder = tmp_path_factory.mktemp("clinic")
    (folder / "index.html").write_text(CLINIC_PAGE.format(api=base), encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    sites = [http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) for port in (ALLOWED_PORT, REFUSED_PORT)]
    for site in sites:
        threading.Thread(target=site.serve_forever, daemon=True).start()
    yield {"allowed": f"http://127.0.0.1:{ALLOWED_PORT}/", "refused": f"http://127.0.0.1:{REFUSED_PORT}/"}
    for site in sites:
        site.shutdown()


def test_widget_in_an_iframe_and_cors_for_allowed_origins_only(other_sites, browser, screenshot):
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto(other_sites["allowed"], wait_until="load")
    page.locator("#result").get_by_text("answered:answer").wait_for(timeout=60_000)
    widget = page.frame_locator("#widget")
    widget.locator("#question textarea").wait_for(timeout=60_000)
    assert "it is not a doctor" in widget.locator("#doctor-notice").inner_text()
    assert widget.locator("h1").count() == 0  # compact: no page title
    widget.locator("#question textarea").fill("what is lumbar tremor?")
    widget.locator("#question textarea").press("Enter")
    widget.locator("#chat .bot-row").get_by_text("Please see a doctor").wait_for(timeout=60_000)
    screenshot(page, "embed-on-allowed-site.png")

    refused = browser.new_page()
    refused.goto(other_sites["refused"], wait_until="load")
    refused.locator("#result").get_by_text("refused").wait_for(timeout=60_000)
    refused.close()
    page.close()


def test_api_docs_render_with_no_network(server, browser):
    base, _ = server
    page = browser.new_page()
    outside = []

    def only_local(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{base}/docs", wait_until="load")
    page.locator(".swagger-ui .info .title").get_by_text("Health Q&A chatbot").wait_for(timeout=30_000)
    assert page.locator(".swagger-ui .opblock").filter(has_text="/api/ask").count() >= 1
    assert not outside, outside
    page.close()


def test_readme_gradio_client_snippet_prints_the_markdown(server):
    """The README's gradio_client snippet, run as written (only the address changed)."""
    base, _ = server
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```python\n(from gradio_client import Client\n.*?)```", readme, flags=re.S).group(1)
    assert "http://127.0.0.1:7860/" in snippet
    code = snippet.replace("http://127.0.0.1:7860/", base + "/")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert out.startswith("**What the articles say") and "[1]" in out and "Please see a doctor" in out
    assert "Treatment" in out  # the follow-up was read with its earlier turn


def test_editor_uploads_and_deletes_an_article_on_the_admin_page(server, browser, screenshot, tmp_path):
    base, work = server
    article = tmp_path / "gout-basics.md"
    article.write_text("---\nreviewed: 2015-02-01\n---\n# Gout\n\nGout is a kind of arthritis that causes sudden, "
                       "severe pain in a joint, often the big toe.\n", encoding="utf-8")
    page = browser.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the delete button asks first
    page.goto(base + "/admin")
    page.fill("#password", "wrong")
    page.click("#signin button")
    page.locator("#error", has_text="Wrong user name or password").wait_for(timeout=10_000)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("#signin button")
    page.locator("#articles tr", has_text="lumbar-tremor").wait_for(timeout=10_000)
    page.set_input_files("#file", str(article))
    assert page.input_value("#article-id") == "gout-basics"
    page.click("#preview")
    page.locator("#result", has_text="+Gout is a kind of arthritis").wait_for(timeout=10_000)
    assert not (work / "corpus" / "gout-basics.md").exists()  # a preview writes nothing
    page.click("#upload button[type=submit]")
    page.locator("#result", has_text="Index updated: 1 added").wait_for(timeout=60_000)
    page.locator("#articles tr", has_text="gout-basics").wait_for()
    page.locator("#reviews li", has_text="gout-basics: due 2018-02-01").wait_for()
    screenshot(page, "admin.png", full_page=True)
    answer = httpx.post(f"{base}/api/ask", json={"question": "what is gout?"}, timeout=60).json()
    assert "gout-basics" in {c["article_id"] for c in answer["citations"]}
    page.click("button[aria-label='Delete gout-basics']")
    page.locator("#result", has_text="1 removed").wait_for(timeout=60_000)
    # the list reloads after the result is shown: wait for the row to go (a row that stays fails here)
    page.locator("#articles tr", has_text="gout-basics").wait_for(state="detached", timeout=10_000)
    assert not (work / "corpus" / "gout-basics.md").exists()
    log = [json.loads(line) for line in (work / "editor-log.jsonl").read_text().splitlines()]
    assert [(e["user"], e["action"], e["id"]) for e in log] == [("admin", "put", "gout-basics"), ("admin", "delete", "gout-basics")]
    page.close()
