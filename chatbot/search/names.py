"""The names of the corpus's articles, and finding them in a message: what it asks about (its foci).

An article is named by its title, by a title's leading part before a qualifier ("Nephrotic
Syndrome in Adults" -> "nephrotic syndrome"), by the brand names its "Brand names" section
lists, and by abbreviations: those the corpus defines ("osteogenesis imperfecta (OI)", found
with the algorithm of Schwartz and Hearst, "A simple algorithm for identifying abbreviation
definitions in biomedical text", PSB 2003) and the initials of a title of three or more words
("maple syrup urine disease" -> MSUD).  ``ArticleNames.find`` reads a message left to right and
takes the longest name at each word: "my son has maple syrup urine disease" names MSUD's
article, not "disease".  Abbreviations count only where they cannot be an ordinary word: written
in capitals, or unknown to the dictionary ("OI" and "oi" are osteogenesis imperfecta, "AS"
and "as" are nothing).

Everything here is built from the chunks at load; nothing is tuned to any question.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from chatbot.text import STOPWORDS
from chatbot.types import Chunk

MAX_NAME_WORDS = 8
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_POSSESSIVE = re.compile(r"['’]s\b", re.I)
_DEFINED = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{1,9})\)")
_QUALIFIER = re.compile(r"(?:\s+(?:in|during|after)\s+|\s+[-–—]\s+|\s*[:,(]\s*).*$", re.I)
_BRAND_LINE = re.compile(r"^\s*[-*•]\s*([^()\n]+?)[®™)\s]*$", re.M)
_ALSO_CALLED = re.compile(r"\b(?:also|sometimes|commonly|often) (?:called|known as|referred to as) (?:an? |the )?"
                          r"([A-Za-z][\w'’ -]{2,50}?)(?=\s*(?:[.,;:()]|\bor\b|\band\b|$))", re.I)
_INITIALS_SKIP = frozenset({"of", "and", "the", "in", "with", "to", "a", "an", "for", "on"})


@dataclass(frozen=True)
class Focus:
    """A name found in a message: the words as written, the articles it names, and where."""

    text: str
    articles: frozenset[str]
    start: int            # word position in the message
    abbreviation: str = ""  # the long form, when the message wrote an abbreviation


def name_key(text: str) -> tuple[str, ...]:
    """The words of a name as compared: lower case, possessives, hyphens and plurals dropped."""
    return tuple(singular(w.lower()) for w in _TOKEN.findall(_POSSESSIVE.sub("", text)))


def singular(word: str) -> str:
    """"diseases" -> "disease", "allergies" -> "allergy"; "diabetes" and "disease" stay as they are written
    everywhere, so they still match themselves."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class ArticleNames:
    """Every name of every article of an index, for finding them in messages."""

    def __init__(self, chunks: Sequence[Chunk], dictionary: Iterable[str] = ()) -> None:
        self._dictionary = frozenset(w.lower() for w in dictionary)
        self.titles: dict[str, str] = {}
        self._names: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self._abbreviations: dict[str, tuple[str, set[str]]] = {}
        long_forms: dict[str, Counter[str]] = defaultdict(Counter)
        for chunk in chunks:
            if chunk.article_id not in self.titles:
                self.titles[chunk.article_id] = chunk.title
                self._add_title(chunk.title, chunk.article_id)
            if chunk.section.strip().lower() == "brand names":
                for brand in _BRAND_LINE.findall(chunk.text):
                    self._add(brand, chunk.article_id)
            if chunk.start == 0 or chunk.start == chunk.section_start:
                for name in other_names(chunk.title, chunk.text):
                    self._add(name, chunk.article_id)
            for abbreviation, long_form in defined_abbreviations(chunk.text):
                long_forms[abbreviation.lower()][long_form.lower()] += 1
        for title in self.titles.values():
            initials = title_initials(title)
            if initials:
                long_forms[initials.lower()][title.lower()] += 1
        for abbreviation, forms in long_forms.items():
            long_form = forms.most_common(1)[0][0]
            self._abbreviations[abbreviation] = (long_form, self._names.get(name_key(long_form), set()))

    def _add_title(self, title: str, article_id: str) -> None:
        self._add(title, article_id)
        shorter = _QUALIFIER.sub("", title)
        if shorter != title and name_key(shorter):
            self._add(shorter, article_id)

    def _add(self, name: str, article_id: str) -> None:
        key = name_key(name)
        if key and len(key) <= MAX_NAME_WORDS and not all(w in STOPWORDS for w in key):
            self._names[key].add(article_id)

    def expansion(self, word: str) -> str:
        """The long form of an abbreviation as the message wrote it, or "" (an ordinary word, or unknown)."""
        if not self._may_abbreviate(word):
            return ""
        return self._abbreviations.get(word.lower(), ("", set()))[0]

    def find(self, text: str) -> list[Focus]:
        """The names of articles in ``text``, left to right, the longest at each word."""
        tokens = _TOKEN.findall(_POSSESSIVE.sub("", text))
        keys = [singular(t.lower()) for t in tokens]
        found: list[Focus] = []
        i = 0
        while i < len(tokens):
            for n in range(min(MAX_NAME_WORDS, len(tokens) - i), 0, -1):
                articles = self._names.get(tuple(keys[i : i + n]))
                if articles:  # never a stopword alone: _add keeps none
                    found.append(Focus(" ".join(tokens[i : i + n]), frozenset(articles), i))
                    i += n
                    break
            else:
                long_form = self.expansion(tokens[i])
                if long_form:
                    named = self._abbreviations[tokens[i].lower()][1]
                    found.append(Focus(tokens[i], frozenset(named), i, long_form))
                i += 1
        return found

    def _may_abbreviate(self, word: str) -> bool:
        if word.lower() not in self._abbreviations or len(word) < 2:
            return False
        capitals = sum(c.isupper() for c in word)
        return capitals >= 2 or (word.lower() not in self._dictionary and word.lower() not in STOPWORDS)


