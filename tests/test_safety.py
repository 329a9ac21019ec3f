from __future__ import annotations

import pytest

from chatbot.safety import (
    CRISIS_NOTICE, MAX_QUESTION_CHARS, check_question, detect_red_flags, emergency_notice,
)


def flags(text: str) -> set[str]:
    return {f.name for f in detect_red_flags(text)}


@pytest.mark.parametrize(
    "message, expected",
    [
        ("there's a crushing pressure in my chest and it spreads to my jaw", "chest_pain"),
        ("my chest hurts really bad since an hour", "chest_pain"),
        ("dad's face is drooping on one side and his words come out slurred speech", "stroke"),
        ("suddenly my left arm went weak and numb", "stroke"),
        ("I can't catch my breath even sitting still", "breathing"),
        ("her lips are turning blue", "breathing"),
        ("I want to kill myself, the pain never stops", "self_harm"),
        ("sometimes I think everyone would be better off dead without me", "self_harm"),
        ("i dont want to live like this anymore", "self_harm"),
        ("my back pain is worse and I wet myself without noticing", "cauda_equina"),
        ("numbness between my legs and lower back pain", "cauda_equina"),
        ("he's having a seizure on the floor", "seizure"),
        ("my son banged his head on the pool edge and keeps vomiting", "head_injury"),
        ("I swallowed a whole bottle of sleeping pills", "overdose"),
        ("my daughter has a high fever and a stiff neck", "meningitis"),
        ("she fainted in the kitchen and won't wake up", "collapse"),
    ],
)
def test_red_flags_in_paraphrases(message, expected):
    assert expected in flags(message)


@pytest.mark.parametrize(
    "message",
    [
        "no chest pain, just a dull ache in my lower back",
        "I'm not suicidal, just tired of the tremor",
        "my dad had a stroke years ago and now his hands shake",
        "I had a seizure as a child; could that explain my tremor now?",
        "there is no numbness in my groin and no trouble with my bladder",
        "can back pain cause shaky hands?",
        "which doctor should I see for lower back tremors",
        "my lower back started quivering after I moved a couch",
        "what is the history of stroke research",
    ],
)
def test_no_red_flag_for_negations_past_events_and_ordinary_questions(message):
    assert flags(message) == set()


def test_flags_combine_sentences():
    assert "head_injury" in flags("Grandma fell and hit her head. Now she is confused.")


def test_emergency_notice_names_numbers_and_reason():
    notice = emergency_notice(detect_red_flags("crushing pain in my chest"))
    assert all(number in notice for number in ("112", "911", "999"))
    assert "chest pain" in notice


def test_self_harm_leads_with_a_crisis_line():
    notice = emergency_notice(detect_red_flags("I keep thinking about ending my life"))
    assert notice.startswith(CRISIS_NOTICE) and "988" in notice


@pytest.mark.parametrize(
    "question, fragment",
    [("", "type a question"), ("   \n\t", "type a question"), ("x" * (MAX_QUESTION_CHARS + 1), "characters long"),
     ("hello\x00world", "control characters"), ("bell\x07", "control characters"), (None, "as text"), (42, "as text")],
)
def test_unusable_questions_get_a_helpful_message(question, fragment):
    assert fragment in check_question(question)


@pytest.mark.parametrize("question", ["what is a tremor?", "tremor\nin my back", "¿temblor? 背中の震え 🙂", "<script>alert(1)</script>"])
def test_usable_questions_pass(question):
    assert check_question(question) is None
