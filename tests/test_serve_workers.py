"""`serve --workers 2`: two processes on one port, each with the index memory-mapped, each picking up a
rebuilt index by itself, and ratings from many clients at once stored once each in the one database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, article, free_port

pytestmark = pytest.mark.slow


def processes(base: str, workers: int, deadline: float) -> dict[int, str]:
    """process id -> build id served, from /api/info, once ``workers`` processes have answered."""
    seen: dict[int, str] = {}
    while time.monotonic() < deadline:
        try:
            info = httpx.get(f"{base}/api/info", timeout=5).json()
            seen[info["process"]] = info["build_id"]
        except httpx.HTTPError:
            time.sleep(0.3)
        if len(seen) >= workers:
            return seen
    pytest.fail(f"only {len(seen)} of {workers} server processes answered")


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    work = tmp_path_factory.mktemp("workers")
    shutil.copytree(ROOT / "corpus", work / "corpus")
    shutil.copytree(ROOT / "index", work / "index")
    port = free_port()
    log = (work / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--corpus", str(work / "corpus"), "--index", str(work / "index"),
         "--port", str(port), "--workers", "2", "--watch", "--feedback-db", str(work / "feedback.db")],
        cwd=ROOT, env={k: v for k, v in os.environ.items() if not k.startswith("HF_")}, stdout=log,
        stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        processes(base, 2, time.monotonic() + 240)
        yield base, work
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_each_worker_maps_the_index_instead_of_reading_it(two_workers):
    base, work = two_workers
    for pid in processes(base, 2, time.monotonic() + 60):
        mapped = Path(f"/proc/{pid}/maps").read_text()
        for name in ("vectors.faiss", "sentences.npz", "bm25/weights.npy"):
            assert f"{work / 'index'}/{name}" in mapped, f"process {pid} has not memory-mapped {name}"


def test_ratings_from_many_clients_at_once_are_each_stored_once(two_workers):
    base, work = two_workers
    answer = httpx.post(f"{base}/api/ask", json={"question": "can back pain cause shaky hands?"}, timeout=60)
    assert answer.status_code == 200 and "see a doctor" in answer.json()["markdown"].lower()
    codes: list[int] = []
    gate = threading.Barrier(8)

    def rate(number: int) -> None:
        gate.wait()
        with httpx.Client(base_url=base, timeout=60) as http:
            for i in range(number, 48, 8):
                codes.append(http.post("/api/feedback", json={"question": f"worker test {i}", "rating": "up"}).status_code)

    threads = [threading.Thread(target=rate, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [204] * 48
    with sqlite3.connect(work / "feedback.db") as db:
        questions = [q for (q,) in db.execute("SELECT question FROM events WHERE event = 'rating'")]
    assert sorted(questions) == sorted(f"worker test {i}" for i in range(48))


def test_a_rebuild_is_served_by_every_worker(two_workers):
    base, work = two_workers
    before = set(processes(base, 2, time.monotonic() + 60).values())
    (work / "corpus" / "zinc.md").write_text(
        article("Zinc deficiency", ("Overview", "Zinc deficiency can slow wound healing and dull the sense of taste.")),
        encoding="utf-8")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        served = processes(base, 2, deadline)
        if len(served) == 2 and not set(served.values()) & before and len(set(served.values())) == 1:
            break
        time.sleep(1)
    else:
        pytest.fail(f"the workers still serve {served} (before: {before})")
    hits = httpx.get(f"{base}/api/search", params={"q": "zinc wound healing"}, timeout=30).json()
    assert hits["hits"][0]["article_id"] == "zinc"
