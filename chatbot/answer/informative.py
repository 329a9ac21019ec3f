"""Whether a sentence of an article informs, or is one never to quote as evidence.

Health web pages mix their content with sentences that teach nothing about health:

- **anecdote**: first-person experience and testimonials ("Personally, I felt better within
  three days ...", "My husband had the same problem ...");
- **promotion**: advertising and calls to action ("Book your visit with our specialists today.",
  "For those seeking a natural cure, there are resources available.");
- **question**: the question restated, a rhetorical question, or an announcement of what the
  page will discuss ("The primary question posed is, 'Can back pain cause shaky hands?'",
  "In this article we look at ...");
- **furniture**: page boilerplate and contact details ("Share this article", "Last updated: 12 March 2021",
  "This article is for informational purposes only ...").

Two steps.  Rules first, precise and for any wording: the first person singular outside
quotation marks, a call to action or the site speaking of itself ("our clinic", "contact us"),
a question mark or a sentence about the question or the article, and boilerplate phrases.
Quoted speech is removed first, so a sentence quoting a patient ("'I can't sleep' is a common
complaint") is not an anecdote.  Then, for what the rules pass, a small learned model
(logistic regression over word uni- and bigrams, ``data/sentence_model.json``, fitted by
``benchmarks/fit_sentences.py`` on labelled sentences and on real article sentences) catches
the rest, mostly promotion in other words ("Join over 10,000 happy customers ..."); what it
catches is kind "uninformative".  Measured on sentences written for this by someone who had
not seen the rules, never fitted on: ``benchmarks/bench_sentences.py``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Sequence

from chatbot.ngrams import NgramModel, load_shipped

KINDS = ("informative", "anecdote", "promotion", "question", "furniture", "uninformative")
MODEL_PATH = Path(__file__).parent / "data" / "sentence_model.json"
NOT_INFORMATIVE = "not_informative"  # the model's positive class (the other is "informative")

_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{1,300})[\"“”«»]|(?<!\w)['‘](.{2,300}?)['’](?!\w)")
# "I" is the writer when it comes after a pause or a joining word, or before a verb; otherwise it
# is a numeral ("type I diabetes", "synthetase I deficiency", "types I through IV").
_I_BEFORE = r"(?:^|[,;:(\"“'‘]\s*|\b(?:and|but|or|when|after|before|that|so|then|because|until|if|as|since|while|where|what|how|why|which|until|once|now|also|even|finally|personally)\s+)"
_I_AFTER = (r"\s+(?:am|was|were|have|had|do|did|don'?t|didn'?t|can|could|can'?t|will|would|wouldn'?t|should|must|might|may|"
            r"think|thought|feel|felt|know|knew|found|tried|started|began|noticed|decided|went|got|get|saw|see|used|"
            r"need|needed|want|wanted|hope|believe|love|hate|still|just|never|always|also|really|finally|then|first|"
            r"\w+ed)\b")
_NUMBERED = "".join(f"(?<!{w} )" for w in ("type", "stage", "grade", "class", "phase", "part", "form", "factor", "group",
                                            "level", "tier", "schedule", "chapter", "zone", "size"))
_FIRST_PERSON = re.compile(rf"{_I_BEFORE}I\b(?!\.)|{_NUMBERED}\bI{_I_AFTER}|\bI['’](?:m|ve|d|ll)\b"
                           r"|(?<![-\w])(?:me|myself|my|mine)(?![-\w])"
                           r"|\b(?:we|our|us)\b[^.]{0,40}\b(?:tried|went|found|felt|noticed|decided|started|were told)\b", re.I)
_SITE = re.compile(r"\b(our|us)\b\s*(?:\w+\s+){0,3}?(clinic|cent(?:er|re)s?|team|specialists?|doctors|experts|staff|"
                   r"services?|products?|programs?|programmes?|website|site|blog|newsletter|store|shop|app|courses?|"
                   r"offices?|practice|hospital|patients|guide|book|network)\b|\bcontact us\b|\bwith us\b|\bwe offer\b|"
                   r"\bwe (can|will) help\b|\bwe provide\b|\bwe specialise\b|\bwe specialize\b", re.I)
_CALL_TO_ACTION = re.compile(r"^\W*(call|book|contact|visit|subscribe|sign up|order|buy|join|download|click|schedule|"
                             r"register|get|grab|claim|discover|learn more|find out more|don['’]?t (wait|miss|hesitate))\b"
                             r"[^.]*\b(now|today|free|here|our|us|online|discount|offer|appointment|consultation|"
                             r"newsletter)\b", re.I)
_SALES = re.compile(r"\b(free (consultation|trial|shipping|guide|e-?book)|discount|special offer|limited time|"
                    r"money[- ]back|best prices?|order (now|today|online)|call (now|today)|act now|sign up|"
                    r"resources (are )?available|there are resources|natural cure|miracle|"
                    r"(number one|no\. ?1|leading|best) (clinic|cent(?:er|re)|provider|specialists?|choice) (in|for)|"
                    r"don['’]?t hesitate to|(visit|see) our|ask about our)\b", re.I)
_ABOUT_THE_QUESTION = re.compile(r"\b(the (primary |main |key |big |central )?question (posed |asked |here |we |is|remains|"
                                 r"then|many)|this (article|post|page|guide|blog)|in this (article|post|guide|section|blog)|"
                                 r"we will (look|discuss|explore|answer|examine|cover|explain|find out)|"
                                 r"(let['’]?s|let us) (find out|take a (closer )?look|explore|dive|look|see|discuss)|"
                                 r"read on|keep reading|you may (be )?wonder|you might (be )?wonder|wondering (if|whether|why)|"
                                 r"(below|here) (we|you['’]?ll)|the answer (is|may) (surprise|not be))\b", re.I)
_BOILERPLATE = re.compile(r"\b(share (this|on)|last (updated|reviewed|modified)|all rights reserved|copyright|©|"
                          r"related (articles|posts|content|reading)|table of contents|read (more|next|also)|click here|"
                          r"for (general )?informational purposes( only)?|not (intended as |meant as )?a substitute for|"
                          r"does not (constitute|provide) medical advice|advertisement|sponsored|"
                          r"print (this|page)|back to top|skip to (content|main)|cookies? (policy|settings)|privacy policy|terms of (use|service)|"
                          r"follow us|sources?:|references?:|written by|medically reviewed by)", re.I)
# Contact details (an e-mail address, a phone number): an address book, never evidence.
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\(?\b\d{3}\)?[ -]\d{3}-\d{4}\b|\b1-8\d\d-")


@functools.lru_cache(maxsize=50_000)
def sentence_kind(text: str) -> str:
    """One of ``KINDS``: what ``text`` (one sentence, or one line of an article) is."""
    kind = rule_kind(text)
    if kind == "informative" and (model := _shipped_model()) is not None \
            and model.probabilities(text)[NOT_INFORMATIVE] >= model.threshold:
        return "uninformative"
    return kind


def rule_kind(text: str) -> str:
    """What the rules alone make of ``text``: one of ``KINDS`` but "uninformative"."""
    plain = " ".join(text.split())
    if _BOILERPLATE.search(plain) or _CONTACT.search(plain):
        return "furniture"
    unquoted = _QUOTED.sub(" ", plain)
    if unquoted.rstrip(" )]\"'’”").endswith("?") or _ABOUT_THE_QUESTION.search(plain):
        return "question"
    if _CALL_TO_ACTION.search(unquoted) or _SITE.search(unquoted) or _SALES.search(unquoted):
        return "promotion"
    if _first_person(unquoted):
        return "anecdote"
    return "informative"


# How a testimonial goes on after its first-person sentences: "Even after four months, there is no sign of
# the pain." says nothing in the first person, and is still the same story.
_GOES_ON = re.compile(
    r"^(even (after|now|months|weeks|years|a year)\b|ever since|since then|since that|after that|to this day|"
    r"after (a|an|one|two|three|four|five|six|a few|several|\d+) (days?|weeks?|months?|years?)|"
    r"the (results?|difference|change|improvement|relief) (was|were|is|has been|came|speaks?)\b)",
    re.I,
)


# a sentence about people in general, or advice ("can cause", "should", "call 999"), informs whatever it follows
_GENERAL = re.compile(r"\b(people|patients|most|many|anyone|everyone|you|your|adults|children|doctors?|studies|research|"
                      r"can|could|may|might|should|must|call|always|never|usually|often)\b", re.I)


def kinds_in_order(sentences: Sequence[str], new_paragraph: Sequence[bool]) -> list[str]:
    """``sentence_kind`` of each of a passage's sentences, in order, where a sentence that goes on with the
    anecdote before it in the same paragraph (``new_paragraph[i]``: a line break before sentence ``i``)
    is that anecdote too."""
    kinds = [sentence_kind(text) for text in sentences]
    for i in range(1, len(kinds)):
        if kinds[i] == "informative" and kinds[i - 1] == "anecdote" and not new_paragraph[i] \
                and _GOES_ON.match(sentences[i].strip()) and not _GENERAL.search(sentences[i]):
            kinds[i] = "anecdote"
    return kinds


def informing_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[bool]:
    """Whether each sentence of ``text`` (its ``spans``, in order) may be quoted as evidence."""
    breaks = [j > 0 and "\n" in text[spans[j - 1][1] : start] for j, (start, _) in enumerate(spans)]
    return [kind == "informative" for kind in kinds_in_order([text[a:b] for a, b in spans], breaks)]


# Every branch of _FIRST_PERSON needs one of these words: a quick test first (most sentences have none).
_FIRST_PERSON_WORDS = re.compile(r"\b(i|me|myself|my|mine|we|our|us)\b", re.I)


def _first_person(text: str) -> bool:
    """The writer speaking of themself: I, me, my, mine, or "we" telling a story."""
    return bool(_FIRST_PERSON_WORDS.search(text)) and bool(_FIRST_PERSON.search(text))


@functools.lru_cache(maxsize=1)
def _shipped_model() -> NgramModel | None:
    return load_shipped(MODEL_PATH, "which sentences inform", "benchmarks/fit_sentences.py")
