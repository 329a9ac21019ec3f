"""Choose the sentences of the retrieved passages that answer a question.

Candidates are the sentences of the top hits, with offsets into their articles; their
spans and vectors were computed when the index was built, so nothing is embedded here.
Each is scored by embedding similarity to the question plus overlap with its (clinical)
terms and a bonus for matching the kind of question; near-duplicates are dropped and neighbouring
sentences of one passage are merged, so every selected ``Passage`` is one contiguous,
verbatim span of an article.  Lists the article gives for this kind of question (the
doctors to contact, the types of tremor, ...) are kept whole.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from chatbot.answer.informative import informing_spans
from chatbot.answer.lead import judged
from chatbot.search.query import INTENT_CUES, INTENT_WORDS, Question
from chatbot.search.synonyms import SYNONYMS, expand_synonyms
from chatbot.settings import SelectionSettings
from chatbot.text import LIST_MARKER, content_words, is_list_item, jaccard, sentence_count, stem, terms_of
from chatbot.types import Hit

_CUE_PATTERNS = {intent: re.compile(pattern, re.I) for intent, pattern in INTENT_CUES.items()}
LIST_INTENTS = {"doctor", "types", "causes", "symptoms", "diagnosis", "treatment", "complications", "prevention", "risk"}


@dataclass(frozen=True)
class Passage:
    """A verbatim span of an article chosen for the answer."""

    article_id: str
    title: str
    url: str
    section: str
    text: str
    start: int
    end: int
    score: float
    items: tuple[str, ...] = ()   # for a list: its items (text of each line, marker removed)
    lead: str = ""                # for a list: the sentence that introduces it, if any
    links: bool = False           # for "can X cause Y": mentions both X and Y
    chunk_start: int = 0          # the retrieved chunk it was taken from, to merge neighbours exactly
    answers_heading: bool = False  # the first sentence after the question its section opens with ("How is X treated?")
    opens_section: bool = False    # the first sentence of its section's body (after a question it opens with)
    position: int = -1             # its sentence's place in its section (0: the first), -1 if its chunk starts mid-section
    section_chars: int = 0         # the length of its section (0: not known)
    signals: dict[str, float] = field(default_factory=dict, repr=False, compare=False)  # its score's parts (score_candidates)
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)  # unit length


# A hit's sentences as stored in the index: spans into its text, token counts, mean token vectors.
Sentences = Callable[[Hit], tuple[np.ndarray, np.ndarray, np.ndarray]]
Weight = Callable[[str], float]
# The length in characters of a hit's section (0 if not known).
SectionLength = Callable[[Hit], int]


def select_passages(question: Question, hits: Sequence[Hit], question_vectors: np.ndarray, sentences_of: Sentences,
                    idf: Weight = lambda t: 1.0, section_hits: Sequence[Hit] = (),
                    settings: SelectionSettings = SelectionSettings(),
                    section_length: SectionLength = lambda hit: 0) -> list[Passage]:
    """The best sentences (and at most one list) of ``hits`` for ``question``, best first.

    ``question_vectors`` are unit vectors of the question (one or more rows, the closest counts);
    ``sentences_of`` gives a hit's stored sentences.

    ``section_hits`` are further chunks of the sections of the best hits, searched for a list
    that answers this kind of question (the doctors to contact, the tests, ...).

    Candidates are one sentence or two neighbouring sentences of a chunk, so a sentence that
    leans on the one before ("It prevents ...") can come with it.  Chosen spans never overlap.
    """
    scored, lists = score_candidates(question, hits, question_vectors, sentences_of, idf, settings, section_length)
    cue = _CUE_PATTERNS.get(question.intent, re.compile(r"(?!)"))
    chosen = _choose(question, scored, settings)
    found = lists + _candidates(section_hits, sentences_of, settings, windows=False)[1]
    # a list from the article the answer opens with or one whose title names the topic: another article's
    # list ("Treatment of Lumbar Tremor" for "how is gout treated?") answers another topic
    topic = terms_of(" ".join(question.topic))
    best_list = _best_list(question, [p for p in found if not chosen or p.article_id == chosen[0].article_id
                                      or topic & terms_of(p.title)], cue)
    return with_list(chosen, best_list, settings) if best_list else chosen


def with_list(chosen: list[Passage], found: Passage, settings: SelectionSettings) -> list[Passage]:
    """``chosen`` with the list the article gives, second (after the opening), unless it overlaps a
    chosen quote; a chosen sentence that repeats the list is dropped (the list says it whole)."""
    if any(overlaps(found, p) for p in chosen):
        return chosen
    kept = [p for p in chosen if not _similar(p.text, found.text, settings.near_duplicate)]
    return kept[:1] + [found] + kept[1:]


def _choose(question: Question, scored: list[Passage], settings: SelectionSettings) -> list[Passage]:
    """The opening sentence (``lead.judged``), then by maximal marginal relevance: each next quote
    scores well (its score, plus ``answer_chance`` times the opening-sentence model's probability that
    it holds the answer) and says what the chosen ones do not; within the sentence budget, no overlaps."""
    if not scored:
        return []
    lead, chances = judged(question, scored, settings)
    chosen, sentences = [lead], _sentence_count(lead)
    bar = settings.relative_cutoff * scored[0].score
    scores = np.array([p.score + settings.answer_chance * chances.get(id(p), 0.0) if p.score >= bar and p is not lead
                       else -np.inf for p in scored])
    vectors = np.stack([p.vector for p in scored])
    closest = vectors @ lead.vector
    while sentences < settings.max_sentences and np.isfinite(scores).any():
        i = int(np.argmax(scores - settings.diversity * closest))
        best, scores[i] = scored[i], -np.inf
        size = _sentence_count(best)
        if sentences + size > settings.max_sentences or any(
                overlaps(best, q) or _similar(best.text, q.text, settings.near_duplicate) for q in chosen):
            continue
        chosen.append(best)
        sentences += size
        closest = np.maximum(closest, vectors @ best.vector)
    return chosen


def score_candidates(question: Question, hits: Sequence[Hit], question_vectors: np.ndarray, sentences_of: Sentences,
                     idf: Weight = lambda t: 1.0, settings: SelectionSettings = SelectionSettings(),
                     section_length: SectionLength = lambda hit: 0) -> tuple[list[Passage], list[Passage]]:
    """Every candidate window of ``hits`` with its score, best first; and the lists found."""
    candidates, lists = _candidates(hits, sentences_of, settings, section_length=section_length)
    if not candidates:
        return [], lists
    query_terms = terms_of(f"{question.search_query} {expand_synonyms(question.search_query)}")
    intent = question.intent
    cause_terms, effect_terms = terms_of(question.cause), terms_of(question.effect)
    query_idf = {t: idf(t) for t in query_terms}
    query_weight = sum(query_idf.values()) or 1.0
    weights = [getattr(settings, name) for name in _SIGNALS]

    # Cosine similarity with the question (the closest, if it comes in several wordings).
    similarities = np.max(np.stack([c.vector for c in candidates]) @ np.atleast_2d(question_vectors).T, axis=1)
    scored = []
    for c, similarity in zip(candidates, similarities.tolist()):
        terms = terms_of(c.text)
        matched = query_terms & (terms | terms_of(c.section))
        overlap = sum(query_idf[t] for t in matched) / query_weight
        links = bool(cause_terms and effect_terms and cause_terms & terms and effect_terms & terms)
        values = (similarity, overlap, c.score, float(links), float(_has_cue(intent, c.text)),
                  float(_has_cue(intent, c.section)))
        score = sum(weight * value for weight, value in zip(weights, values))
        scored.append((score, links, dict(zip(_SIGNALS, values)), c))
    scored.sort(key=lambda row: -row[0])
    return [_scored(c, score, links, signals) for score, links, signals, c in scored], lists


# What a candidate's score adds up, each times the setting of the same name.
_SIGNALS = ("similarity", "overlap", "chunk", "links", "cue", "section_cue")


def _scored(p: Passage, score: float, links: bool, signals: dict[str, float]) -> Passage:
    """``replace(p, score=score, links=links, signals=signals)``, without ``dataclasses.replace``'s
    generic work (it runs for every candidate of every question)."""
    new = object.__new__(Passage)
    new.__dict__.update(p.__dict__, score=score, links=links, signals=signals)
    return new


@functools.lru_cache(maxsize=100_000)
def _has_cue(intent: str, text: str) -> bool:
    """Whether ``text`` has a word that marks answers to this kind of question (cached: the
    same sentences and headings come back question after question)."""
    return bool(text) and intent in INTENT_CUES and bool(_CUE_PATTERNS[intent].search(text))


def _candidates(hits: Sequence[Hit], sentences_of: Sentences, settings: SelectionSettings,
                windows: bool = True, section_length: SectionLength = lambda hit: 0) -> tuple[list[Passage], list[Passage]]:
    """Windows of one or two sentences (unless ``windows`` is false), and lists of short
    items, of the hits; each span once."""
    found: dict[tuple[str, int, int], Passage] = {}
    lists: dict[tuple[str, int], Passage] = {}
    for hit in hits:
        spans, tokens, vectors = sentences_of(hit)
        spots, runs = _layout(hit, spans, settings, windows)
        for start, end, items, lead in runs:
            lists.setdefault((hit.article_id, hit.start + start), _passage(hit, start, end, items=items, lead=lead))
        if not spots:
            continue
        # A window's vector: the token-weighted mean of its sentences', made unit length.
        weighted = vectors * tokens[:, None]
        singles, pairs = _units(weighted), _units(weighted[:-1] + weighted[1:])
        chars = section_length(hit)
        for s, e, i, pair_end, answers_heading, opens_section, position in spots:
            flags = dict(answers_heading=answers_heading, opens_section=opens_section, position=position,
                         section_chars=chars)
            found.setdefault((hit.article_id, hit.start + s, hit.start + e), _passage(hit, s, e, vector=singles[i], **flags))
            if pair_end >= 0:
                found.setdefault((hit.article_id, hit.start + s, hit.start + pair_end),
                                 _passage(hit, s, pair_end, vector=pairs[i], **flags))
    return list(found.values()), list(lists.values())


_LAYOUTS: dict[tuple, tuple[list, list]] = {}


def _layout(hit: Hit, spans: np.ndarray, settings: SelectionSettings, windows: bool) -> tuple[list, list]:
    """Where a chunk's candidates are: the sentences that may open a window (start, end, sentence
    number, end of the window with the next sentence or -1, and the ``Passage`` flags), and its
    lists (start, end, items, lead).  It depends only on the chunk's text, place and sentence spans,
    so it is worked out once per chunk (the same chunks come back question after question)."""
    key = (hit.text, hit.start, hit.section_start, spans.tobytes(), windows, settings.min_sentence_chars,
           settings.min_sentence_words)
    known = _LAYOUTS.get(key)
    if known is not None:
        return known
    text = hit.text
    units = [_skip_question(text, *_strip_marker(text, int(s), int(e))) for s, e in spans]
    item = [marked and is_list_item(text[a:b]) for a, b, marked in units]
    spots, runs = [], []
    if windows:  # (lists are judged by their kind of question, not sentence by sentence)
        informative = informing_spans(text, [(a, b) for a, b, _ in units])
        first_informative = _first_answer(hit, units, informative)
        starts_section = hit.start == hit.section_start
        first_unit = next((j for j, ok in enumerate(informative) if ok), -1) if starts_section else -1
    i = 0
    while i < len(units):
        s, e, _ = units[i]
        if item[i]:  # a run of short items is a list
            j = i
            while j + 1 < len(units) and item[j + 1]:
                j += 1
            if j > i:
                lead = text[units[i - 1][0] : units[i - 1][1]] if i and text[units[i - 1][1] - 1] == ":" else ""
                start = units[i - 1][0] if lead else units[i][0]
                runs.append((start, units[j][1], tuple(text[a:b] for a, b, _ in units[i : j + 1]), lead))
            i = j + 1
            continue
        sentence = text[s:e]
        if windows and informative[i] and len(sentence) >= settings.min_sentence_chars \
                and len(sentence.split()) >= settings.min_sentence_words and not sentence.endswith(":"):
            pair_end = units[i + 1][1] if i + 1 < len(units) and informative[i + 1] and not item[i + 1] else -1
            spots.append((s, e, i, pair_end, i == first_informative and "?" in text[:s], i == first_unit,
                          i if starts_section else -1))
        i += 1
    if len(_LAYOUTS) > 50_000:
        _LAYOUTS.clear()
    _LAYOUTS[key] = (spots, runs)
    return spots, runs


def _strip_marker(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """The span without a leading list marker ("- ", "• "), and whether it had one."""
    match = LIST_MARKER.match(text, start)
    return (match.end(), end, True) if match and match.end() < end else (start, end, False)


def _first_answer(hit: Hit, units: list[tuple[int, int, bool]], informative: list[bool]) -> int:
    """The unit that opens the hit's section, after the question it answers if the page restates it
    ("How is X treated?"); -1 if the hit does not start its section or opens otherwise."""
    first = next((j for j, ok in enumerate(informative) if ok), -1)
    if hit.start != hit.section_start or first > 1 or (first == 1 and not hit.text[units[0][0] : units[0][1]].endswith("?")):
        return -1
    return first


_LEADING_QUESTION = re.compile(r".{10,300}?\?[\"'’”]?\s+(?=[A-Z])")


def _skip_question(text: str, start: int, end: int, marked: bool) -> tuple[int, int, bool]:
    """A unit without a question it starts with, where the sentence splitter left the question and its
    answer together ("The question is, 'Can X cause Y?' While X ...")."""
    match = _LEADING_QUESTION.match(text, start, end)
    return (match.end(), end, marked) if match and match.end() < end else (start, end, marked)


def _passage(hit: Hit, start: int, end: int, items: tuple[str, ...] = (), lead: str = "",
             vector: np.ndarray | None = None, answers_heading: bool = False, opens_section: bool = False,
             position: int = -1, section_chars: int = 0) -> Passage:
    """The span ``start:end`` of a hit's text (offsets into the hit) as a passage, scored by the hit's similarity."""
    return Passage(article_id=hit.article_id, title=hit.title, url=hit.url, section=hit.section,
                   text=hit.text[start:end], start=hit.start + start, end=hit.start + end, score=hit.similarity,
                   items=items, lead=lead, chunk_start=hit.start,
                   answers_heading=answers_heading, opens_section=opens_section, position=position,
                   section_chars=section_chars, vector=vector)


def names(phrase: str, text: str) -> bool:
    """Whether ``text`` names ``phrase``: every content word of it, or a clinical synonym of each
    ("shaky" as "tremor"), or the clinical term of the whole lay phrase ("shaky hands": "hand tremors")."""
    found = terms_of(text)
    phrase_terms = terms_of(phrase)
    if not phrase_terms:
        return False
    clinical = terms_of(expand_synonyms(phrase))
    if clinical and clinical <= found:
        return True
    return all(stem(w) in found or terms_of(SYNONYMS.get(w, "")) & found for w in content_words(phrase))


def names_both(question: Question, p: Passage) -> bool:
    """For "can X cause Y": whether the passage itself names both X and Y (its text; a list: its lead and items)."""
    text = " ".join((p.lead, p.text, *p.items))
    return bool(question.cause and question.effect) and names(question.cause, text) and names(question.effect, text)


def part_words(question: Question) -> list[tuple[str, tuple[str, ...]]]:
    """Each question of a message that asks several ("..., and what's a vertebrologist?") with its own
    specialised words (``Question.part_words``)."""
    return list(zip(question.parts, question.part_words))


def names_any(words: Sequence[str], p: Passage) -> bool:
    """Whether the passage (a list: its lead and items too) names one of ``words``, itself or by a clinical synonym."""
    found = terms_of(" ".join((p.lead, p.text, *p.items)))
    return any(stem(w) in found or terms_of(SYNONYMS.get(w, "")) & found for w in words)


def unanswered_parts(question: Question, passages: Sequence[Passage]) -> list[tuple[str, tuple[str, ...]]]:
    """The questions of a message that asks several whose own words no passage names."""
    return [(part, own) for part, own in part_words(question) if own and not any(names_any(own, p) for p in passages)]


def _units(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.sqrt(np.einsum("ij,ij->i", rows, rows)), 1e-12)[:, None]


def _sentence_count(p: Passage) -> int:
    return 1 if p.items else sentence_count(p.text)


def overlaps(a: Passage, b: Passage) -> bool:
    """Whether two passages share characters of one article."""
    return a.article_id == b.article_id and a.start < b.end and b.start < a.end


def _best_list(question: Question, lists: list[Passage], cue: re.Pattern) -> Passage | None:
    if question.intent not in LIST_INTENTS:
        return None
    fitting = [p for p in lists if cue.search(p.section) or cue.search(p.lead)]
    return max(fitting, key=lambda p: p.score) if fitting else None


def _similar(a: str, b: str, near_duplicate: float) -> bool:
    """Whether two texts share so many words that the second would repeat the first."""
    return jaccard(_word_set(a), _word_set(b)) >= near_duplicate


@functools.lru_cache(maxsize=20_000)
def _word_set(text: str) -> frozenset[str]:
    # cached: the same sentences are compared question after question
    return frozenset(content_words(text))
