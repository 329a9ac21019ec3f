"""Choose the out-of-scope thresholds of chatbot/answer.py from labelled questions.

    python benchmarks/calibrate_scope.py [--index index]

Reads in-scope and out-of-scope questions from ../shared/eval/seed-dev.jsonl (when present)
and benchmarks/data/scope-questions.jsonl (written for this project: other wordings, other
health topics, and questions that are not about health at all), computes each question's
scope features once, then tries every pair of thresholds on a grid.  It prints the pair
with the best balanced accuracy among those that answer at least 95% of in-scope questions,
and the figures of the thresholds in force.
"""

from __future__ import annotations

import argparse
import json

from common import ROOT, SHARED

from dataclasses import replace

from chatbot.answer.bot import Chatbot
from chatbot.answer.scope import scope_features
from chatbot.search.query import understand

SETS = [SHARED / "eval" / "seed-dev.jsonl", ROOT / "benchmarks" / "data" / "scope-questions.jsonl"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(ROOT / "index"))
    args = parser.parse_args()
    bot = Chatbot.load(args.index)
    labelled = []
    for path in SETS:
        if not path.exists():
            print(f"(skipping {path}: not found)")
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            if q["kind"] in ("in_scope", "out_of_scope"):
                understood = understand(q["question"], bot.vocabulary)
                hits = bot.retriever.search_question(understood, k=bot.selection.hits)  # as Chatbot.ask searches
                labelled.append((q["kind"] == "in_scope", scope_features(understood, hits, bot.vocabulary), q["question"]))
    positives = sum(1 for inside, _, _ in labelled if inside)
    negatives = len(labelled) - positives
    print(f"{len(labelled)} labelled questions: {positives} in scope, {negatives} out of scope")

    def rates(threshold: float, specific: float) -> tuple[float, float]:
        settings = replace(bot.scope, threshold=threshold, specific_threshold=specific)
        answered = sum(f.in_scope(settings) for inside, f, _ in labelled if inside) / positives
        refused = sum(not f.in_scope(settings) for inside, f, _ in labelled if not inside) / negatives
        return answered, refused

    grid = [round(0.15 + 0.01 * i, 2) for i in range(46)]
    best = max(
        ((t, s) for t in grid for s in grid if s <= t and rates(t, s)[0] >= 0.95),
        key=lambda ts: (sum(rates(*ts)) / 2, ts[0] - ts[1] < 0.3, -abs(ts[0] - 0.4)),
    )
    for label, (t, s) in (("best on the grid", best), ("in force", (bot.scope.threshold, bot.scope.specific_threshold))):
        answered, refused = rates(t, s)
        print(f"{label:17s} threshold={t:.2f} specific={s:.2f}: in-scope answered {answered:.3f}, "
              f"out-of-scope refused {refused:.3f}, balanced accuracy {(answered + refused) / 2:.3f}")
    for inside, f, text in labelled:
        if f.in_scope(bot.scope) != inside:
            print(f"  wrong with the thresholds in force ({'in' if inside else 'out'} of scope, "
                  f"similarity {f.top_similarity:.3f}): {text}")


if __name__ == "__main__":
    main()
