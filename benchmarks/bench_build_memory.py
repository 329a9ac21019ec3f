"""Build memory and throughput as the corpus grows: peak RSS and chunks/s of a full build from
nothing at each size, optionally beside an older revision of the code on the same corpora.

    python benchmarks/bench_build_memory.py [--sizes 300,1500,6154,60000] [--baseline REV]

Sizes up to 6,154 are MedQuAD articles (1,500: the eval subset; otherwise the first N by id);
larger ones are synthetic articles made from MedQuAD (benchmarks/synthetic_corpus.py: shorter,
about one chunk each).  Each build runs in a fresh process with the bundled model on its
default backend; the model is loaded before the clock starts, and "model" is the process's
memory once it is loaded.  Peak is the process's maximum resident set (ru_maxrss), which
includes the model.  With --baseline, the same builds run with the code of git revision REV
(checked out once under benchmarks/.cache/), one after the other, so the two are measured in
the same run on the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from common import CACHE, MEDQUAD, ROOT, medquad_corpus, require_shared, subset_ids
from synthetic_corpus import synthetic_corpus

BUILD = """
import json, resource, sys, time
from chatbot.embedding import load_embedder
from chatbot.index.build import build_index
embedder = load_embedder()
model_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.perf_counter()
report = build_index(sys.argv[1], sys.argv[2], embedder=embedder)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "chunks": report.chunks_embedded, "model_mib": model_mib,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def corpus_of(size: int) -> Path:
    every_id = sorted(p.stem for p in MEDQUAD.glob("*.md"))
    if size > len(every_id):
        return synthetic_corpus(size)
    return medquad_corpus(f"build-{size}", subset_ids() if size == 1500 else every_id[:size])


def checkout(revision: str) -> Path:
    """The code of ``revision`` in a git worktree under benchmarks/.cache (made once)."""
    commit = subprocess.run(["git", "rev-parse", "--short", revision], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    folder = CACHE / f"code-{commit}"
    if not folder.is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", str(folder), commit], cwd=ROOT, check=True,
                       capture_output=True)
    return folder


def build(code: Path, corpus: Path, index: Path) -> dict:
    shutil.rmtree(index, ignore_errors=True)
    out = subprocess.run([sys.executable, "-c", BUILD, str(corpus), str(index)], cwd=code, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(code)})
    shutil.rmtree(index, ignore_errors=True)
    if out.returncode:
        sys.exit(f"error: the build of {corpus} with {code} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def line(label: str, result: dict) -> str:
    return (f"  {label:10s} {result['chunks']:8,} chunks {result['seconds']:8.1f} s {result['chunks'] / result['seconds']:6.1f} "
            f"chunks/s   model {result['model_mib']:5.0f} MiB   peak {result['peak_mib']:6.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,1500,6154,60000", help="comma-separated article counts")
    parser.add_argument("--baseline", help="a git revision to measure beside the working tree (e.g. HEAD~3)")
    args = parser.parse_args()
    require_shared()
    codes = [("this", ROOT)] + ([(args.baseline, checkout(args.baseline))] if args.baseline else [])
    peaks: dict[str, dict[int, float]] = {label: {} for label, _ in codes}
    for size in [int(s) for s in args.sizes.split(",")]:
        corpus = corpus_of(size)
        print(f"{size:,} articles ({corpus}):", flush=True)
        for label, code in codes:
            result = build(code, corpus, CACHE / "build-memory-index")
            peaks[label][size] = result["peak_mib"]
            print(line(label, result), flush=True)
    for label, by_size in peaks.items():
        smallest = min(by_size)
        ratios = ", ".join(f"{size:,}: {peak / by_size[smallest]:.2f}x" for size, peak in by_size.items())
        print(f"peak memory against {smallest:,} articles ({label}): {ratios}")


if __name__ == "__main__":
    main()
