"""Load: 50 concurrent clients x 20 questions against `python -m chatbot serve [--workers N]` on
127.0.0.1, with an index rebuild (a new article, built by a separate `python -m chatbot build`)
and the server's swap to it in the middle, then 200 ratings posted at once by 50 clients.

    python benchmarks/bench_load.py [--workers 1] [--clients 50] [--questions 20] [--ratings 200]

Prints requests served, errors (any non-200 answer or failed request), p50/p95 latency, when
the new index was served (every worker, checked after the run), the rating rows found in the
feedback database against those posted, and each server process's memory: RSS, and PSS (its
share of pages shared with the others, such as the memory-mapped index).  Exits 1 if any
request failed or a rating is missing.  Runs on a copy of corpus/ and index/ in a temporary
folder; traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "can back pain cause shaky hands?", "which doctor should I see for lower back tremors?",
    "how is lumbar tremor treated?", "what is cervical dystonia?", "can muscle relaxants cause tremors?",
    "what tests are used to diagnose a back tremor?", "is it rare for spinal problems to cause tremors?",
    "what are the types of lumbar tremor?", "how do I bake bread?", "and how is it treated?",
]
NEW_ARTICLE = "# Zinc deficiency\n\n## Overview\n\nZinc deficiency can slow wound healing and weaken the sense of taste.\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_workers(base: str, workers: int, deadline: float) -> bool:
    """Whether ``workers`` distinct server processes answered /api/info before ``deadline``."""
    seen = set()
    while len(seen) < workers and time.monotonic() < deadline:
        try:
            seen.add(httpx.get(f"{base}/api/info", timeout=5).json()["process"])
        except httpx.HTTPError:
            time.sleep(0.2)
    return len(seen) >= workers


def post_ratings(base: str, count: int, clients: int, database: Path) -> tuple[int, int]:
    """Post ``count`` ratings from ``clients`` threads at once; (accepted, rating rows in the database)."""
    accepted = []
    gate = threading.Barrier(clients)

    def rate(number: int) -> None:
        gate.wait()
        with httpx.Client(base_url=base, timeout=60) as http:
            for i in range(number, count, clients):
                body = {"question": f"load test question {i}", "rating": "up" if i % 2 else "down", "kind": "answer"}
                accepted.append(http.post("/api/feedback", json=body).status_code == 204)

    threads = [threading.Thread(target=rate, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT COUNT(*) FROM events WHERE event = 'rating' AND question LIKE 'load test%'")
        return sum(accepted), rows.fetchone()[0]


def process_memory(server_pid: int) -> list[tuple[int, str, float, float]]:
    """(pid, role, RSS MiB, PSS MiB) of the server and the worker processes it started."""
    found = [(server_pid, "first process")]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            if parent == server_pid and b"spawn_main" in command:
                found.append((int(entry.name), "worker"))
    result = []
    for pid, label in found:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
        result.append((pid, label, int(fields["Rss"].split()[0]) / 1024, int(fields["Pss"].split()[0]) / 1024))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--no-rebuild", action="store_true", help="measure without the rebuild in the middle")
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--ratings", type=int, default=200, help="ratings posted at once after the questions")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="corpus to serve (default: the seeds)")
    parser.add_argument("--index", type=Path, default=ROOT / "index",
                        help="its index, copied for the run (built first by the server if it is missing or stale)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chatbot-load-"))
    shutil.copytree(args.corpus, work / "corpus")
    if args.index.is_dir():
        shutil.copytree(args.index, work / "index")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--corpus", str(work / "corpus"), "--index", str(work / "index"),
         "--port", str(port), "--feedback-db", str(work / "feedback.db"), "--workers", str(args.workers)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + (180 if args.index.is_dir() else 7200)
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            print("error: the server did not start in time", file=sys.stderr)
            return 1
        if not wait_for_workers(base, args.workers, deadline):
            print(f"error: {args.workers} server processes did not all answer in time", file=sys.stderr)
            return 1
        first_build = httpx.get(f"{base}/api/health", timeout=10).json()["build_id"]

        latencies: list[float] = []
        later: list[float] = []  # every request but each client's first (the cold-cache wave)
        errors: list[str] = []
        done = 0
        lock = threading.Lock()
        total = args.clients * args.questions

        def client(number: int) -> None:
            nonlocal done
            with httpx.Client(base_url=base, timeout=120) as http:
                for i in range(args.questions):
                    question = QUESTIONS[(number + i) % len(QUESTIONS)]
                    history = ["what is lumbar tremor?"] if question.startswith("and ") else []
                    started = time.perf_counter()
                    try:
                        r = http.post("/api/ask", json={"question": question, "history": history})
                        ok = r.status_code == 200 and "Please see a doctor" in r.json()["markdown"]
                        problem = "" if ok else f"HTTP {r.status_code}: {r.text[:200]}"
                    except httpx.HTTPError as exc:
                        problem = f"{type(exc).__name__}: {exc}"
                    with lock:
                        latencies.append(time.perf_counter() - started)
                        if i:
                            later.append(latencies[-1])
                        done += 1
                        if problem:
                            errors.append(problem)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        while done < total // 4:  # a build takes seconds: start it early so the swap lands mid-run
            time.sleep(0.05)
        rebuilt_at = swapped_at = None
        if not args.no_rebuild:
            (work / "corpus" / "zinc-deficiency.md").write_text(NEW_ARTICLE, encoding="utf-8")
            rebuilt_at = done
            build = subprocess.run([sys.executable, "-m", "chatbot", "build", "--corpus", str(work / "corpus"),
                                    "--index", str(work / "index"), "-q"], cwd=ROOT, capture_output=True, text=True)
            while swapped_at is None and done < total:
                if httpx.get(f"{base}/api/health", timeout=30).json()["build_id"] != first_build:
                    swapped_at = done
                time.sleep(0.1)
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        time.sleep(2)  # let the pollers notice, if the build finished after the last request
        served_builds = {}
        for _ in range(20 * args.workers):
            info = httpx.get(f"{base}/api/info", timeout=10).json()
            served_builds[info["process"]] = info["build_id"]
        rated, stored = post_ratings(base, args.ratings, args.clients, work / "feedback.db")
        ms = sorted(1000 * x for x in latencies)
        print(f"clients: {args.clients} x {args.questions} questions = {total} requests in {elapsed:.1f} s "
              f"({total / elapsed:.1f}/s)")
        if not args.no_rebuild:
            new_everywhere = len(set(served_builds.values())) == 1 and first_build not in served_builds.values()
            print(f"rebuild: started after {rebuilt_at} requests, exit {build.returncode}; swapped in after "
                  f"{swapped_at} requests; every process ({len(served_builds)}) serves the new index: {new_everywhere}; "
                  f"zinc-deficiency served: {any(a['article_id'] == 'zinc-deficiency' for a in info['articles'])}")
        print(f"served: {len(latencies) - len(errors)}, errors: {len(errors)}")
        print(f"latency p50 {statistics.median(ms):.0f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms")
        rest = sorted(1000 * x for x in later)
        print(f"without each client's first request (all {args.clients} arrive at once, caches cold): "
              f"p50 {statistics.median(rest):.0f} ms, p95 {rest[int(0.95 * (len(rest) - 1))]:.0f} ms")
        print(f"ratings: {rated} of {args.ratings} posted at once by {args.clients} clients accepted; "
              f"rows in the feedback database: {stored}")
        for pid, label, rss, pss in process_memory(server.pid):
            print(f"  process {pid} ({label}): RSS {rss:5.0f} MiB, PSS {pss:5.0f} MiB")
        for problem in errors[:5]:
            print("  " + problem)
        return 1 if errors or stored != args.ratings or (not args.no_rebuild and build.returncode) else 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
