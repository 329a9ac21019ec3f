"""Load: 50 concurrent clients x 20 questions against `python -m chatbot serve` on 127.0.0.1,
with an index rebuild (a new article, built by a separate `python -m chatbot build`) and the
server's swap to it in the middle.

    python benchmarks/bench_load.py [--clients 50] [--questions 20]

Prints requests served, errors (any non-200 answer or failed request), p50/p95 latency and the
index reloads the server made; exits 1 if any request failed.  Runs on a copy of corpus/ and
index/ in a temporary folder; traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import shutil
import socket
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--no-rebuild", action="store_true", help="measure without the rebuild in the middle")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chatbot-load-"))
    shutil.copytree(ROOT / "corpus", work / "corpus")
    shutil.copytree(ROOT / "index", work / "index")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "serve", "--corpus", str(work / "corpus"), "--index", str(work / "index"),
         "--port", str(port), "--feedback-db", ""],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            print("error: the server did not start in 180 s", file=sys.stderr)
            return 1

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
                if httpx.get(f"{base}/api/info", timeout=30).json()["reloads"]:
                    swapped_at = done
                time.sleep(0.1)
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        time.sleep(2)  # let the poller notice, if the build finished after the last request
        info = httpx.get(f"{base}/api/info", timeout=10).json()
        ms = sorted(1000 * x for x in latencies)
        print(f"clients: {args.clients} x {args.questions} questions = {total} requests in {elapsed:.1f} s "
              f"({total / elapsed:.1f}/s)")
        if not args.no_rebuild:
            print(f"rebuild: started after {rebuilt_at} requests, exit {build.returncode}; swapped in after "
                  f"{swapped_at} requests; server reloads: {info['reloads']}; zinc-deficiency served: "
                  f"{any(a['article_id'] == 'zinc-deficiency' for a in info['articles'])}")
        print(f"served: {len(latencies) - len(errors)}, errors: {len(errors)}")
        print(f"latency p50 {statistics.median(ms):.0f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms")
        rest = sorted(1000 * x for x in later)
        print(f"without each client's first request (all {args.clients} arrive at once, caches cold): "
              f"p50 {statistics.median(rest):.0f} ms, p95 {rest[int(0.95 * (len(rest) - 1))]:.0f} ms")
        for problem in errors[:5]:
            print("  " + problem)
        return 1 if errors or (not args.no_rebuild and build.returncode) else 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
