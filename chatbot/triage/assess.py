"""Triage of a message in its conversation: the level, the red flags, the language, the request.

    assess("my back hurts and I suddenly can't control my bladder").level   # "emergency"

How a message is read (details and measured figures: docs/safety.md):
1. normalised (``context.normalise``) and split into clauses with ConText-style modifiers;
   clauses that speak of the past, a hypothetical, family history, warning signs in general or
   an episode that is over are set aside, and negated words are taken out of the rest;
2. what remains goes to the precise English patterns of ``redflags`` and to the patterns in
   five other languages (``languages``); the learned detector (``triage_model``, n-gram logistic
   regression fitted on labelled messages) reads the whole message with negated words and
   set-aside clauses marked (``neg_``, ``ctx_``) instead of taken out; a flag raised by any of
   them counts;
3. the conversation: the user's earlier turns are read the same way, alone and with the turn
   before them (so "and now both legs are numb too" is read with "my back has hurt for a
   week"), and an emergency raised earlier stays until a later turn says it is over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from chatbot.triage.context import (clauses, has_unmarked_word, mark_aside, mark_negated, normalise,
                                    says_it_is_over, strip_idioms, strip_negated, takes_back, unmarked)
from chatbot.triage.languages import detect_language, foreign_flags
from chatbot.history import previous_user_messages
from chatbot.triage.redflags import FLAGS, level_of
from chatbot.triage.model import load_model
from chatbot.triage.risk_history import history_flags

# An English pattern raises its flag only where the learned detector gives the message (its most alarming unit) at
# least this alarm probability: a pattern's words in a message it reads as plainly ordinary are nearly always an
# idiom, a warning-sign question or a story that is over.  Out of fold on two fifths of the train part, 0.05 kept all
# 62 urgent messages only patterns caught and dropped 54 of the 155 routine ones only they alarmed (0.1 dropped 65
# but lost one urgent message, and "my dad stopped breathing" read at 0.07).
PATTERN_NEEDS_ALARM = 0.05
FOREIGN_ALARM_THRESHOLD = 0.85  # the learned alarm's least bar for a message not in English (the model's own is chosen in its fit)
MIN_CLAUSE_WORDS = 4  # shorter clauses ("since yesterday") are read only as part of the whole message
HISTORY_TURNS = 10  # earlier user turns read for red flags
MAX_TRIAGE_CHARS = 50_000  # read in full up to this (longer than any request field the API accepts)
LANGUAGE_SAMPLE_CHARS = 2_000  # the language of a message is told from its start

_WORD = re.compile(r"[^\W\d_]{3,}")
_DIAGNOSIS = re.compile(
    r"\b(do|did|could|might|may|can) (i|he|she|my \w+) (have|has|be having)\b|\bhave i (got|developed)\b|\bam i (getting|developing)\b|"
    r"\bdoes (this|that|it) (mean|sound like) (i|he|she) (have|has|am|is)\b|\bso (it's|its|it is|i have|i've got|that's)\b.*\b(right|correct|isn't it|yes)\b|"
    r"\bdiagnose (me|my|him|her|this)\b|\bwhat (do|have) i (have|got)\b|\b(is|could) (this|it) (be )?(parkinson'?s|ms|cancer|als|a tumou?r|myelopathy)\b"
)
_DOSE = re.compile(
    r"\bhow (much|many)\b(\s+[\w'-]+){0,4}\s+(can|should|do|may|could|must) (i|you|he|she|we|they|my \w+) (take|give|have|use)\b|"
    r"\b(max(imum)?|safe|right|correct|usual) (dose|dosage|amount)\b|\bhow often can (i|you) (take|give)\b|"
    r"\bwhat (dose|dosage)\b|\b(dose|dosage) (of|for)\b|\bhow many (mg|milligrams?|tablets|pills|capsules)\b"
)


@dataclass(frozen=True)
class Triage:
    """``level``: emergency | crisis | same_day | routine; ``flags``: the red flags recognised."""

    level: str = "routine"
    flags: tuple[str, ...] = ()
    language: str = "en"
    about_warning_signs: bool = False  # a question about red flags in general
    request: str = ""                  # "diagnosis" or "dose" when the message asks for one
    carried_over: bool = False         # raised in an earlier turn that no later turn says is over

    @property
    def urgent(self) -> bool:
        return self.level in ("emergency", "crisis")


def _english_flags(text: str) -> set[str]:
    return {flag.name for flag in FLAGS if any(p.search(text) for p in flag.patterns)}


def _kept(text: str, *, marked: bool = False) -> tuple[list[str], list]:
    """The asserted clauses of ``text`` with negated words taken out, as the patterns read them, or with
    ``marked`` every clause as the learned detector reads it (negated words marked ``neg_``, the clauses
    set aside marked ``ctx_``); and all its clauses."""
    parts = _clauses(text[:MAX_TRIAGE_CHARS])
    if marked:
        kept = [mark_negated(c.text) if c.asserted else mark_aside(c.text) for c in parts]
    else:
        kept = [strip_negated(c.text) for c in parts if c.asserted]
    return [k for k in kept if k], parts


def _says_something(kept: Sequence[str]) -> bool:
    """Whether clauses as the learned detector reads them hold a word that is not marked."""
    return any(has_unmarked_word(k) for k in kept)


@lru_cache(maxsize=64)
def _clauses(text: str) -> tuple:
    """The clauses of ``text``, normalised, idioms out (cached: a message and its turns are read several ways)."""
    return tuple(clauses(strip_idioms(normalise(text))))


def _asserted(parts) -> list[str]:
    return [c.text for c in parts if c.asserted]


def model_input(message: str, history: Sequence | None = None) -> str:
    """The text the learned detector reads for a message with its turn before: what it is fitted on."""
    kept, parts = _kept(message, marked=True)
    if not _says_something(kept):
        kept = []  # a reply of negated or set-aside words alone says nothing: the turn before is read, as at run time
    earlier = previous_user_messages(history)
    if earlier and not says_it_is_over(parts):
        before, before_parts = _kept(earlier[-1], marked=True)
        if not says_it_is_over(before_parts):  # read as at run time: a pair that says it is over is not read
            kept = before + kept
    return " . ".join(kept) if _says_something(kept) else ""


def model_units(kept: Sequence[str]) -> list[str]:
    """What the learned detector reads of a message's asserted clauses: each clause long enough to
    stand alone, then the whole (last).  The alarm threshold is chosen on the most alarming of these
    (benchmarks/fit_triage.py), so that its bound on false alarms holds for messages of many clauses."""
    # markup, stray letters or marked words alone say nothing to the model
    if not _says_something(kept):
        return []
    kept = [k for k in kept if _WORD.search(k)]
    alone = [k for k in kept if len(unmarked(k).split()) >= MIN_CLAUSE_WORDS]  # a clause set aside is never read alone
    return (alone + [" . ".join(kept)]) if len(kept) > 1 else list(kept)


def _read(text: str, model=None) -> tuple[set[str], bool, bool]:
    """(flags, says it is over, asks about warning signs) of one text."""
    kept, parts = _kept(text)
    over = says_it_is_over(parts)
    matched: set[str] = set()
    for clause in kept:
        matched |= _english_flags(clause)
    found: set[str] = set()
    for clause in _asserted(parts):  # the patterns in other languages check their own negation cues
        found |= foreign_flags(clause)
    found |= history_flags(parts)  # a cancer history or a weak immune system with back pain now
    if not over:  # a message saying an episode is over uses its words: only patterns read it
        model = model or load_model()
        if detect_language(text[:LANGUAGE_SAMPLE_CHARS]) != "en":  # fitted on few messages in other languages: a higher bar there
            bar = max(model.alarm_threshold, model.foreign_threshold or 0.0, FOREIGN_ALARM_THRESHOLD)
            model = model.with_thresholds(bar, model.flag_floor, max(model.crisis_threshold, FOREIGN_ALARM_THRESHOLD))
        reading = model.read(model_units(_kept(text, marked=True)[0]), whole=-1)
        for detected in reading.flags:
            found |= detected
        if reading.alarm < PATTERN_NEEDS_ALARM:  # the whole reads as plainly ordinary: an English pattern alone is not enough
            matched = {"self_harm"} & matched if reading.crisis >= PATTERN_NEEDS_ALARM else set()
    warning = any("warning_signs" in c.modifiers for c in parts)
    return found | matched, over, warning


def assess(message: str, history: Sequence | None = None, *, model=None) -> Triage:
    """Triage ``message`` with the user's earlier turns in ``history`` (``model``: the shipped one unless given)."""
    earlier = previous_user_messages(history)[-HISTORY_TURNS:]
    carried: set[str] = set()
    before = ""
    for turn in earlier:
        flags, over, _ = _read(turn, model)
        if over:
            carried = set()
        carried |= flags
        if before and not over:
            carried |= _read(f"{before}. {turn}", model)[0]
        before = turn
    text = normalise(message[:MAX_TRIAGE_CHARS])
    flags, over, warning = _read(message, model)
    if over or takes_back(text):
        carried = set()
    elif before and _says_something(_kept(message, marked=True)[0]):
        # read with the turn before, unless the reply is only negated or set-aside words ("not really", "no"):
        # it adds nothing to that turn, which has been read already
        flags |= _read(f"{before}. {message}", model)[0]
    carried -= flags
    all_flags = flags | carried
    ordered = tuple(f.name for f in FLAGS if f.name in all_flags)
    request = "diagnosis" if _DIAGNOSIS.search(text) else "dose" if _DOSE.search(text) else ""
    return Triage(level_of(ordered), ordered, detect_language(message[:LANGUAGE_SAMPLE_CHARS]), warning and not flags, request, bool(carried))