def defined_abbreviations(text: str) -> list[tuple[str, str]]:
    """("OI", "osteogenesis imperfecta") for each "long form (ABBR)" in ``text`` whose letters fit."""
    pairs = []
    for match in _DEFINED.finditer(text):
        abbreviation = match.group(1)
        if sum(c.isupper() for c in abbreviation) < 2 and not abbreviation.isupper():
            continue
        before = text[max(0, match.start() - 120) : match.start()].split()
        window = before[-min(len(abbreviation) + 5, 2 * len(abbreviation)) :]
        long_form = _long_form(abbreviation, " ".join(window))
        if long_form:
            pairs.append((abbreviation, long_form))
    return pairs


def _long_form(abbreviation: str, candidate: str) -> str:
    """The shortest end of ``candidate`` that the letters of ``abbreviation`` spell, in order (Schwartz-Hearst)."""
    letters = [c.lower() for c in abbreviation if c.isalnum()]
    text = candidate.lower()
    j = len(text) - 1
    for k in range(len(letters) - 1, -1, -1):
        while j >= 0 and (text[j] != letters[k] or (k == 0 and j > 0 and text[j - 1].isalnum())):
            j -= 1
        if j < 0:
            return ""
        j -= 1
    start = text.rfind(" ", 0, j + 1) + 1
    long_form = candidate[start:].strip(" ,;:")
    if len(long_form.split()) < 1 or len(long_form) <= len(abbreviation):
        return ""
    return long_form


def other_names(title: str, text: str) -> list[str]:
    """The names a text gives its title: "Halitosis, commonly called bad breath" in "Halitosis" -> ["bad breath"].
    Only in a sentence that names the title before "also called", so the name is the title's, not another thing's."""
    title_words = set(name_key(title))
    found = []
    for match in _ALSO_CALLED.finditer(text):
        sentence_start = max(text.rfind(". ", 0, match.start()) + 1, 0)
        if title_words and title_words <= set(name_key(text[sentence_start : match.start()])):
            found.append(match.group(1).strip())
    return found


def title_initials(title: str) -> str:
    """MSUD for "Maple syrup urine disease", TSD for "Tay-Sachs disease": three or more words, else ""."""
    parts = [w for w in _TOKEN.findall(_POSSESSIVE.sub("", title)) if w.lower() not in _INITIALS_SKIP]
    if len(parts) < 3 or any(w.isdigit() for w in parts):
        return ""
    return "".join(w[0] for w in parts).upper()
