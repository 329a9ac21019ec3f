"""Fit the learned red-flag detector on the train part and write chatbot/triage/data/triage_model.npz.

    python benchmarks/fit_triage.py [--folds 5] [--c 8] [--no-save]

1. 5-fold cross-validation over the train part (folds stratified by category): each fold's model
   scores the messages it did not see (each message by its most alarming unit: the whole and
   each clause long enough to stand alone, as ``assess`` reads it); thresholds are chosen on those out-of-fold
   probabilities (the highest threshold that keeps the flag's out-of-fold recall at or above
   --target-recall, never above 0.5), and the whole triage (patterns + model + context) is
   measured out of fold.
2. The model is fitted on the whole train part, given those thresholds, and saved.
The test part (benchmarks/data/triage/test/) is never read here; bench_triage.py reports on it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
from collections import defaultdict

import numpy as np
from common import SHARED
from triage_data import load

from chatbot.triage.redflags import NAMES
from chatbot.triage.assess import FOREIGN_ALARM_THRESHOLD, assess, model_input, model_units
from chatbot.triage.model import MODEL_PATH, features, fit
from chatbot.triage.scoring import score, table


def folds_of(records: list[dict], k: int, seed: int = 13) -> list[int]:
    """A fold number per record, each category spread over the folds."""
    by_category = defaultdict(list)
    for i, r in enumerate(records):
        by_category[r["category"]].append(i)
    fold = [0] * len(records)
    rng = random.Random(seed)
    for members in by_category.values():
        rng.shuffle(members)
        for n, i in enumerate(members):
            fold[i] = n % k
    return fold


def choose_alarm_threshold(alarm: np.ndarray, labels: list[set[str]], max_false_alarm: float) -> float:
    """The lowest threshold whose out-of-fold false-alarm rate on routine messages stays within the bound."""
    routine = np.array([not y for y in labels])
    for t in np.round(np.arange(0.3, 0.99, 0.01), 2):
        if (alarm[routine] >= t).mean() <= max_false_alarm:
            return float(t)
    return 0.99


def choose_clause_threshold(whole_alarms: np.ndarray, clause_alarm: np.ndarray, labels: list[set[str]],
                            max_false_alarm: float) -> float:
    """The lowest bar for a clause read on its own whose out-of-fold false-alarm rate on routine
    messages, with the whole-message alarms, stays within the bound (a long message has many clauses)."""
    routine = np.array([not y for y in labels])
    return lowest_bar(lambda t: whole_alarms | (clause_alarm >= t), routine, ~routine, 0.75, max_false_alarm,
                      "clause bar: routine messages alarmed, urgent messages alarmed (learned part alone, out of fold)")


def lowest_bar(hits_at, routine: np.ndarray, urgent: np.ndarray, least: float, max_false_alarm: float, heading: str) -> float:
    """The lowest bar from ``least`` (0.99 at most) whose alarms ``hits_at(bar)`` reach at most ``max_false_alarm`` of
    the ``routine`` messages, out of fold; the curve is printed under ``heading`` at a few bars."""
    print(heading)
    chosen = 0.99
    for t in np.round(np.arange(least, 0.995, 0.01), 2):
        hit = hits_at(t)
        if t in (0.75, 0.85, 0.9, 0.95, 0.97, 0.99):
            print(f"  {t:.2f}: {hit[routine].mean():.3f}, {hit[urgent].mean():.3f}")
        if hit[routine].mean() <= max_false_alarm and chosen == 0.99:
            chosen = float(t)
    return chosen


def choose_crisis_threshold(crisis: np.ndarray, labels: list[set[str]], target_recall: float, max_false_alarm: float) -> float:
    """The highest threshold whose out-of-fold recall of self-harm messages reaches ``target_recall``,
    but not so low that more than ``max_false_alarm`` of the routine messages would get the crisis line."""
    harm = np.array(["self_harm" in y for y in labels])
    routine = np.array([not y for y in labels])
    floor = 0.05
    for t in np.round(np.arange(0.05, 0.99, 0.01), 2):
        if (crisis[routine] >= t).mean() <= max_false_alarm:
            floor = float(t)
            break
    for t in np.round(np.arange(0.95, floor - 0.001, -0.01), 2):
        if (crisis[harm] >= t).mean() >= target_recall:
            return float(t)
    return floor


def choose_foreign_threshold(whole: np.ndarray, clause: np.ndarray, labels: list[set[str]], foreign: np.ndarray,
                             clause_threshold: float, least: float, max_false_alarm: float) -> float:
    """The lowest alarm bar (``least`` or more) for a message not in English at which, out of fold, at most
    ``max_false_alarm`` of the routine messages in the other languages alarm (whole or a clause): the model has
    read few messages in them, and their words alone lean towards an alarm."""
    routine = np.array([not y for y in labels])
    return lowest_bar(lambda t: (whole >= t) | (clause >= max(t, clause_threshold)), routine & foreign, ~routine & foreign,
                      least, max_false_alarm,
                      "foreign bar: routine and urgent messages in other languages alarmed (learned part alone, out of fold)")


def extra_routine_messages() -> list[str]:
    """Ordinary questions of ../shared/eval (MedQuAD's templated ones, real consumer ones): routine negatives."""
    texts = []
    for name in ("medquad-dev.jsonl", "consumer-dev.jsonl"):
        path = SHARED / "eval" / name
        if path.is_file():
            texts += [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=64.0, help="inverse regularisation of the logistic regressions (64: chosen by the train part's cross-validation, 2026-12-07; 16, 64 and 256 measured)")
    parser.add_argument("--max-false-alarm", type=float, default=0.02,
                        help="out-of-fold false-alarm rate of the learned part alone on routine messages")
    parser.add_argument("--flag-floor", type=float, default=0.4)
    parser.add_argument("--crisis-recall", type=float, default=0.95,
                        help="out-of-fold recall of self-harm messages the crisis head's threshold aims for")
    parser.add_argument("--crisis-false-alarm", type=float, default=0.03,
                        help="most routine messages the crisis head alone may flag, out of fold")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()

    records = load("train")
    extra = extra_routine_messages()
    texts = [model_input(r["text"], r["history"]) for r in records] + [model_input(t) for t in extra]
    labels = [set(r["flags"]) for r in records] + [set() for _ in extra]
    fold = folds_of(records, args.folds) + [i % args.folds for i in range(len(extra))]
    alarm = np.zeros(len(texts))
    clause_alarm = np.zeros(len(texts))
    crisis = np.zeros(len(texts))
    models = []
    for k in range(args.folds):
        train = [i for i in range(len(texts)) if fold[i] != k]
        model = fit([texts[i] for i in train], [labels[i] for i in train], NAMES, c=args.c)
        held = [i for i in range(len(texts)) if fold[i] == k]
        held_x = features([texts[i] for i in held])
        alarm[held], crisis[held] = model.alarm(held_x), model.crisis(held_x)
        # at run time each clause long enough to stand alone is read too: its most alarming clause
        units = [model_units(texts[i].split(" . "))[:-1] for i in held]
        scores = model.alarm(features([u for us in units for u in us] or [""]))
        ends = np.cumsum([len(us) for us in units])
        clause_alarm[held] = [scores[end - len(us):end].max() if us else 0.0 for us, end in zip(units, ends)]
        models.append(model)
    threshold = choose_alarm_threshold(alarm, labels, args.max_false_alarm)
    clause_threshold = choose_clause_threshold(alarm >= threshold, clause_alarm, labels, 2 * args.max_false_alarm)
    written = slice(0, len(records))  # the bound on crisis alarms holds for the hard negatives written for it
    crisis_threshold = choose_crisis_threshold(crisis[written], labels[written], args.crisis_recall, args.crisis_false_alarm)
    foreign = np.array([r["lang"] != "en" for r in records] + [False] * len(extra))
    foreign_threshold = choose_foreign_threshold(alarm, clause_alarm, labels, foreign, clause_threshold, FOREIGN_ALARM_THRESHOLD,
                                                 2 * args.max_false_alarm)
    predictions = []
    for k, model in enumerate(models):
        tuned = dataclasses.replace(model.with_thresholds(threshold, args.flag_floor, crisis_threshold, clause_threshold),
                                    foreign_threshold=foreign_threshold)
        for i in range(len(records)):
            if fold[i] == k:
                predictions.append((i, assess(records[i]["text"], records[i]["history"], model=tuned)))
    predictions.sort(key=lambda pair: pair[0])
    print(f"train part: {len(records)} messages (+{len(extra)} ordinary questions from ../shared/eval as routine), "
          f"{args.folds}-fold cross-validation (C={args.c}); alarm threshold {threshold} chosen on the out-of-fold "
          f"probabilities (learned part's false alarms <= {args.max_false_alarm}), clause threshold {clause_threshold} "
          f"(with the clauses read alone <= {2 * args.max_false_alarm}), crisis threshold {crisis_threshold} "
          f"(self-harm recall >= {args.crisis_recall} where routine crisis alarms stay <= {args.crisis_false_alarm}); "
          f"foreign threshold {foreign_threshold} (routine messages in other languages alarmed <= {2 * args.max_false_alarm}); "
          "whole triage out of fold:")
    print(table(score(records, [t for _, t in predictions])))

    if not args.no_save:
        final = fit(texts, labels, NAMES, c=args.c).with_thresholds(threshold, args.flag_floor, crisis_threshold, clause_threshold)
        final = dataclasses.replace(final, foreign_threshold=foreign_threshold, meta={**final.meta, "folds": args.folds, "extra_routine": len(extra),
                                                 "data": "benchmarks/data/triage/train/*.jsonl"})
        final.save(MODEL_PATH)
        print(f"saved {MODEL_PATH.relative_to(MODEL_PATH.parents[2])} ({MODEL_PATH.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
