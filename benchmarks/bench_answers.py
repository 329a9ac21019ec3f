"""The answers' figures with the learned opening sentence beside the hand-set rule, in one run.

    python benchmarks/bench_answers.py [--sets seed-dev,medquad-dev]

For each question set, ``chatbot.evaluation.evaluate_answers`` twice on one loaded index: with
``SelectionSettings(lead="fixed")`` (the hand-set rule, the "before" column) and with the shipped
opening-sentence model (``lead="learned"``).  Prints evidence in the answer and in the first quote,
quotes per answer, answers with a repeated quote, quotes that do not inform, in-scope answered and
the median time of ``Chatbot.ask``.  Sets whose index or file is missing are skipped (the MedQuAD
indexes are built by ``bench_retrieval.py``; consumer-dev needs the 6,154-article one).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Callable

from common import CACHE, ROOT, SHARED

from chatbot.answer.bot import Chatbot
from chatbot.evaluation import evaluate_answers, load_questions
from chatbot.ingest.corpus import load_corpus

SETS = {  # name: (index, corpus, questions)
    "seed-dev": ("index", "corpus", SHARED / "eval" / "seed-dev.jsonl"),
    "seed-heldout": ("index", "corpus", ROOT / "benchmarks" / "data" / "heldout" / "seed-questions.jsonl"),
    "long-messages": ("index", "corpus", ROOT / "benchmarks" / "data" / "heldout" / "long-messages.jsonl"),
    "medquad-dev": (CACHE / "medquad-1500" / "index", CACHE / "medquad-1500" / "corpus", SHARED / "eval" / "medquad-dev.jsonl"),
    "consumer-dev": (CACHE / "medquad-6154" / "index", SHARED / "medquad" / "articles", SHARED / "eval" / "consumer-dev.jsonl"),
}
FIGURES = ("evidence_in_answer", "evidence_in_first_quote", "quotes_per_answer", "answers_with_a_repeated_quote",
           "uninformative_quotes", "in_scope_answered", "ask_ms_p50")


def load_set(name: str, sets: dict) -> tuple[Chatbot, list[dict], dict[str, str]] | None:
    """The bot on a set's index, its questions and its articles' texts; None (with a table row
    saying so) when its index, corpus or question file is missing."""
    index, corpus, path = (Path(ROOT / p) if not Path(p).is_absolute() else Path(p) for p in sets[name])
    missing = next((p for p in (index, corpus, path) if not p.exists()), None)
    if missing:
        print(f"| {name} | skipped: {missing} is missing | | | |")
        return None
    bot = Chatbot.load(index)
    texts = {a.article_id: a.text for a in load_corpus(corpus).articles if a.article_id in bot.retriever.manifest["articles"]}
    return bot, load_questions(path), texts


def print_fixed_and_learned(name: str, size: str, bot: Chatbot, questions: list[dict], texts: dict[str, str],
                            use: Callable[[str], None], figures: tuple[str, ...]) -> None:
    """One table row per figure: the answers with ``use("fixed")`` beside those with ``use("learned")``."""
    results = {}
    for choice in ("fixed", "learned"):
        use(choice)
        results[choice] = evaluate_answers(bot.ask, questions, texts)
    for figure in figures:
        print(f"| {name} | {size} | {figure} | {results['fixed'][figure]} | {results['learned'][figure]} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    args = parser.parse_args()
    print("| set | questions | figure | hand-set opening | learned opening |")
    print("|---|---|---|---|---|")
    for name in args.sets.split(","):
        loaded = load_set(name, SETS)
        if loaded is None:
            continue
        bot, questions, texts = loaded

        def use(choice: str) -> None:
            bot.selection = dataclasses.replace(bot.selection, lead=choice)

        print_fixed_and_learned(name, str(len(questions)), bot, questions, texts, use, FIGURES)


if __name__ == "__main__":
    main()
