"""How well `answer.informative` tells sentences that inform from those never to quote.

    python benchmarks/bench_sentences.py [--part test|train|both]

On the labelled sentences in benchmarks/data/sentences/ (written by a helper that had not seen
the code; format and provenance in its README): per label, precision and recall of
``sentence_kind``, and the two figures that matter to a reader: the share of sentences that do
not inform that would be quoted (leaks), and the share of informative sentences that would be
held back (losses); beside them the same for the rules alone (``rule_kind``), the baseline.  The test part is for reporting only: nothing was fitted or tuned on it.
Needs nothing outside the project.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from common import ROOT

from chatbot.answer.informative import KINDS, rule_kind, sentence_kind

DATA = ROOT / "benchmarks" / "data" / "sentences"


def report(part: str) -> None:
    rows = [json.loads(line) for line in (DATA / f"{part}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = [(r["label"], sentence_kind(r["text"])) for r in rows]
    confusion = Counter(pairs)
    print(f"{part}: {len(rows)} sentences")
    print("| label | n | precision | recall |")
    print("|---|---|---|---|")
    for kind in KINDS:
        n = sum(1 for label, _ in pairs if label == kind)
        predicted = sum(1 for _, guess in pairs if guess == kind)
        right = confusion[kind, kind]
        print(f"| {kind} | {n} | {right / predicted if predicted else float('nan'):.3f} | {right / n if n else float('nan'):.3f} |")
    noise = [guess for label, guess in pairs if label != "informative"]
    informative = [guess for label, guess in pairs if label == "informative"]
    print(f"leaks (not informative, would be quoted): {sum(g == 'informative' for g in noise)} of {len(noise)} "
          f"({sum(g == 'informative' for g in noise) / len(noise):.1%})")
    print(f"losses (informative, held back): {sum(g != 'informative' for g in informative)} of {len(informative)} "
          f"({sum(g != 'informative' for g in informative) / len(informative):.1%})")
    rules = [(r["label"], rule_kind(r["text"])) for r in rows]
    print(f"the rules alone: leaks {sum(g == 'informative' for l, g in rules if l != 'informative') / len(noise):.1%}, "
          f"losses {sum(g != 'informative' for l, g in rules if l == 'informative') / len(informative):.1%}")
    print("confusion (label -> guess): " + ", ".join(f"{a}->{b} {n}" for (a, b), n in sorted(confusion.items()) if a != b))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="both", choices=("test", "train", "both"))
    args = parser.parse_args()
    for part in ("train", "test") if args.part == "both" else (args.part,):
        report(part)


if __name__ == "__main__":
    main()
