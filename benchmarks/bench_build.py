"""Build speed at the size of the MedQuAD eval subset (1,500 articles) and of all of MedQuAD
(6,154), against bare `SentenceTransformer.encode` of the same chunk texts, in the same run.

    python benchmarks/bench_build.py [--sizes 1500,6154] [--bare-sample 3000]

For each size: a full build from nothing in a fresh process (its wall time, chunks per
second, peak memory and index size on disk; the model is loaded before the clock starts);
then bare `SentenceTransformer.encode` (PyTorch, batch 64) on the same texts the build
embedded, in a random sample of --bare-sample chunks (0: all) to keep the run short; then
one article added, one changed and one deleted, each as a share of the full build's time.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

from common import CACHE, MEDQUAD, ROOT, medquad_corpus, require_shared, subset_ids

BUILD = """
import json, resource, sys, time
from chatbot.embedding import load_embedder
from chatbot.index.build import build_index
embedder = load_embedder()
started = time.perf_counter()
report = build_index(sys.argv[1], sys.argv[2], embedder=embedder)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "chunks": report.chunks_embedded, "total": report.chunks_total,
                  "backend": getattr(embedder, "backend", "torch"),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BARE = """
import json, sys, time
from sentence_transformers import SentenceTransformer
from chatbot.embedding import bundled_model_dir
texts = json.load(open(sys.argv[1]))
model = SentenceTransformer(str(bundled_model_dir()), device="cpu")
model.encode(texts[:64], batch_size=64)
started = time.perf_counter()
model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
print(json.dumps({"seconds": time.perf_counter() - started, "chunks": len(texts)}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"error: a benchmark step failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def folder_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def embedded_texts(index: Path) -> list[str]:
    from chatbot.index import store
    from chatbot.settings import ChunkSettings
    from chatbot.ingest.chunking import embedding_text

    manifest = store.read_manifest(index)
    settings = ChunkSettings.from_dict(manifest["chunking"])
    from chatbot.types import Chunk

    with (index / store.CHUNKS).open(encoding="utf-8") as f:
        return [embedding_text(Chunk(**json.loads(line)), settings) for line in f]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1500,6154", help="comma-separated: 1500 (the eval subset) and/or 6154 (all)")
    parser.add_argument("--bare-sample", type=int, default=3000, help="chunks to time bare encode on (0: all)")
    args = parser.parse_args()
    require_shared()
    every_id = sorted(p.stem for p in MEDQUAD.glob("*.md"))
    for size in [int(s) for s in args.sizes.split(",")]:
        ids = subset_ids() if size == 1500 else every_id[:size]
        corpus = medquad_corpus(f"build-{size}", ids)
        index = CACHE / f"build-{size}" / "index"
        shutil.rmtree(index, ignore_errors=True)
        full = run(BUILD, str(corpus), str(index))
        texts = embedded_texts(index)
        sample = texts if not args.bare_sample else random.Random(0).sample(texts, min(args.bare_sample, len(texts)))
        sample_file = CACHE / f"build-{size}" / "bare-texts.json"
        sample_file.write_text(json.dumps(sample))
        bare = run(BARE, str(sample_file))
        build_rate, bare_rate = full["chunks"] / full["seconds"], bare["chunks"] / bare["seconds"]
        print(f"{len(ids):,} articles, {full['total']:,} chunks (backend {full['backend']}):")
        print(f"  full build        {full['seconds']:7.1f} s   {build_rate:6.1f} chunks/s   peak memory {full['peak_mib']:6.0f} MiB   "
              f"index {folder_mib(index):6.1f} MiB on disk")
        print(f"  bare ST encode    {bare['chunks'] / bare_rate:7.1f} s   {bare_rate:6.1f} chunks/s   "
              f"({bare['chunks']:,} of the same texts)   build/bare throughput {build_rate / bare_rate:4.2f}x")

        extra = corpus / "zz-bench-added.md"
        victim = sorted(corpus.glob("*.md"))[len(ids) // 2]
        original = victim.read_text(encoding="utf-8")
        steps = []
        donor = MEDQUAD / f"{every_id[-1] if size < len(every_id) else every_id[0]}.md"  # a typical article
        extra.write_text(donor.read_text(encoding="utf-8") + "\nAdded for the benchmark.\n", encoding="utf-8")
        steps.append(("add one article", run(BUILD, str(corpus), str(index))))
        victim.write_text(original + "\n\nThis paragraph was added to change the article.\n", encoding="utf-8")
        steps.append(("change one article", run(BUILD, str(corpus), str(index))))
        extra.unlink()
        steps.append(("delete one article", run(BUILD, str(corpus), str(index))))
        victim.write_text(original, encoding="utf-8")
        for label, step in steps:
            print(f"  {label:18s}{step['seconds']:7.2f} s   {step['chunks']:3d} chunks embedded   "
                  f"{100 * step['seconds'] / full['seconds']:5.2f}% of the full build")
        run(BUILD, str(corpus), str(index))  # leave the index matching the corpus


if __name__ == "__main__":
    main()
