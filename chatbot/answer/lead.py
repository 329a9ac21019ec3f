"""The opening sentence of an answer: the candidate most likely to be its bottom line.

Gradient-boosted trees over what is known of each candidate sentence (``FEATURES``): its selection
score and the parts of it (similarity with the question, the question's terms it holds, its
passage's similarity, a word fitting the kind of question), where it stands in its section (the
first sentence of a section answers the section's question; a sentence that opens with "This"
or "However" leans on the one before), whether its section heading fits the kind of question
and shares the question's words, whether it defines the topic of a "what is X" question, its
length and its section's (in a short section of a question-and-answer page the first sentence is
the answer; in a long essay it often only introduces the topic).  The trees are fitted by
``benchmarks/fit_lead.py`` (scikit-learn's ``HistGradientBoostingClassifier``: does a candidate hold
the evidence sentence?) on questions about the seed articles written by a helper and on
templated MedQuAD questions, cross-validated by question; ``data/lead_model.json`` holds them
(plain JSON, read here without scikit-learn) with what they were fitted on and the figures.

``SelectionSettings(lead="fixed")``, a missing or unreadable model file (with a warning) use the
hand-set ``lead_score`` instead: the selection score plus two bonuses.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from chatbot.search.query import INTENT_WORDS, Question
from chatbot.search.synonyms import expand_synonyms
from chatbot.settings import SelectionSettings
from chatbot.text import content_words, sentence_count, terms_of

MODEL_PATH = Path(__file__).parent / "data" / "lead_model.json"
FEATURES = ("score", "score_gap", "similarity", "similarity_gap", "overlap", "chunk", "links", "cue", "section_cue",
            "answers_heading", "opens_section", "opens_fitting_section", "early", "defines", "two_sentences", "words",
            "leans_back", "heading_overlap", "hedged_answer", "rank", "section_chars")
POOL = 24  # the best-scored candidates the learned model looks at (and, for "what is X", every definition)

# A sentence that starts by pointing back at the one before it reads badly as an opening.
_LEANS_BACK = re.compile(r"^\W*(this|these|that|those|it|its|they|their|them|such|he|she|however|also|additionally|"
                         r"furthermore|moreover|therefore|thus|hence|consequently|in addition|as a result|"
                         r"for (example|instance)|similarly|likewise|then|but|and|so|other|another|both|in (this|such) cases?)\b",
                         re.I)
# The words a yes/no or "can X cause Y" answer turns on: what is possible, likely, common or not.
_HEDGED = re.compile(r"\b(can|could|may|might|cannot|can't|does not|do not|doesn't|don't|is not|are not|isn't|aren't|"
                     r"not|rarely|rare|unlikely|likely|possible|possibly|probabl[ey]|improbable|uncommon|common|usually|"
                     r"typically|often|sometimes|directly|indirectly)\b", re.I)
_YES_NO = {"yes_no", "causal"}

log = logging.getLogger(__name__)


def lead_features(question: Question, pool: Sequence) -> np.ndarray:
    """One row of ``FEATURES`` per candidate of ``pool`` (``selection.Passage``, best-scored first)."""
    if not pool:
        return np.zeros((0, len(FEATURES)))
    best_score = max(p.score for p in pool)
    best_similarity = max(p.signals.get("similarity", 0.0) for p in pool)
    query_terms = terms_of(question.search_query)
    definition = question.intent == "definition"
    yes_no = question.intent in _YES_NO
    rows = []
    for rank, p in enumerate(pool):
        s = p.signals
        heading = terms_of(p.section)
        several, words, leans_back, hedged = _of_text(p.text)
        rows.append((
            p.score, p.score - best_score, s.get("similarity", 0.0), s.get("similarity", 0.0) - best_similarity,
            s.get("overlap", 0.0), s.get("chunk", 0.0), s.get("links", 0.0), s.get("cue", 0.0), s.get("section_cue", 0.0),
            float(p.answers_heading), float(p.opens_section), float(p.opens_section) * s.get("section_cue", 0.0),
            1.0 / (1 + p.position) if p.position >= 0 else 0.0,
            float(definition and defines(question.topic, p.text)),
            several, words, leans_back,
            len(heading & query_terms) / len(query_terms) if query_terms else 0.0,
            float(yes_no) * hedged,
            1.0 / (1 + rank), math.log1p(p.section_chars),
        ))
    return np.asarray(rows, dtype=float)


@functools.lru_cache(maxsize=20_000)
def _of_text(text: str) -> tuple[float, float, float, float]:
    """What a candidate's own text says: more than one sentence, log of its words, leans on the
    sentence before, hedged (cached: the same sentences come back question after question)."""
    return (float(sentence_count(text) > 1), math.log1p(len(text.split())), float(bool(_LEANS_BACK.match(text))),
            float(bool(_HEDGED.search(text))))


def learned_pool(question: Question, scored: Sequence) -> list:
    """The candidates the learned model chooses among: the best-scored ``POOL``, and for "what is X"
    every candidate that defines X, wherever it ranks."""
    pool = list(scored[:POOL])
    if question.intent == "definition":
        pool += [p for p in scored[POOL:] if defines(question.topic, p.text)]
    return pool


def choose_lead(question: Question, scored: Sequence, settings: SelectionSettings):
    """The opening sentence among ``scored`` (best-scored first): by the learned model, or where it
    is off or missing by the hand-set ``lead_score`` over ``lead_pool``."""
    return judged(question, scored, settings)[0]


def judged(question: Question, scored: Sequence, settings: SelectionSettings) -> tuple:
    """The opening sentence, and the model's probability that each candidate it looked at holds the
    answer (by ``id``; empty under the hand-set rule).  ``scored`` must not be empty."""
    if not scored:
        raise ValueError("no candidates to choose the opening sentence from")
    model = shipped_model() if settings.lead == "learned" else None
    if model is None:
        return max(lead_pool(question, scored, settings), key=lambda p: lead_score(question, p, settings)), {}
    pool = learned_pool(question, scored)
    rows = lead_features(question, pool)
    raw = model.scores(rows)
    return pool[best_row(rows, raw)], {id(p): float(v) for p, v in zip(pool, 1 / (1 + np.exp(-raw)))}


_DEFINES = FEATURES.index("defines")


def best_row(rows: np.ndarray, scores: np.ndarray) -> int:
    """The row that opens the answer: the best-scored, but for "what is X" the best-scored of the
    candidates that define X when there is one (the answer to "what is X" is its definition: the
    trees alone opened "what is lumbar tremor" with what it can lead to)."""
    defining = rows[:, _DEFINES] > 0
    if defining.any():
        return int(np.flatnonzero(defining)[np.argmax(scores[defining])])
    return int(np.argmax(scores))


def lead_score(question: Question, p, settings: SelectionSettings) -> float:
    """The hand-set rule: a candidate's selection score, plus bonuses for answering the question its
    section opens with and, for "what is X", for defining X (``settings.lead_*``)."""
    return (p.score + settings.lead_answers_heading * p.answers_heading
            + settings.lead_defines * (question.intent == "definition" and defines(question.topic, p.text)))


def lead_pool(question: Question, scored: Sequence, settings: SelectionSettings) -> list:
    """The candidates the hand-set rule chooses from: the best-scored few, and for "what is X"
    every candidate that defines X, wherever it ranks (a definition rarely repeats the question's words)."""
    pool = list(scored[: settings.lead_candidates])
    if question.intent == "definition" and settings.lead_defines:
        pool += [p for p in scored[settings.lead_candidates :] if defines(question.topic, p.text)]
    return pool


# A definition says what X is, not what it can be or is not: "X is an involuntary movement", "X refers to".
_DEFINING = re.compile(r"\b((is|are|was|were)(?!\s+(not|also|usually|often|sometimes|just|only)\b)|refers? to|means?|"
                       r"describes?|occurs? when|happens? when)\b", re.I)
_LABEL = re.compile(r"^\s*\w+(\s\w+)?\s*:\s+")  # "Summary : X is ...", as MedQuAD pages open


@functools.lru_cache(maxsize=20_000)
def defines(topic: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` reads as a definition of the topic: within its first words a defining verb
    whose subject is the topic ("Lower back tremor is an involuntary movement" for lumbar tremor,
    lay words counted through their clinical terms), not something about it ("Treatment of X is")."""
    head = " ".join(_LABEL.sub("", text, count=1).split()[:10])
    verb = _DEFINING.search(head)
    wanted = terms_of(" ".join(topic))
    if not verb or not wanted:
        return False
    subject = content_words(head[: verb.start()])
    if not subject or subject[0] in INTENT_WORDS or len(subject) > len(topic) + 2:
        return False
    return wanted <= terms_of(" ".join(subject)) | terms_of(expand_synonyms(" ".join(subject)))


class Trees:
    """Gradient-boosted decision trees, as ``benchmarks/fit_lead.py`` exports them from scikit-learn's
    ``HistGradientBoostingClassifier``: per tree, arrays over its nodes (the feature a node splits
    on, its threshold, its children, whether it is a leaf, a leaf's value, and where a missing value
    goes).  A row goes left where its feature is at most the threshold (a missing value where the
    fit sent it); its score is the sum of the leaves it reaches.  ``features`` is how many columns a
    row has; trees that do not fit it, or do not hold together, raise ``ValueError``."""

    def __init__(self, trees: Sequence[dict], base: float = 0.0, features: int | None = None) -> None:
        if not trees:
            raise ValueError("no trees")
        width = max(len(t["value"]) for t in trees)
        pad = lambda key, fill: np.array([list(t[key]) + [fill] * (width - len(t[key])) for t in trees])  # noqa: E731
        self.feature, self.threshold = pad("feature", 0).astype(np.intp), pad("threshold", 0.0).astype(float)
        self.left, self.right = pad("left", 0).astype(np.intp), pad("right", 0).astype(np.intp)
        self.leaf, self.value = pad("leaf", True).astype(bool), pad("value", 0.0).astype(float)
        self.missing_left = pad("missing_left", False).astype(bool)
        self.base = float(base)
        self.depth = self._check(trees, features)
        self._flat: tuple[np.ndarray, ...] | None = None

    def _check(self, trees: Sequence[dict], features: int | None) -> int:
        """The deepest leaf's depth, after checking that every tree is a tree: children in range,
        every leaf reached, features known, values finite."""
        if not np.isfinite(self.base):
            raise ValueError("the base score is not finite")
        deepest = 0
        for t, tree in enumerate(trees):
            size = len(tree["value"])
            if any(len(tree[key]) != size for key in ("feature", "threshold", "left", "right", "leaf", "missing_left")):
                raise ValueError(f"tree {t}: its node lists differ in length")
            stack, seen = [(0, 0)], set()
            while stack:
                node, depth = stack.pop()
                if not 0 <= node < size or node in seen:
                    raise ValueError(f"tree {t}: node {node} is out of range or reached twice")
                seen.add(node)
                if self.leaf[t, node]:
                    if not np.isfinite(self.value[t, node]):
                        raise ValueError(f"tree {t}: leaf {node} has no finite value")
                    deepest = max(deepest, depth)
                    continue
                if features is not None and not 0 <= self.feature[t, node] < features:
                    raise ValueError(f"tree {t}: node {node} splits on feature {self.feature[t, node]}, of {features}")
                if not np.isfinite(self.threshold[t, node]):
                    raise ValueError(f"tree {t}: node {node} has no finite threshold")
                stack += [(int(self.left[t, node]), depth + 1), (int(self.right[t, node]), depth + 1)]
        return deepest

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """The model's raw score (log-odds) of each row."""
        rows = np.asarray(rows, dtype=float)
        if not len(rows):
            return np.zeros(0)
        if self._flat is None:
            self._flat = self._flattened()
        feature, threshold, left, right, missing_left, value = self._flat
        n = len(rows)
        columns = np.ascontiguousarray(rows.T).ravel()  # column-major: feature f of row j is at f * n + j
        column = np.arange(n)
        node = np.repeat(np.arange(len(self.value)) * self.value.shape[1], n).reshape(-1, n)  # each tree's root
        missing = np.isnan(columns).any()
        for _ in range(self.depth):
            x = columns[feature[node] * n + column]
            goes_left = x <= threshold[node]
            if missing:
                goes_left |= np.isnan(x) & missing_left[node]
            node = np.where(goes_left, left[node], right[node])
        return self.base + value[node].sum(axis=0)

    def _flattened(self) -> tuple[np.ndarray, ...]:
        """The node arrays as one flat array each, children as flat indices; a leaf is its own child,
        so a row that reached one stays there."""
        trees, width = self.value.shape
        own = np.arange(trees * width).reshape(trees, width)
        first = (np.arange(trees) * width)[:, None]
        left = np.where(self.leaf, own, self.left + first).ravel()
        right = np.where(self.leaf, own, self.right + first).ravel()
        return (self.feature.ravel(), self.threshold.ravel(), left, right, self.missing_left.ravel(), self.value.ravel())


def lead_record(settings: SelectionSettings) -> dict:
    """What chooses the opening sentence, for eval reports: the hand-set rule, or the model and its checksum."""
    if settings.lead != "learned" or shipped_model() is None:
        return {"lead": "fixed"}
    return {"lead": "learned", "model": MODEL_PATH.name, "sha256": hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()}


@functools.lru_cache(maxsize=1)
def shipped_model() -> Trees | None:
    """The fitted model (``data/lead_model.json``), or None (with a warning) if it is missing, unreadable
    or was fitted on other features."""
    try:
        model = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        if model["features"] != list(FEATURES):
            raise ValueError(f"it reads the features {model['features']}, this version computes {list(FEATURES)}")
        return Trees(model["trees"], model["base"], features=len(FEATURES))
    except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
        log.warning("The opening-sentence model %s could not be used (%s); using the hand-set rule. "
                    "Refit it with: python benchmarks/fit_lead.py", MODEL_PATH, error)
        return None
