"""How much retrieval loses on messy questions: typos, and a story around the question.

    python benchmarks/bench_noisy_questions.py

Two sets: seed-dev on the seed index, and medquad-consumer (600 questions in a person's words,
benchmarks/heldout_questions.py) on the 1,500-article MedQuAD index (built as
bench_retrieval.py builds it).  Each question is asked four ways: as written; with two typos
(a letter dropped or two swapped, in words of six letters or more); wrapped in a greeting or
an explanation of who is writing and thanks (fixed sentences); and both.  Prints MRR@10 and
passage hit@5 of dense-only and the shipped search.  Every draw uses a fixed seed.
"""

from __future__ import annotations

import random

from common import ROOT, SHARED, medquad_corpus, require_shared, subset_ids
from heldout_questions import heldout_questions

from chatbot.evaluation import evaluate_retrieval, load_questions
from chatbot.index.build import build_index
from chatbot.search.retriever import Retriever

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


def with_typos(text: str, rng: random.Random, count: int = 2) -> str:
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    for i in rng.sample(long_words, min(count, len(long_words))):
        w, j = words[i], rng.randrange(1, len(words[i]) - 1)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.5 else w[:j] + w[j + 1:]
    return " ".join(words)


def wrapped(text: str, rng: random.Random) -> str:
    return f"{rng.choice(BEFORE)} {text} {rng.choice(AFTER)}".strip()


def variants(questions: list[dict]) -> dict[str, list[dict]]:
    rng = random.Random(0)
    typos = [with_typos(q["question"], rng) for q in questions]
    return {
        "as written": questions,
        "two typos": [dict(q, question=t) for q, t in zip(questions, typos)],
        "wrapped in a story": [dict(q, question=wrapped(q["question"], rng)) for q in questions],
        "typos and story": [dict(q, question=wrapped(t, rng)) for q, t in zip(questions, typos)],
    }


def main() -> None:
    require_shared()
    corpus = medquad_corpus("medquad-1500", subset_ids())
    build_index(corpus, corpus.parent / "index", progress=True)
    sets = [("seed-dev", ROOT / "index", [q for q in load_questions(SHARED / "eval" / "seed-dev.jsonl") if q["relevant"]]),
            ("medquad-consumer", corpus.parent / "index", heldout_questions(consumer=True))]
    print("| set | questions | dense MRR@10 | dense PH@5 | shipped MRR@10 | shipped PH@5 |\n|---|---|---|---|---|---|")
    for name, index_dir, questions in sets:
        retriever = Retriever.load(index_dir)
        for variant, asked in variants(questions).items():
            row = []
            for mode in ("dense", "hybrid"):
                m = evaluate_retrieval(lambda text, k, mode=mode: retriever.search(text, k, mode=mode), asked)
                row += [f"{m['mrr@10']:.3f}", f"{m['passage_hit@5']:.3f}"]
            print(f"| {name} | {variant} | " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
