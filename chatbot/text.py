"""Words as every layer sees them: tokens, stems, stopwords and list markers, defined once.

Both the index (BM25 tokens, written into the index folder) and question understanding use
these functions, so a change here changes what an existing index holds: bump
``TOKENIZER_VERSION`` whenever ``words``, ``stem`` or ``STOPWORDS`` change what they return.
The manifest records it, and ``build`` starts over when it differs.
"""

from __future__ import annotations

import functools
import re

TOKENIZER_VERSION = 1

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# A list item's marker at the start of a line: "- ", "* ", "• ", "1. ", "2) ".
LIST_MARKER = re.compile(r"\s*([-*•·‣◦]|\d{1,2}[.)])\s+")
# A line of fewer words than this, after a list marker, is a list item rather than a paragraph.
LIST_ITEM_MAX_WORDS = 8

STOPWORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before being below between
both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from
further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor not
of off on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's should
shouldn't so some such than that that's the their theirs them themselves then there there's these they they'd
they'll they're they've this those through to too under until up very was wasn't we we'd we'll we're we've were
weren't what what's when when's where where's which while who who's whom why why's with won't would wouldn't you
you'd you'll you're you've your yours yourself yourselves im ive dont doesnt cant whats hows isnt thats u ur pls
please anyone someone get gets got getting really just also even lot lots much many like thing things way ways
know tell say said go goes going make makes made kind sort type types also still ever always usually normally
actually honestly maybe probably mom dad mum mother father wife husband son daughter grandpa grandma friend
year years old month months week weeks day days time times lately recently since ago now today
""".split())

_STEM_SUFFIXES = ("ations", "ation", "ings", "ing", "ness", "ies", "ied", "ions", "ion", "ers", "er", "es", "ed", "s", "ly")
_CACHED_TEXT_CHARS = 2_000  # longer texts are rare one-offs: not worth a cache entry


def words(text: str) -> list[str]:
    """Lower-case word tokens, possessive 's dropped."""
    return [w[:-2] if w.endswith("'s") else w for w in WORD.findall(text.lower().replace("’", "'"))]


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude suffix stripper, enough to match tremor/tremors, compressed/compression."""
    for suffix in _STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> list[str]:
    """The words of ``text`` that say what it is about: no stopwords, single letters or numbers."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1 and not w.isdigit()]


def terms_of(text: str) -> frozenset[str]:
    """The stems of the content words of ``text``: what word overlap is measured on."""
    return _terms_of(text) if len(text) <= _CACHED_TEXT_CHARS else frozenset(stem(w) for w in content_words(text))


@functools.lru_cache(maxsize=50_000)
def _terms_of(text: str) -> frozenset[str]:
    # Cached: the same sentences and headings come back for question after question.
    return frozenset(stem(w) for w in content_words(text))


def lexical_tokens(text: str, empty: str = "__empty__") -> list[str]:
    """Stemmed, lower-cased content words (numbers kept): what BM25 matches on; ``[empty]`` if none."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1] or [empty]


def name_terms(text: str) -> frozenset[str]:
    """Stems of the words of a title or heading, numbers kept ("type 2" is not "type 1")."""
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS)


def is_list_item(line: str) -> bool:
    """Whether a line (marker removed) is short enough to be an item of a list."""
    return len(line.split()) < LIST_ITEM_MAX_WORDS


_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def sentence_count(text: str) -> int:
    """How many sentences ``text`` holds (at least one): its sentence ends followed by a space or the end."""
    return max(1, len(_SENTENCE_END.findall(text)))


def jaccard(a: set | frozenset, b: set | frozenset) -> float:
    """Shared share of two sets (0 when either is empty)."""
    return len(a & b) / len(a | b) if a and b else 0.0


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
_ASKING = re.compile(r"^\W*(what|whats|how|why|when|where|which|who|whom|can|could|does|do|did|is|are|was|should|"
                     r"will|would|may|might|any|anything)\b", re.I)


# Where one sentence asks a second question: "..., and what's a vertebrologist?"
_SECOND_QUESTION = re.compile(r"[,;]?\s+(?:and|also|plus|but)\s+(?=(?:what|whats|what's|how|why|where|who|which|when|"
                              r"is|are|can|could|does|do|should|will)\b)", re.I)


def _asking_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that ask something: they end in "?" or open like a question."""
    return [s for s in _SENTENCE_BREAK.split(text.strip()) if s and (s.rstrip().endswith("?") or _ASKING.match(s))]


def asking_parts(text: str) -> list[str]:
    """Each question ``text`` asks: its asking sentences, split again where a sentence goes on to a second one."""
    return [part.strip(" ,;") for s in _asking_sentences(text) for part in _SECOND_QUESTION.split(s) if part.strip(" ,;?")]


def asked_part(text: str) -> str:
    """The sentences of ``text`` that ask something; all of it if none does."""
    return " ".join(_asking_sentences(text)) or text
