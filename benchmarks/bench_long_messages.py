"""How much retrieval loses when a question comes wrapped in a story that says nothing medical.

    python benchmarks/bench_long_messages.py [--index index] [--set ../shared/eval/seed-dev.jsonl]

Each labelled question of the set is asked twice: as written, and with a greeting or an
explanation of who is writing before it and thanks after it (fixed sentences, drawn with a
fixed seed).  Prints MRR@10, nDCG@10 and passage hit@5 of dense-only and the shipped search
for both.  Needs no ../shared when --set names another file.
"""

from __future__ import annotations

import argparse
import random

from common import ROOT, SHARED

from chatbot.evaluation import evaluate_retrieval, load_questions
from chatbot.retriever import Retriever

BEFORE = [
    "Hi, I hope someone here can help me out because I have been going back and forth about this all week.",
    "So my family and I just got back from visiting my aunt in Ohio and she told us something over dinner.",
    "I am writing on behalf of my father who does not use computers and asked me to look this up for him.",
    "Sorry if this is a silly question, I am new here and English is not my first language.",
]
AFTER = [
    "Thanks so much in advance, I really appreciate any answer.",
    "Any advice would be great, we are all a bit lost.",
    "I would be grateful for an answer before the weekend.",
    "",
]


def wrapped(questions: list[dict], seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    return [dict(q, question=f"{rng.choice(BEFORE)} {q['question']} {rng.choice(AFTER)}".strip()) for q in questions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", default=str(ROOT / "index"))
    parser.add_argument("--set", default=str(SHARED / "eval" / "seed-dev.jsonl"))
    args = parser.parse_args()
    retriever = Retriever.load(args.index)
    questions = [q for q in load_questions(args.set) if q["relevant"]]
    print("| questions | system | MRR@10 | nDCG@10 | passage hit@5 |\n|---|---|---|---|---|")
    for name, asked in (("as written", questions), ("wrapped in a story", wrapped(questions))):
        for system, mode in (("dense only", "dense"), ("shipped (hybrid)", "hybrid")):
            m = evaluate_retrieval(lambda text, k, mode=mode: retriever.search(text, k, mode=mode), asked)
            print(f"| {name} | {system} | {m['mrr@10']:.3f} | {m['ndcg@10']:.3f} | {m['passage_hit@5']:.3f} |")


if __name__ == "__main__":
    main()
