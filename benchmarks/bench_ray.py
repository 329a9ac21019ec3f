"""The Ray engine beside the local one: a full build of the same MedQuAD articles with each, in
fresh processes one after the other, and whether the two indexes agree.

    python benchmarks/bench_ray.py [--size 1500] [--actors 2] [--batch-size 256]

The local build is `build_index` in one process (model loaded before the clock starts); the
Ray build is `build_index(engine="ray")`, which starts a local Ray with this machine's CPUs
and an actor pool of --actors models, and stops it at the end: its time includes starting
Ray and loading a model in every actor.  Both indexes are kept under
benchmarks/.cache/ray-SIZE/ (bench_load.py can serve them).  Prints seconds and chunks/s of
each, and the largest difference between their chunk vectors.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys

from common import CACHE, MEDQUAD, ROOT, medquad_corpus, require_shared, subset_ids

BUILD = """
import json, sys, time
from chatbot.index.build import build_index
engine = sys.argv[3]
if engine == "local":
    from chatbot.embedding import load_embedder
    options = {"embedder": load_embedder()}
else:
    options = {"engine": "ray", "ray_options": {"actors": int(sys.argv[4]), "batch_size": int(sys.argv[5])}}
started = time.perf_counter()
report = build_index(sys.argv[1], sys.argv[2], **options)
print(json.dumps({"seconds": time.perf_counter() - started, "chunks": report.chunks_embedded}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1500, help="MedQuAD articles (1500: the eval subset)")
    parser.add_argument("--actors", type=int, default=2, help="Ray actors (models) embedding at once")
    parser.add_argument("--batch-size", type=int, default=256, help="chunks per Ray actor call")
    args = parser.parse_args()
    require_shared()
    every_id = sorted(p.stem for p in MEDQUAD.glob("*.md"))
    corpus = medquad_corpus(f"build-{args.size}", subset_ids() if args.size == 1500 else every_id[:args.size])
    results = {}
    for engine in ("local", "ray"):
        index = CACHE / f"ray-{args.size}" / engine
        shutil.rmtree(index, ignore_errors=True)
        out = subprocess.run([sys.executable, "-c", BUILD, str(corpus), str(index), engine, str(args.actors),
                              str(args.batch_size)], cwd=ROOT, capture_output=True, text=True)
        if out.returncode:
            sys.exit(f"error: the {engine} build failed:\n{out.stderr[-3000:]}")
        results[engine] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{args.size:,} articles, {results['local']['chunks']:,} chunks:")
    for engine, result in results.items():
        print(f"  {engine:6s} {result['seconds']:7.1f} s  {result['chunks'] / result['seconds']:6.1f} chunks/s  "
              f"{result['seconds'] / results['local']['seconds']:5.2f}x the local build's time")
    print(f"  largest difference between the two indexes' chunk vectors: {vector_difference(args.size):.2e}")


def vector_difference(size: int) -> float:
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from chatbot.index import store

    local, ray = (store.load_index(CACHE / f"ray-{size}" / engine) for engine in ("local", "ray"))
    if local.chunks != ray.chunks:
        sys.exit("error: the two builds made different chunks")
    return float(np.abs(local.vectors() - ray.vectors()).max())


if __name__ == "__main__":
    main()
