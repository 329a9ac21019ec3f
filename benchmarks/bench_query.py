"""Query speed, warm, against the floor of what the libraries do, in the same run; cold start;
import time.

    python benchmarks/bench_query.py [--index index] [--set ../shared/eval/seed-dev.jsonl]

The floor is the query's embedding plus an exact FAISS search, nothing else.  Reported: p50
and p95 over the set's questions (each asked once first, to warm the process) of the floor,
`Retriever.search` (hybrid), `Chatbot.ask` for a question asked before (its sentences' vectors
cached) and for a new one (cache emptied before each); the time from a new process's start to
its first answer; and the time of `import chatbot`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import ROOT, SHARED

from chatbot import Chatbot
from chatbot.evaluation import load_questions


def percentiles(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"p50 {statistics.median(ms):7.1f} ms   p95 {ms[int(0.95 * (len(ms) - 1))]:7.1f} ms"


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append(1000 * (time.perf_counter() - started))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(ROOT / "index"))
    parser.add_argument("--set", default=str(SHARED / "eval" / "seed-dev.jsonl"))
    args = parser.parse_args()
    args.index = str(Path(args.index).resolve())  # the cold-start subprocess runs from the project root
    questions = [q["question"] for q in load_questions(args.set)]
    bot = Chatbot.load(args.index)
    retriever = bot.retriever
    faiss_index = retriever._stored.faiss_index

    def floor(question: str) -> None:
        faiss_index.search(np.ascontiguousarray(retriever.embedder.embed([question]), dtype=np.float32), 5)

    def ask_uncached(question: str) -> None:
        bot._cache.clear()  # as for a question no one asked before
        bot.ask(question)

    systems = {"floor (encode + FAISS)": floor, "Retriever.search": lambda q: retriever.search(q, k=5),
               "Chatbot.ask (repeat)": bot.ask, "Chatbot.ask (new)": ask_uncached}
    results = {}
    for name, fn in systems.items():
        timed(fn, questions)  # warm-up: caches, lazy imports
        results[name] = timed(fn, questions)
    base = statistics.median(results["floor (encode + FAISS)"])
    print(f"{len(questions)} questions from {args.set}, index {args.index} ({len(retriever)} chunks)")
    for name, ms in results.items():
        print(f"  {name:24s} {percentiles(ms)}   {statistics.median(ms) / base:5.2f}x the floor")

    code = ("import time; t = time.perf_counter(); from chatbot import Chatbot; "
            f"Chatbot.load({args.index!r}).ask('can back pain cause shaky hands?'); print(time.perf_counter() - t)")
    started = time.perf_counter()
    inner = float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    print(f"  cold start: {time.perf_counter() - started:.1f} s from process start to the first answer "
          f"({inner:.1f} s after the interpreter was up)")
    imports = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter(); import chatbot; "
                              "print(time.perf_counter() - t)"], cwd=ROOT, capture_output=True, text=True, check=True)
        imports.append(float(out.stdout))
    print(f"  import chatbot: {1000 * statistics.median(imports):.0f} ms (median of 5)")


if __name__ == "__main__":
    main()
