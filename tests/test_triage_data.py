"""The labelled triage messages (benchmarks/data/triage/): well-formed, and the test part unseen by the train part."""

from __future__ import annotations

import sys

import pytest

from chatbot.triage.redflags import FLAGS, level_of
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))  # triage_data imports the benchmarks' common module
import triage_data as data  # noqa: E402

ROUTINE_CATEGORIES = {"negated", "remote_past", "family_history", "hypothetical", "idiom", "warning_signs_question",
                      "in_scope", "general", "resolved", "diagnosis_request", "dose_request"}


@pytest.mark.parametrize("part", ["train", "test"])
def test_every_message_is_well_formed_and_its_level_follows_from_its_flags(part):
    records = data.load(part)
    names = {f.name for f in FLAGS}
    assert len({r["id"] for r in records}) == len(records), "ids repeat"
    for r in records:
        assert r["text"].strip() and isinstance(r["history"], list), r["id"]
        assert set(r["flags"]) <= names, r["id"]
        assert r["level"] == level_of(tuple(r["flags"])), r["id"]
        assert r["category"] in (r["flags"] or ROUTINE_CATEGORIES), r["id"]


def test_no_train_message_nearly_repeats_a_test_message():
    repeats = data.near_repeats(data.load("train"), data.load("test"))
    assert not repeats, [(r["id"], o["id"], overlap) for r, o, overlap in repeats[:10]]


def test_near_repeats_are_found_by_word_overlap():
    def message(text, history=()):
        return {"text": text, "history": list(history)}
    test = [message("how much ibuprofen can i take in a day?")]
    assert data.near_repeats([message("how much ibuprofen can i take")], test)  # 6 of 9 words
    assert not data.near_repeats([message("how much paracetamol is safe for a child")], test)
    assert data.near_repeats([message("in a day?", ["how much ibuprofen can i take"])], test)  # earlier turns count


def test_triage_figures_are_given_per_file_from_the_same_answers():
    from types import SimpleNamespace

    from chatbot.answer.safety import DOCTOR_NOTICE
    from chatbot.evaluation import evaluate_triage

    asked = []

    def ask(text, history=()):
        asked.append(text)
        urgent = "pee" in text
        return SimpleNamespace(triage="emergency" if urgent else "routine", red_flags=("cauda_equina",) if urgent else (),
                               markdown=DOCTOR_NOTICE, kind="urgent" if urgent else "answer", language="en")

    def record(text, level, flags, source):
        return {"text": text, "history": [], "level": level, "flags": flags, "category": flags[0] if flags else "general",
                "source": source}
    records = [record("back hurts, can't pee", "emergency", ["cauda_equina"], "a"),
               record("legs gone numb", "emergency", ["leg_weakness"], "b"), record("hello", "routine", [], "b")]
    figures = evaluate_triage(ask, records)
    assert len(asked) == 3  # each message asked once
    assert figures["per_source"]["a"]["urgent_recall"] == 1.0 and figures["per_source"]["b"]["urgent_recall"] == 0.0
    assert figures["per_source"]["b"]["false_alarm_rate"] == 0.0 and figures["urgent_recall"] == 0.5
