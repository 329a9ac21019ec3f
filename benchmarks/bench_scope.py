"""The out-of-scope decision, learned beside the fixed thresholds, in one run.

    python benchmarks/bench_scope.py [--sets seed-heldout,long-messages,scope-test,medquad-dev,consumer-dev]

For each question set, ``chatbot.evaluation.evaluate_answers`` twice on one loaded index: with
``ScopeSettings(decision="fixed")`` (the thresholds, the "before" column) and with the shipped
model (``decision="learned"``).  Prints in-scope answered, out-of-scope refused and evidence in
the answer.  None of the default sets was used to fit or calibrate either decision
(``benchmarks/fit_scope.py`` reads seed-dev, scope-questions and scope-calibration); seed-dev is
offered too, as a calibration set.  Sets whose index or file is missing are skipped.
"""

from __future__ import annotations

import argparse
import dataclasses
from bench_answers import SETS as ANSWER_SETS
from bench_answers import load_set, print_fixed_and_learned
from common import ROOT

SETS = {**ANSWER_SETS, "scope-test": ("index", "corpus", ROOT / "benchmarks" / "data" / "heldout" / "scope-test.jsonl")}
DEFAULT = "seed-heldout,long-messages,scope-test,medquad-dev,consumer-dev"
FIGURES = ("in_scope_answered", "out_of_scope_refused", "evidence_in_answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=DEFAULT, help=f"comma-separated, of {', '.join(SETS)}")
    args = parser.parse_args()
    print("| set | in scope / out of scope | figure | fixed thresholds | learned |")
    print("|---|---|---|---|---|")
    for name in args.sets.split(","):
        loaded = load_set(name, SETS)
        if loaded is None:
            continue
        bot, questions, texts = loaded
        counts = f"{sum(q['kind'] == 'in_scope' for q in questions)} / {sum(q['kind'] == 'out_of_scope' for q in questions)}"

        def use(choice: str) -> None:
            bot.scope = dataclasses.replace(bot.scope, decision=choice)

        print_fixed_and_learned(name, counts, bot, questions, texts, use, FIGURES)


if __name__ == "__main__":
    main()
