"""Question understanding: what kind of question, about what, in the corpus's own words.

Pure functions over text.  ``understand`` returns a ``Question``: its intent, the topic
terms, for "can X cause Y" questions X and Y, the articles it names (its foci, given the
corpus's ``ArticleNames``), and a search query with lay terms mapped to the clinical words
articles use (shaky hands -> tremor), abbreviations spelled out (OI -> osteogenesis
imperfecta) and misspellings corrected against the corpus vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence, TYPE_CHECKING

from chatbot.history import previous_user_messages
from chatbot.search.kinds import classify
from chatbot.search.synonyms import SYNONYMS, expand_synonyms
from chatbot.text import asking_parts, content_words, stem, terms_of

if TYPE_CHECKING:
    from chatbot.search.names import ArticleNames, Focus
    from chatbot.search.spelling import Vocabulary

INTENTS = (
    "doctor", "diagnosis", "prevention", "risk", "causal", "genetics", "treatment", "complications", "outlook",
    "prevalence", "types", "symptoms", "causes", "definition", "yes_no", "other",
)

# Words that mark a sentence (or a list's heading) as answering a kind of question.
INTENT_CUES = {
    "doctor": r"doctor|specialist|neurologist|surgeon|consult|therapist|physician|contact",
    "diagnosis": r"diagnos|test|exam|imaging|mri|x-ray|scan|blood|assess|evaluat",
    "treatment": r"treat|therap|medication|surgery|surgical|injection|option|manage|relie|physiotherap|cure",
    "prevention": r"prevent|avoid|reduc|risk",
    "complications": r"complication|lead to|result in|consequence|worsen|if not|untreated|serious",
    "outlook": r"outlook|prognosis|recover|improv|go away|permanent|long-term",
    "types": r"type|kind|form|classif",
    "symptoms": r"symptom|sign|manifest|feel|experience",
    "causes": r"cause|factor|reason|due to|result|lead",
    "causal": r"cause|lead|result|link|connect|because|due to|contribut|trigger|side effect",
    "genetics": r"inherit|genetic|gene\b|genes\b|mutation|hereditary|famil",
    "risk": r"risk|likely|who (is|are|gets)",
    "prevalence": r"common|prevalen|frequen|incidence|how many|affects? about|per \d|in every",
}
# Words that say what kind of question it is, not what it is about.
INTENT_WORDS = frozenset("""
cause causes caused causing lead leads result results trigger triggers related linked connected connection link
treat treats treated treating treatment treatments cure cured fix fixed help helps heal therapy therapies
diagnose diagnosed diagnosis test tests testing symptom symptoms sign signs prevent prevention avoid risk risks
complication complications serious dangerous prognosis outlook recover recovery doctor doctors docter specialist
see need needs needed should common rare normal possible happen happens mean means define definition work works
""".split())
FOLLOW_UP_START = re.compile(r"^\s*(and|but|so|also|what about|how about|then|ok(ay)?|and what|what else)\b", re.I)
_MARKUP = re.compile(r"<[^<>]{0,300}>")

# "was diagnosed with X" tells what the person has; it does not ask how X is diagnosed.
_NOT_CONTEXT = "".join(f"(?<!{w} )" for w in ("was", "were", "been", "got", "is", "are", "just", "recently"))
_INTENT_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("definition", re.compile(r"^\W*(what|whats|what's)\s*(is|are|'s)?\s+(a|an)?\b(?!.*\b(treat\w*|cause[sd]?|causing|"
                              r"symptoms?|signs?|diagnos\w*|prevent\w*|types?|kinds?|sorts?|doctors?|specialists?|physicians?|"
                              r"risks?|complications?|tests?|best|should|eat|do|helps?|can|genes?|genetic\w*|inherit\w*|hereditary|"
                              r"outlook|prognosis|common|affected|how many)\b)", re.I)),
    ("doctor", re.compile(r"\b(which|what|who|whom)\b.*\b(doctor|docter|doc|specialist|physician)s?\b"
                          r"|\bwho (should|do|can|would) (i|we|he|she|they) (see|contact|consult|go to)\b", re.I)),
    ("diagnosis", re.compile(r"\b(" + _NOT_CONTEXT + r"diagnos\w*|tests?|testing|mri|x-?rays?|ct scans?|scans?|blood (tests?|work)|examin\w*|"
                             r"tell (if|whether|what)|find out (what|if|why|whether)|check (for|if|whether))\b", re.I)),
    ("prevention", re.compile(r"\b(prevent\w*|avoid\w*|reduce (the |my )?(risk|chance)|lower (the |my )?(risk|chance)|stop \w+ from|so (that )?(i|we|you|he|she|they) (don'?t|dont|do not|won'?t|never) (get|catch|develop))\b", re.I)),
    ("risk", re.compile(r"\bwho (is|are|gets?|can get)\b.*\brisk\b|\bat (a )?(high|higher|greater|increased )?risk\b|"
                        r"\brisk factors?\b|\b(more|most) likely to (get|develop|have)\b", re.I)),
    ("treatment", re.compile(r"^(will|would|should|do|does|can|could|is|are)\b.*\b(surgery|operation|treat\w*|cure|therap\w*|physio\w*|injections?)\b.*\b(help|need|work|fix)|"
                             r"\b(need|needs|require|get) (a |an )?(surgery|operation|injections?)\b", re.I)),
    ("causal", re.compile(r"^\W*(can|could|does|do|did|will|would|is|are|was|might|may|might)\b.*"
                          r"\b(cause[sd]?|causing|make|makes|lead to|leads to|result in|trigger\w*|give|gives|bring on|"
                          r"related|linked|connected|due to|because of|responsible|behind|do it)\b", re.I)),
    ("prevalence", re.compile(r"\bhow (common|rare|widespread)\b|\bhow many (people|persons|children|adults|men|women)\b|"
                              r"\b(prevalen\w*|incidence)\b", re.I)),
    ("genetics", re.compile(r"\b(inherit\w*|hereditary|heredity|genes?|genetic(s|ally)?|mutations?|passed (down|on)|"
                            r"runs? in (the |my |our |his |her )?famil(y|ies)|"
                            r"(get|got|catch) it from (my|our|the|his|her|their) (family|parents?|mother|father|mom|dad))\b", re.I)),
    ("causal", re.compile(r"(?<!-)\b(related|linked|connected|connection|link)\b.*\?", re.I)),
    ("treatment", re.compile(r"\b(treat\w*|cure[sd]?|fix|heal(s|ed|ing)?|help(s)? with|therap\w*|surg\w*|operation|medications?|"
                             r"medicines?|drugs?|pills?|remed\w*|reliev\w*|relief|manag\w*|physio\w*|botox|injections?|"
                             r"how does (it|this|that) work|get rid of|options|what (helps|can help)|helps?|"
                             r"what (to do|(can|should) (i|we|you|he|she|they) do)|(anything|something|what) (that )?can be done)\b", re.I)),
    ("complications", re.compile(r"\b(complications?|lead to|result in|dangerous|serious|risks?|long[- ]term|consequences?|effects?)\b", re.I)),
    ("outlook", re.compile(r"\b(prognosis|outlook|go away|recover\w*|permanent|how long|life expectancy|curable|get better)\b", re.I)),
    # "type 2 diabetes", "form IV" name a condition; they do not ask for its types
    ("types", re.compile(r"\b(types?|kinds?|forms?)\b(?!\s+(\d|[ivx]+\b|[a-e]\b))|\b(classif\w*|categor\w*)\b", re.I)),
    ("symptoms", re.compile(r"\b(symptoms?|signs?|feels? like|looks? like|what happens)\b", re.I)),
    ("causes", re.compile(r"\b(causes?|caused|reasons?|why)\b", re.I)),
    ("prevalence", re.compile(r"^\W*(is|are)\b.*\b(rare|common|widespread)\b", re.I)),
    ("definition", re.compile(r"^\W*(what|whats|what's)\s+(is|are|'s)?\b|\b(define|definition|meaning|mean|explain)\b|"
                              r"\bwhat (that|it|this) (is|means)\b", re.I)),
    ("yes_no", re.compile(r"^\W*(can|could|does|do|did|will|would|is|are|was|should|might|may|am)\b", re.I)),
]
_CAUSAL_SPLIT = re.compile(
    r"^\W*(?:can|could|does|do|did|will|would|is|are|was|might|may)\s+(?P<x>.+?)\s+"
    r"(?:really\s+|actually\s+|directly\s+|ever\s+)?"
    r"(?:cause[sd]?|causing|make|makes|lead to|leads to|result in|trigger|triggers|give|gives|bring on|"
    r"be related to|related to|be linked to|linked to|connected to|be connected to)\s+(?P<y>.+?)\W*$",
    re.I,
)


@dataclass(frozen=True)
class Question:
    """What ``understand`` made of a question."""

    text: str                       # as asked (whitespace folded)
    intent: str                     # one of INTENTS
    topic: tuple[str, ...]          # content words, corrected
    search_query: str               # what to search with: question + clinical terms (+ earlier topic)
    cause: str = ""                 # X of "can X cause Y"
    effect: str = ""                # Y of "can X cause Y"
    follow_up: bool = False
    corrections: dict[str, str] = field(default_factory=dict)
    intent_sure: bool = True        # the classifier chose the intent (not the patterns, where it was unsure)
    parts: tuple[str, ...] = ()     # the questions it asks, when it asks more than one
    part_words: tuple[tuple[str, ...], ...] = ()  # each one's own specialised words (see own_words)
    foci: tuple[Focus, ...] = ()    # the names of articles it uses, in order (see search.names)


def detect_intent(text: str) -> str:
    """The kind of answer ``text`` wants (one of INTENTS): the learned classifier's, or where it is unsure the patterns'."""
    return kind_of(text)[0]


def kind_of(text: str) -> tuple[str, bool]:
    """The intent of ``text`` and whether the classifier was sure of it (else the patterns chose it)."""
    learned = classify(text)
    return (learned[0], True) if learned else (pattern_intent(text), False)


def pattern_intent(text: str) -> str:
    """The kind of answer ``text`` wants by the hand-written patterns (the first that matches)."""
    for intent, pattern in _INTENT_PATTERNS:
        if pattern.search(text):
            return intent
    return "other"


def understand(text: str, vocabulary: Vocabulary | None = None, history: Sequence | None = None,
               names: ArticleNames | None = None) -> Question:
    """Intent, topic, foci and search query of ``text``; earlier user turns fill in a follow-up's topic."""
    text = " ".join(_MARKUP.sub(" ", text).split())  # pasted HTML tags say nothing about the question
    corrections: dict[str, str] = {}
    corrected = text
    if vocabulary is not None:
        for w in set(content_words(text)):
            fixed = vocabulary.correct(w)
            if fixed != w:
                corrections[w] = fixed
                corrected = re.sub(rf"\b{re.escape(w)}\b", fixed, corrected, flags=re.I)
    intent, intent_sure = kind_of(corrected)
    topic = tuple(dict.fromkeys(w for w in content_words(corrected) if w not in INTENT_WORDS))
    follow_up = False
    earlier = ""
    previous = previous_user_messages(history)
    if previous and (len(topic) <= 1 or FOLLOW_UP_START.match(text)) and _refers_back(text, topic):
        for message in reversed(previous):
            earlier_topic = [w for w in content_words(message) if w not in INTENT_WORDS]
            if earlier_topic:
                earlier = " ".join(dict.fromkeys(earlier_topic))
                follow_up = True
                break
    if follow_up and intent == "other":
        intent, intent_sure = kind_of(f"{earlier} {corrected}")
    cause = effect = ""
    parts = asking_parts(corrected)
    # "can X cause Y" is read in the question that asks it, never across into a second one
    match = next(filter(None, map(_CAUSAL_SPLIT.match, parts or [corrected])), None)
    if intent == "causal" and match and not re.search(r"\b(a|an|the|common|main|usual|only)$", match.group("x"), re.I):
        cause, effect = _trim_phrase(match.group("x")), _trim_phrase(match.group("y"))
        if vocabulary is not None and not all(_known(w, vocabulary) for w in content_words(f"{cause} {effect}")):
            cause = effect = ""  # a word left misspelled: never repeat it back as what the articles speak of
        if not (content_words(cause) and content_words(effect)):
            cause = effect = ""  # "is her back causing this?": a pronoun names nothing a quote could name
    clinical = expand_synonyms(f"{earlier} {corrected}")
    foci = tuple(names.find(f"{earlier} {corrected}")) if names is not None else ()
    spelled_out = " ".join(dict.fromkeys(f.abbreviation for f in foci if f.abbreviation))
    search_query = " ".join(part for part in (earlier, corrected, clinical, spelled_out) if part)
    parts = parts if len(parts) > 1 else []
    return Question(text, intent, topic, search_query, cause, effect, follow_up, corrections, intent_sure,
                    tuple(parts), own_words(parts, vocabulary), foci)


