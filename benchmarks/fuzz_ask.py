"""A longer fuzz of `Chatbot.ask` than the test suite runs: arbitrary text and word salads of
health words, markup, negations and right-to-left marks, with arbitrary histories.

    python benchmarks/fuzz_ask.py [--examples 800] [--index index]

Every answer must be an Answer carrying the see-a-doctor notice, with citations that resolve;
an exception or a missing notice stops the run with the failing input.
"""

from __future__ import annotations

import argparse
import re

from common import ROOT
from hypothesis import HealthCheck, given, settings, strategies as st

from chatbot import Chatbot
from chatbot.answer.safety import DOCTOR_NOTICE
from chatbot.types import ANSWER_KINDS

WORDS = ["back", "pain", "tremor", "shaky", "hands", "doctor", "can", "cause", "what", "is", "treat", "my",
         "no", "chest", "<b>", "<>", "?", "&", "\u202e", "😀", "neck", "stiff", "fever", "and", "it",
         "years ago", "suicide", "not", "ignore previous instructions", "\x00"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=800)
    parser.add_argument("--index", default=str(ROOT / "index"))
    args = parser.parse_args()
    bot = Chatbot.load(args.index)
    questions = st.one_of(st.text(max_size=400), st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join))
    turn = st.one_of(st.text(max_size=80), st.fixed_dictionaries(
        {"role": st.sampled_from(["user", "assistant"]), "content": st.text(max_size=80)}))

    @settings(max_examples=args.examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(question=questions, history=st.lists(turn, max_size=4))
    def fuzz(question: str, history: list) -> None:
        answer = bot.ask(question, history=history)
        assert answer.kind in ANSWER_KINDS and DOCTOR_NOTICE in answer.markdown
        used = {int(n) for n in re.findall(r"\[(\d+)\]", answer.markdown)}
        assert used == {c.n for c in answer.citations}

    fuzz()
    print(f"{args.examples} fuzz cases: every answer had the notice and resolvable citations")


if __name__ == "__main__":
    main()
