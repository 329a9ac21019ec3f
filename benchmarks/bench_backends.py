"""The embedding backends side by side: PyTorch (sentence-transformers), ONNX float32, ONNX int8.

    python benchmarks/bench_backends.py [--sample 2000]

For each backend, in the same run: throughput on a random sample of the 1,500-article
MedQuAD index's chunk texts (as a build embeds them), single-query p50 latency on the
medquad-dev questions, and MRR@10 / passage hit@5 of the shipped search on seed-dev and
medquad-dev.  Float32 backends share one index per corpus (their vectors agree); int8 gets
its own, built here under benchmarks/.cache.  Needs the index that bench_retrieval.py leaves in
benchmarks/.cache/medquad-1500.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from common import CACHE, ROOT, SHARED, require_shared

from chatbot.settings import ChunkSettings
from chatbot.ingest.chunking import embedding_text
from chatbot.embedding import load_embedder
from chatbot.evaluation import evaluate_retrieval, load_questions
from chatbot.index.build import build_index
from chatbot.search.retriever import Retriever
from chatbot.index.store import load_index

BACKENDS = ("torch", "onnx", "onnx-int8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    require_shared()
    medquad_index = CACHE / "medquad-1500" / "index"
    stored = load_index(medquad_index)
    settings = ChunkSettings.from_dict(stored.manifest["chunking"])
    texts = random.Random(0).sample([embedding_text(c, settings) for c in stored.chunks], args.sample)
    seed_set, medquad_set = load_questions(SHARED / "eval" / "seed-dev.jsonl"), load_questions(SHARED / "eval" / "medquad-dev.jsonl")
    rows = []
    for backend in BACKENDS:
        embedder = load_embedder(backend=backend)
        embedder.embed(texts[:64])
        started = time.perf_counter()
        embedder.embed(texts)
        rate = len(texts) / (time.perf_counter() - started)
        latencies = []
        for q in medquad_set:
            started = time.perf_counter()
            embedder.embed([q["question"]])
            latencies.append(1000 * (time.perf_counter() - started))
        indexes = {"seed": ROOT / "index", "medquad": medquad_index}
        if backend == "onnx-int8":
            for name, corpus in (("seed", ROOT / "corpus"), ("medquad", CACHE / "medquad-1500" / "corpus")):
                indexes[name] = CACHE / f"{name}-int8" / "index"
                build_index(corpus, indexes[name], embedder=embedder)
        quality = {}
        for name, questions in (("seed", seed_set), ("medquad", medquad_set)):
            retriever = Retriever.load(indexes[name], embedder=embedder)
            quality[name] = evaluate_retrieval(retriever.search, questions, k=5)
        rows.append((backend, rate, statistics.median(latencies), quality))
    base_rate, base_latency = rows[0][1], rows[0][2]
    print(f"{len(texts):,} chunk texts of the 1,500-article MedQuAD index; {len(medquad_set)} medquad-dev questions")
    print("| backend | chunks/s | speed-up | query p50 (ms) | speed-up | seed MRR@10 | seed PH@5 | MedQuAD MRR@10 | MedQuAD PH@5 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for backend, rate, latency, q in rows:
        print(f"| {backend} | {rate:.1f} | {rate / base_rate:.2f}x | {latency:.2f} | {base_latency / latency:.2f}x | "
              f"{q['seed']['mrr@10']:.3f} | {q['seed']['passage_hit@5']:.3f} | {q['medquad']['mrr@10']:.3f} | "
              f"{q['medquad']['passage_hit@5']:.3f} |")
    print(json.dumps({backend: q for backend, _, _, q in rows}))


if __name__ == "__main__":
    main()