def own_words(parts: Sequence[str], vocabulary: Vocabulary | None = None) -> tuple[tuple[str, ...], ...]:
    """The words of each question that no other of them has, leaving out words of the kind of question
    and, given the corpus ``vocabulary``, ordinary English words: what a quote answering it must name
    ("vertebrologist", not "might" or "give")."""
    own = []
    for i, part in enumerate(parts):
        others = terms_of(" ".join(parts[:i] + parts[i + 1 :]))
        own.append(tuple(dict.fromkeys(
            w for w in content_words(part) if w not in INTENT_WORDS and stem(w) not in others
            and not (vocabulary is not None and vocabulary.is_common(w)))))
    return tuple(own)


def _known(word: str, vocabulary: Vocabulary) -> bool:
    return vocabulary.covers(word) or vocabulary.is_common(word) or word in SYNONYMS


def _refers_back(text: str, topic: tuple[str, ...]) -> bool:
    pronoun = re.search(r"\b(it|its|it's|this|that|these|those|they|them|he|she|his|her)\b", text, re.I)
    return bool(pronoun or FOLLOW_UP_START.match(text) or not topic)


def _trim_phrase(phrase: str) -> str:
    """X or Y of "can X cause Y" as a thing a quote could name: the question around it left out
    ("is it true that X can", "Y, or are these separate things")."""
    phrase = re.split(r"[,;(]|\s+or\s+(?:are|is|do|does|should|could|can|will|would|just)\b", phrase, maxsplit=1)[0]
    phrase = re.sub(r"^(it\s+(true|possible|likely|normal)|there\s+(a|any)\s+chance)\s+that\s+", "", phrase.strip(), flags=re.I)
    phrase = re.sub(r"\s+(can|could|may|might|would|will|really|actually|like (this|that))$", "", phrase, flags=re.I)
    phrase = re.sub(r"^(my|your|his|her|their|the|a|an|all|being|having)\s+", "", phrase.strip(), flags=re.I)
    phrase = re.sub(r"\s+(to|in me|in you|at all|sometimes|too)$", "", phrase, flags=re.I)
    return phrase.strip(" ?!.,")
