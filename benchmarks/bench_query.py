"""Query speed, warm, against the floor of what the libraries do, in the same run; cold start;
import time.

    python benchmarks/bench_query.py [--index index] [--set ../shared/eval/seed-dev.jsonl] [--backend onnx]

The floor is the query's embedding (same model and backend as the shipped search) plus an
exact FAISS search, nothing else.  Reported: p50 and p95 over the set's questions of the
floor, `Retriever.search` (hybrid), `Chatbot.ask`, and for reference the floor with bare
`SentenceTransformer.encode` (PyTorch).  The three systems take turns question by question,
for --rounds rounds after a warm-up round, so a noisy machine slows them alike; the PyTorch
reference runs after them, alone (its idle threads would slow whatever ran next).  Then the time
from a new process's start to its first answer, and the time of `import chatbot`.
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

from sentence_transformers import SentenceTransformer

from chatbot import Chatbot
from chatbot.embedding import bundled_model_dir
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
    parser.add_argument("--backend", help="embedding backend (default: the shipped default)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    args.index = str(Path(args.index).resolve())  # the cold-start subprocess runs from the project root
    questions = [q["question"] for q in load_questions(args.set)]
    bot = Chatbot.load(args.index, backend=args.backend)
    retriever = bot.retriever
    faiss_index = retriever._stored.faiss_index
    bare = SentenceTransformer(str(bundled_model_dir()), device="cpu")

    def floor(question: str) -> None:
        faiss_index.search(np.ascontiguousarray(retriever.embedder.embed([question]), dtype=np.float32), 5)

    def floor_torch(question: str) -> None:
        vector = bare.encode([question], normalize_embeddings=True, convert_to_numpy=True)
        faiss_index.search(np.ascontiguousarray(vector, dtype=np.float32), 5)

    systems = {"floor (encode + FAISS)": floor, "Retriever.search": lambda q: retriever.search(q, k=5), "Chatbot.ask": bot.ask}
    results: dict[str, list[float]] = {name: [] for name in systems}
    for round_ in range(args.rounds + 1):
        for question in questions:
            for name, fn in systems.items():
                ms = timed(fn, [question])
                if round_:  # round 0 warms caches and lazy imports
                    results[name] += ms
    timed(floor_torch, questions)
    results["bare torch encode + FAISS"] = [ms for _ in range(args.rounds) for ms in timed(floor_torch, questions)]
    base = statistics.median(results["floor (encode + FAISS)"])
    backend = getattr(retriever.embedder, "backend", "torch")
    print(f"{len(questions)} questions x {args.rounds} rounds from {args.set}, index {args.index} "
          f"({len(retriever)} chunks), backend {backend}")
    for name, ms in results.items():
        print(f"  {name:26s} {percentiles(ms)}   {statistics.median(ms) / base:5.2f}x the floor")

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
