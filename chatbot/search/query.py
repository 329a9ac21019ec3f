"""Question understanding: what kind of question, about what, in the corpus's own words.

Pure functions over text.  ``understand`` returns a ``Question``: its intent, the topic
terms, for "can X cause Y" questions X and Y, and a search query with lay terms mapped to
the clinical words articles use (shaky hands -> tremor) and misspellings corrected against
the corpus vocabulary.
"""

from __future__ import annotations

import functools

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

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
# Lay phrase -> the clinical words articles use.  Matched on whole words, longest first.
SYNONYMS: dict[str, str] = {
    "shaky hands": "hand tremors", "hands shake": "hand tremors", "hands tremble": "hand tremors",
    "shaky": "tremor shaking", "shaking": "tremor", "shake": "tremor", "shakes": "tremors",
    "trembling": "tremor", "tremble": "tremor", "trembles": "tremor", "quivering": "tremor",
    "quiver": "tremor", "jittery": "tremor shaky", "twitching": "tremor spasms", "the jitters": "tremor",
    "slipped disc": "herniated disc", "slipped disk": "herniated disk", "bulging disc": "herniated disc",
    "ruptured disc": "herniated disc", "pinched nerve": "nerve compression", "trapped nerve": "nerve compression",
    "pinched": "compression", "squeezed": "compression",
    "narrowing of the spinal canal": "spinal stenosis", "narrow spinal canal": "spinal stenosis",
    "backache": "back pain", "lumbago": "lower back pain", "low back": "lower back lumbar",
    "lower back": "lower back lumbar", "neck": "neck cervical", "spine": "spine spinal",
    "sciatica": "radiculitis nerve compression", "muscle relaxer": "muscle relaxants",
    "muscle relaxers": "muscle relaxants", "painkiller": "pain medication opioids",
    "painkillers": "pain medication opioids", "pain meds": "pain medication opioids",
    "pain pills": "pain medication opioids", "oxy": "opioids", "oxycodone": "opioids",
    "physio": "physiotherapy physiotherapist", "physical therapy": "physiotherapy",
    "physical therapist": "physiotherapist", "nerve doctor": "neurologist", "brain doctor": "neurologist",
    "bone doctor": "orthopedic surgeon", "spine doctor": "orthopedic surgeon vertebrologist",
    "spine specialist": "vertebrologist orthopedic surgeon", "ms": "multiple sclerosis",
    "parkinsons": "parkinson's disease", "parkinson": "parkinson's disease",
    "spasmodic torticollis": "cervical dystonia", "torticollis": "cervical dystonia", "wry neck": "cervical dystonia",
    "botox": "botulinum toxin", "exhausted": "chronic fatigue", "tired": "fatigue", "worn out": "fatigue",
    "nerves": "anxiety stress", "anxious": "anxiety", "stressed": "stress", "worried": "anxiety",
    "slouching": "posture", "slouch": "posture", "bad posture": "posture",
    "muscle wasting": "muscle atrophy", "wasting": "atrophy", "cramps": "spasms", "cramp": "spasm",
    "drinking": "alcohol use", "booze": "alcohol", "scan": "mri ct imaging", "xray": "x-ray",
    "heart attack": "myocardial infarction", "high blood pressure": "hypertension",
    "high blood sugar": "hyperglycemia", "low blood sugar": "hypoglycemia", "sugar": "glucose",
    "stomach ache": "abdominal pain", "tummy": "abdominal", "belly": "abdominal", "kidney stone": "kidney stones",
    "throw up": "vomiting", "throwing up": "vomiting", "puking": "vomiting", "runny nose": "nasal discharge",
    "pee": "urine urination", "poop": "stool bowel", "itchy": "itching pruritus", "rash": "rash skin",
    "old age": "elderly aging", "elderly": "elderly older", "old people": "elderly",
    "grandpa": "elderly", "grandma": "elderly", "worse": "worsen progress",
}
_SYNONYM_RE = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(SYNONYMS, key=len, reverse=True)) + r")\b", re.I
)

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
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

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


