"""The labelled triage messages (benchmarks/data/triage/): well-formed, and the test part unseen by the train part."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from chatbot.triage.redflags import FLAGS, level_of
from conftest import ROOT

ROUTINE_CATEGORIES = {"negated", "remote_past", "family_history", "hypothetical", "idiom", "warning_signs_question",
                      "in_scope", "general", "resolved", "diagnosis_request", "dose_request"}


def _triage_data():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("triage_data", ROOT / "benchmarks" / "triage_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


data = _triage_data()


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
