"""Triage on the held-out test part: the confusion table, per flag and group, and the added latency.

    python benchmarks/bench_triage.py [--index index] [--part test]

Every message goes through ``Chatbot.ask`` (the whole answer path, history included), so the
figures are what a person gets.  The added latency is the median time of ``triage.assess``
alone, per message of the part and per seed-dev question, beside the median ``Chatbot.ask``.
The test part was written by authors who saw neither the code nor the train part, and nothing
is tuned on it (``fit_triage.py`` reads only the train part).  The headline figures are also
printed for each of its files (each by other authors: see docs/safety.md).
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import ROOT, SHARED
from triage_data import load

from chatbot import Chatbot
from chatbot.evaluation import evaluate_triage, load_questions
from chatbot.triage.assess import assess
from chatbot.triage.scoring import headline, table


def median_ms(fn, items) -> float:
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(ROOT / "index"))
    parser.add_argument("--part", default="test", choices=("test", "train"))
    args = parser.parse_args()
    records = load(args.part)
    bot = Chatbot.load(args.index)
    figures = evaluate_triage(bot.ask, records)
    print(f"{args.part} part: {len(records)} messages through Chatbot.ask ({args.index})")
    print(table(figures))
    print("\nper file of the part")
    for source, per_file in figures["per_source"].items():
        print(f"  {source}: {headline(per_file)}")
    print(f"\nsee-a-doctor notice on {figures['notice_rate']:.1%} of answers; kind == 'urgent' exactly when triage is "
          f"urgent on {figures['kind_urgent_iff_triage_urgent']:.1%}")
    assess(records[0]["text"])  # the model loads once per process
    triage_ms = median_ms(lambda r: assess(r["text"], r["history"]), records)
    ask_ms = figures["ask_ms_p50"]
    print(f"latency: triage.assess p50 {triage_ms:.2f} ms per message of this part; Chatbot.ask p50 {ask_ms:.1f} ms")
    seed = SHARED / "eval" / "seed-dev.jsonl"
    if seed.is_file():
        questions = [q["question"] for q in load_questions(seed)]
        print(f"         seed-dev questions: triage.assess p50 {median_ms(assess, questions):.2f} ms, "
              f"Chatbot.ask p50 {median_ms(bot.ask, questions):.1f} ms")


if __name__ == "__main__":
    main()