def words(text: str) -> list[str]:
    """Lower-case word tokens, possessive 's dropped."""
    return [w[:-2] if w.endswith("'s") else w for w in _WORD.findall(text.lower().replace("’", "'"))]


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude suffix stripper, enough to match tremor/tremors, compressed/compression."""
    for suffix in ("ations", "ation", "ings", "ing", "ness", "ies", "ied", "ions", "ion", "ers", "er", "es", "ed", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1 and not w.isdigit()]


def terms_of(text: str) -> frozenset[str]:
    """The stems of the content words of ``text``: what word overlap is measured on."""
    return _terms_of(text) if len(text) <= 2_000 else frozenset(stem(w) for w in content_words(text))


@functools.lru_cache(maxsize=50_000)
def _terms_of(text: str) -> frozenset[str]:
    # Cached: the same sentences and headings come back for question after question.
    return frozenset(stem(w) for w in content_words(text))


def expand_synonyms(text: str) -> str:
    """The clinical terms for the lay phrases in ``text`` (space-separated, may be empty)."""
    return " ".join(dict.fromkeys(SYNONYMS[m.group(1).lower()] for m in _SYNONYM_RE.finditer(text)))


def detect_intent(text: str) -> str:
    for intent, pattern in _INTENT_PATTERNS:
        if pattern.search(text):
            return intent
    return "other"


class Vocabulary:
    """Word counts of a corpus, for spelling correction and for telling known words from unknown."""

    def __init__(self, texts: Iterable[str], dictionary: Iterable[str] = ()) -> None:
        """``texts`` are the corpus; ``dictionary`` holds correctly spelled words never to correct."""
        self.counts: Counter[str] = Counter()
        self.document_frequency: Counter[str] = Counter()  # of stems
        self.documents = 0
        for text in texts:
            tokens = words(text)
            self.counts.update(tokens)
            self.document_frequency.update({stem(w) for w in tokens})
            self.documents += 1
        self.stems = set(self.document_frequency)
        self.dictionary = frozenset(dictionary)
        self._corrections: dict[str, str] = {}  # words seen before, and what they became

    def idf(self, term_stem: str) -> float:
        """Inverse document frequency of a stem: rare words say more about what is asked."""
        return math.log(1 + (self.documents + 1) / (self.document_frequency.get(term_stem, 0) + 1))

    def is_common(self, word: str) -> bool:
        """Whether ``word`` is an ordinary English word (in the dictionary), not a specialised term."""
        return any(w in self.dictionary for w in (word, stem(word), word.rstrip("s")))

    def covers(self, word: str) -> bool:
        """Whether the corpus speaks of ``word``, directly or through its clinical synonym."""
        return self.knows(word) or any(self.knows(w) for w in words(SYNONYMS.get(word, "")))

    def knows(self, word: str) -> bool:
        return word in self.counts or stem(word) in self.stems

    def correct(self, word: str) -> str:
        """``word``, or the most frequent corpus word one edit away when ``word`` is unknown."""
        if word not in self._corrections:
            if len(self._corrections) > 100_000:
                self._corrections.clear()
            self._corrections[word] = self._correct(word)
        return self._corrections[word]

    def _correct(self, word: str) -> str:
        if len(word) < 4 or self.knows(word) or self.is_common(word) or word in STOPWORDS or word in SYNONYMS:
            return word
        # Four-letter words only gain a letter ("lowr" -> "lower"), never lose one ("gout" -> "out").
        edits = _inserts_and_transposes(word) if len(word) == 4 else _edits1(word)
        candidates = [c for c in edits if c in self.counts]
        return max(candidates, key=lambda c: (self.counts[c], c)) if candidates else word


def _inserts_and_transposes(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    return transposes | {a + c + b for a, b in splits for c in "abcdefghijklmnopqrstuvwxyz"}


def _edits1(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters]
    inserts = [a + c + b for a, b in splits for c in letters]
    return set(deletes + transposes + replaces + inserts)


def _text_of(content: object) -> str:
    """The text of a message's content: a string, or a list of content blocks (Gradio 6, OpenAI style)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return _text_of(content.get("text", content.get("content", "")))
    if isinstance(content, (list, tuple)):
        return " ".join(t for t in (_text_of(block) for block in content) if t)
    return ""


def previous_user_messages(history: Sequence | None) -> list[str]:
    """User turns of a chat history given as strings, ``{"role", "content"}`` dicts (content a string or a
    list of ``{"type": "text", "text": ...}`` blocks) or (user, bot) pairs."""
    messages: list[str] = []
    for turn in history or []:
        if isinstance(turn, str):
            text = turn
        elif isinstance(turn, dict):
            text = _text_of(turn.get("content")) if turn.get("role") == "user" else ""
        elif isinstance(turn, (list, tuple)) and turn:
            text = _text_of(turn[0])
        else:
            text = ""
        if text.strip():
            messages.append(text)
    return messages


def understand(text: str, vocabulary: Vocabulary | None = None, history: Sequence | None = None) -> Question:
    """Intent, topic and search query of ``text``; earlier user turns fill in a follow-up's topic."""
    text = " ".join(_MARKUP.sub(" ", text).split())  # pasted HTML tags say nothing about the question
    corrections: dict[str, str] = {}
    corrected = text
    if vocabulary is not None:
        for w in set(content_words(text)):
            fixed = vocabulary.correct(w)
            if fixed != w:
                corrections[w] = fixed
                corrected = re.sub(rf"\b{re.escape(w)}\b", fixed, corrected, flags=re.I)
    intent = detect_intent(corrected)
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
    if follow_up and intent in ("other", "yes_no", "definition"):
        intent = detect_intent(f"{earlier} {corrected}") if intent == "other" else intent
    cause = effect = ""
    match = _CAUSAL_SPLIT.match(corrected)
    if intent == "causal" and match and not re.search(r"\b(a|an|the|common|main|usual|only)$", match.group("x"), re.I):
        cause, effect = _trim_phrase(match.group("x")), _trim_phrase(match.group("y"))
    clinical = expand_synonyms(f"{earlier} {corrected}")
    search_query = " ".join(part for part in (earlier, corrected, clinical) if part)
    return Question(text, intent, topic, search_query, cause, effect, follow_up, corrections)


def _refers_back(text: str, topic: tuple[str, ...]) -> bool:
    pronoun = re.search(r"\b(it|its|it's|this|that|these|those|they|them|he|she|his|her)\b", text, re.I)
    return bool(pronoun or FOLLOW_UP_START.match(text) or not topic)


def _trim_phrase(phrase: str) -> str:
    phrase = re.sub(r"^(my|your|his|her|their|the|a|an|all|being|having)\s+", "", phrase.strip(), flags=re.I)
    phrase = re.sub(r"\s+(to|in me|in you|at all|sometimes|too)$", "", phrase, flags=re.I)
    return phrase.strip(" ?!.,")
