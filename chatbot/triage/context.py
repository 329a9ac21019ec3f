"""Reading a message for triage: normalised text, clauses, and ConText-style modifiers.

Normalising folds case, accents kept, apostrophes restored ("cant" -> "can't") and a few
toilet and texting words mapped to one form, so the learned detector and the patterns see
one spelling.  A message is split into clauses (sentences, and at "but", "however", ...), and
each clause gets the modifiers of the NegEx / ConText tradition (Chapman et al., 2001; Harkema
et al., 2009): ``historical`` ("a seizure as a teen", unless a
present-time cue such as "since this morning" is in the same clause), ``hypothetical`` ("what
if I can't pee?"), ``family`` ("my dad had a stroke, am I at risk?"), ``warning_signs`` (a
question *about* red flags: "when is back pain an emergency?") and ``resolved`` ("it went
away", "the paramedics said it was a panic attack").  The patterns never read a clause with any of
these, and read the others with negated words ("no chest pain", "I'm not suicidal") taken out by
``strip_negated`` (a cue's scope runs to the next conjunction), so the rest of the clause still
counts ("no fever but I can't pee").  The learned detector reads both marked instead
(``mark_negated``: "neg_no neg_fever"; set-aside clauses ``ctx_``), as words of their own, and
learns from the labels what they mean next to the rest.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from chatbot.triage import foreign_cues as foreign
from chatbot.triage.languages import fold_accents

_APOSTROPHES = {
    "cant": "can't", "dont": "don't", "wont": "won't", "doesnt": "doesn't", "didnt": "didn't", "isnt": "isn't",
    "arent": "aren't", "wasnt": "wasn't", "werent": "weren't", "havent": "haven't", "hasnt": "hasn't",
    "couldnt": "couldn't", "wouldnt": "wouldn't", "shouldnt": "shouldn't", "im": "i'm", "ive": "i've",
    "hes": "he's", "shes": "she's", "thats": "that's", "theres": "there's", "whats": "what's", "wanna": "want to",
    "gonna": "going to", "u": "you", "ur": "your", "pls": "please", "plz": "please", "cannot": "can't",
    "can not": "can't", "ill kill": "i'll kill", "ill end": "i'll end", "breath": "breathe",  # "can't breath": the noun is nearly always meant as the verb here
}
_APOSTROPHE_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _APOSTROPHES), key=len, reverse=True)) + r")\b")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, curly quotes straightened, control characters dropped, common chat spellings restored."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = _SPACES.sub(" ", text.lower()).strip()
    return _APOSTROPHE_RE.sub(lambda m: _APOSTROPHES[m.group(1)], text)


@dataclass(frozen=True)
class Clause:
    text: str
    modifiers: frozenset[str]

    @property
    def asserted(self) -> bool:
        """Whether a red flag found here is a present problem (no modifier takes it away)."""
        return not self.modifiers


_SENTENCE_END = re.compile(
    r"(?<=[.!?;\n])\s+|\s*[\n]+\s*|(?<=[a-z0-9]),? (?=but |however |although |though |except )|"
    # a present-time cue that starts what follows ("... 2 years ago and since this morning I can't pee"); one that
    # ends the sentence ("working late tonight") stays with it: a clause of a time word alone says nothing
    r"(?<=[a-z])(?<!since)(?<!but)(?<!and),? (?:and )?(?=(?:now|today|tonight|since (?:this|last|yesterday)|this (?:morning|afternoon|evening))\b,? [a-z'])|"
    # the same in the five other languages ("j'ai fait un avc il y a 8 ans, maintenant j'ai mal au cou"), and their "but"
    r"(?<=[^\W\d_])(?:,? (?:et|y|und|e) |, )(?=(?:maintenant|aujourd'hui|ahora|hoy|jetzt|heute|agora|hoje|adesso|oggi)\b,? [^\W\d_])|"
    r"(?<=[^\W\d_]), (?=ora [^\W\d_])|"
    r"(?<=[^\W\d_]),? (?=(?:pero|mais|aber|però|pero|sin embargo|cependant|jedoch|porém|porem) )|(?<=[^\W\d_]), (?=(?:ma|mas) )"
)


def clauses(text: str) -> list[Clause]:
    """The clauses of normalised ``text`` with their modifiers."""
    parts = [p.strip(" ,.") for p in _SENTENCE_END.split(text)]
    return [Clause(p, modifiers_of(p)) for p in parts if p]


# A negation cue and its scope: up to six words, ended early by a conjunction or punctuation.  The
# cues of the five other languages are here too ("no tengo dolor", "pas de douleur", "keine Atemnot").
_NEGATION_SCOPE = re.compile(
    r"\b(no|not|never|none|nor|without|zero|denies|deny|free of|ruled out|no signs? of|nothing like|don't|doesn't|didn't|"
    r"wasn't|weren't|isn't|aren't|haven't|hasn't|hadn't|not having|no longer|"
    r"ni|nunca|sin|no tengo|no siento|aucun|aucune|ningun|ninguna|nenhum|nenhuma|pas de|pas d'|pas|plus de(?! ?\d| (deux|trois|quatre|cinq|six|dix|quinze|vingt|trente)\b)|sans|jamais|kein\w*|nicht|niente|nessun\w*|non|nao|não|nem|sem)\b"
    # a cue's scope ends at a conjunction, or where the writer says what they will do ("doesn't work i'll kill
    # myself"); not at any pronoun: "i don't think i'm having a stroke" stays negated
    r"((?:\s+(?!and\b|but\b|or\b|so\b|now\b|then\b|just\b|only\b|solo\b|juste\b|nur\b|so\b|mas\b|pero\b|ma\b|mais\b|aber\b"
    r"|i'll\b|i will\b)[\w'-]+){0,6})"
)
# Negations that are themselves the finding: "not breathing", "no feeling", "doesn't fade", "didn't wake up".
_FINDING = re.compile(
    r"^(not|no|nor|don't|doesn't|didn't|wasn't|isn't|aren't|hasn't|haven't|never)\s+(\w+\s+)?(breathing|breathe|responding|responsive|"
    r"waking|wake|awake|making sense|make sense|peeing|pee|weeing|wee|urinat\w*|moving|move|answering|answer|able|feeling|feel|sensation|"
    r"control|pulse|response|urine|reacting|react|conscious|right|fade|fading|go away|stop|stopping|recogni[sz]e|know|respond|"
    r"come round|come to|coming round|coming to|sense|notice|noticing|speak|talk|see|walk|stand|pass|passed|get up|getting up|"
    r"remember|recall|safe(?! (to|for|at|in|on|from|around (him|her|them|my \w+))\b)|keep (myself|himself|herself) safe|"
    r"(want|wanna|wish) to (live|be alive|be here|wake up|go on|exist|be around)|(reason|point|will) to (live|go on|carry on)|"
    r"point (in|to) (living|going on|anything|it)|worth (living|it)|way out|hope|future|one (would|will|cares|notices|would notice)|"
    r"longer (want|wish|care))\b"
)
# Everyday idioms of pain and fright that name an emergency without meaning one.
_IDIOMS = re.compile(
    r"\b((nearly|almost|literally|just about)\s+)?(died|dying|dead|die) (of|from|laughing|laughter|of laughter|of embarrassment|of boredom|for)\b[\w ]{0,20}|"
    r"\b(is|are|it's|its|they're|this|that) (\w+ ){0,3}killing me\b|\b(give|gives|gave|giving) (me|him|her|us) a heart attack\b|"
    r"\bheart (skipped|skip) a beat\b|\bhit by a (truck|bus|train) (after|from)\b|\bfeel(s|ing)? like (i've been|i was) hit by a (truck|bus)\b|"
    r"\bpain in the (neck|arse|ass|butt)\b|\bdead on my feet\b|\b(scared|bored|worried|frozen) (me )?to death\b|\bdying (to|for)\b|"
    r"\b(could|gonna|going to|want to) (kill|strangle|murder) (him|her|them|my \w+)\b|\bmy back (went|has gone|goes) out\b|"
    r"\bblacked out on\b|\bmind went blank\b|\blost my mind\b|\bcrack(ed|ing)? my (neck|back|knuckles)\b|\bif you (get|know|catch|see) what i mean\b|"
    r"\b(throw|threw|throwing|thrown|pitch(ed|ing)?) (a )?(hissy |little |right |proper )?fit\b|\bhissy fit\b|\bfit over (the|my|his|her|these|those|this|that)\b|"
    # anger, not a seizure: "she'll have a fit when she sees the bill", "a fit about the mess", a machine's "fit"
    r"\b(nearly|almost|will|would|gonna|going to|'ll) (have|had|having) a fit\b|\ba fit (about|over)\b|"
    r"\b(had|having|has|have|have had) a fit when (he|she|they|i|we|you) (saw|see|sees|heard|hears|found out|finds out|realised|realized|read|opened)\b|"
    r"\b(phone|laptop|computer|printer|pc|car|wifi|router|tv|telly|dishwasher|app|website|boss|teacher) (is |was |keeps |kept )?(having|had|has|throwing) (a )?fits?\b"
)


def strip_idioms(text: str) -> str:
    return " ".join(_IDIOMS.sub(" ", text).split())


NEGATED_PREFIX = "neg_"  # marks a word a negation cue covers, for the learned detector


def _is_finding(match: re.Match) -> bool:
    """Whether a negation cue and its scope are the finding itself ("not breathing", "no consigo mear")."""
    text = match.group(0)
    if _FINDING.match(text) or foreign.FINDING.match(fold_accents(text)):
        return True
    before = fold_accents(match.string[max(0, match.start() - 30):match.start()])
    if match.group(1) == "pas":
        return bool(foreign.FRENCH_FINDING_VERB.search(before))
    # "pas de" after a verb of stopping or remembering: "ça n'arrête pas de saigner", "il ne se souvient pas de la
    # chute"; after another verb it negates what follows ("je ne sens pas de douleur")
    return match.group(1) in ("pas de", "pas d'") and bool(foreign.FRENCH_STOP_OR_MEMORY.search(before))


ASIDE_PREFIX = "ctx_"  # marks a word of a clause set aside (past, hypothetical, family, warning signs, over)
_MARKABLE = re.compile(r"[\w']+")
_ANY_MARKED = re.compile(r"\b(?:" + NEGATED_PREFIX + "|" + ASIDE_PREFIX + r")[\w']*")
_PLAIN_WORD = re.compile(r"[^\W\d_]{3,}")


def strip_negated(clause: str) -> str:
    """``clause`` without the words a negation cue covers, keeping negations that are findings."""
    def drop(match: re.Match) -> str:
        return match.group(0) if _is_finding(match) else " "
    return " ".join(_NEGATION_SCOPE.sub(drop, clause).split())


def mark_negated(clause: str) -> str:
    """``clause`` with each word a negation cue covers (the cue too) marked ``neg_``, except negations that are
    findings: "no fever but i can't pee" -> "neg_no neg_fever but i can't pee".  The learned detector reads the
    marked words as words of their own (not their letters), so it learns from the labels which negations
    matter ("neg_going neg_away" in night pain that is not going away) where ``_FINDING`` has no rule."""
    def mark(match: re.Match) -> str:
        return match.group(0) if _is_finding(match) else " " + _marked(match.group(0), NEGATED_PREFIX) + " "
    return " ".join(_NEGATION_SCOPE.sub(mark, clause).split())


def mark_aside(clause: str) -> str:
    """A clause set aside (past, hypothetical, family, warning signs, over) as the learned detector reads it:
    every word marked ``ctx_``."""
    return _marked(clause, ASIDE_PREFIX)


def _marked(text: str, prefix: str) -> str:
    """``text`` with every word prefixed (each part of "self-harm" too, as the word features split it)."""
    return _MARKABLE.sub(lambda m: prefix + m.group(0), text)


def unmarked(text: str) -> str:
    """``text`` without its marked words."""
    return " ".join(_ANY_MARKED.sub(" ", text).split())


def has_unmarked_word(text: str) -> bool:
    """Whether ``text`` says something besides marked words: a text of marked words alone ("neg_not neg_really")
    is not read by the learned detector, as it was not when negated words were deleted."""
    return bool(_PLAIN_WORD.search(unmarked(text)))


_HISTORICAL = re.compile(
    r"\b(\d+|a few|few|several|two|three|four|five|ten|many|some) (years?|yrs?|months?|decades?) ago\b|\b(years|decades) ago\b|\blast (year|summer|winter|spring|autumn|month)\b|"
    r"\bin (19|20)\d\d\b|\bback in (the (day|days|\d0s|nineties|eighties|seventies)|(19|20)?\d\d|'?\d0s|(my|his|her|our) (teens|twenties|youth|school days|day)|school|college|uni|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|the spring|the summer|the autumn|the winter)\b|\bas a (child|kid|teen(ager)?|baby|toddler|student)\b|\bwhen (i|he|she|they) (was|were) (young|little|a kid|a child|a teen|\d+)\b|"
    r"\bused to (have|get)\b|\bhistory of\b|\b(years|ages) back\b|\bages ago\b|\blong time ago\b|\bfully recovered\b|\bin my (teens|twenties|20s|30s)\b"
)
_CURRENT = re.compile(
    r"\b(right now|today|tonight|this (morning|afternoon|evening)|since (this|last) (morning|night|evening)|since (an|one|two|\d+) hours?|"
    r"an hour ago|minutes ago|just now|at the moment|currently|suddenly|all of a sudden|since yesterday|is having|am having)\b"
)
_HYPOTHETICAL = re.compile(
    r"\bimagine\b|\bif (my|a|your|someone|somebody|anyone|one|anybody|a friend|a person)\b|\bwhat would (you|i|one) do if\b|"
    r"\b(e se|et si|y si|und wenn|e se un|se un giorno|si un jour|si algun dia|falls (ich|er|sie))\b|\bwhat (if|happens if|would happen if|should i do if|do i do if|do you do if)\b|\bif (i|you|he|she|someone|a person|my|one|they) (ever|were|was|get|gets|got|had|have|has|start|started|starting|began|develop\w*|lose|lost|can't|couldn't)\b|\bsay (i|my|he|she)\b.*\bone day\b|"
    r"\bin case\b|\bsuppose\b|\bhypothetically\b|\bcould .* happen\b|\bis it possible to (get|have)\b|\bworried (i'll|i will|about getting|that i might get)\b|"
    r"\bafraid (i'll|i will|of getting)\b"
)
# "what does it mean if I can't pee?": a symptom told as a question about itself, not a hypothetical
_ASKS_ABOUT_NOW = re.compile(
    r"\b(what does it mean|what's it mean|whats it mean|is it (normal|bad|serious|ok|okay|dangerous|worrying)|why)"
    r" (if|when|that) (i|my|i'm|im|i've|ive)\b(?!.*\b(ever|one day|some day|someday|in (the )?future|later in life)\b)"
)
# "better off if I was gone": an "if" that states a wish to be dead, not a hypothetical (NICE CKS suicide risk:
# feeling that others would be better off without them)
_GONE = re.compile(
    r"\bif (i|i'm|i am) (just |simply |finally )?(was|were|wasn't|weren't|was not|were not|am not|'m not|went|just went)? ?"
    r"(gone|dead|not here|not around|no longer here|no longer around|here no more|away for good|not alive)\b"
    r"(?! (on|for|to|out|abroad|in|at|with|from|shopping|travelling|traveling|away)\b)|"
    r"\bif i (just |simply )?(died|disappeared|vanished|didn't wake up|never woke up|wasn't (here|around|alive)|ended it)\b|"
    # a threat with a condition ("if this surgery fails i'll kill myself") is not a hypothetical either
    r"\b(i'll|ill|i will|i'm going to|i am going to|i'm gonna) (kill myself|end it( all)?|end my life|take my (own )?life)\b|\b(i'm|i am) ending it( all)?\s*([.!?,]|$)|"
    # pills set aside "just in case" are a plan, not a hypothetical
    r"\b(saving|stockpiling|hoarding|stashing) (up )?(my |all my )?(pills|tablets|meds|medication|tramadol|codeine|paracetamol|morphine|sleeping pills)\b"
)
_FAMILY = re.compile(
    r"\b(am i|are we|are my kids|is my (son|daughter)) (at|more at) risk\b|\bruns? in (my|the|our) family\b|\bfamily history\b|\bhereditary\b|"
    r"\b(will|could|might) i (get|have|inherit)\b|\bgenetic\b|\binherit|"
    r"\b(my|our) (late )?(dad|father|mum|mom|mother|grandad|grandpa|grandma|nan|gran|grandmother|grandfather|uncle|aunt|brother|sister)\b.*\b(died|passed away)\b"
)
# a stretch of words naming nobody: no pronoun, no "my"/"his", no "it"/"this" (which point at what is happening)
_NOBODY = r"(?:(?!\b(?:i|i'm|im|i've|me|my|mine|we|our|us|he|she|his|her|him|they|their|them|it|its|this|that|these|those|you|your)\b)[\w'\" -])"
_WARNING_SIGNS = re.compile(
    r"\bwhen (is|are|should|do|does|would|to)\b.*\b(emergency|worry|worried|concern|serious|go to|call|see a doctor|a&e|er|hospital|911|999|112)|"
    r"\bwhat (are|is) (the )?(signs?|symptoms?|warning signs?|red flags?)\b|\b(warning|early) signs?\b|\bred flags?\b|"
    r"\bhow (do|would|can|could) (i|you|one|we) (know|tell|recogni[sz]e|spot)\b|\bsigns? (of|that)\b|\bsymptoms of\b|"
    r"\bis (it|that|this|.*) (ever )?(an emergency|serious|dangerous)\b\?|\b(cuales|cuáles|quais|quali|quels?|quelles?) (son|sao|são|sono|sont) (los|las|os|as|i|gli|le|les) (sintomas|síntomas|signos|sinais|sintomi|segni|signes|symptomes|symptômes)\b|"
    r"\bc'est quoi les (signes|symptomes|symptômes)\b|\bworan erkennt man\b|\b(anzeichen|symptome) (eines|einer|von)\b|\bwhat (counts as|makes)\b.*\bemergency\b|\bexplain\b|\bwhat causes\b|"
    # what a named condition is like, or how two differ: "what does saddle numbness feel like?", "what does sepsis
    # look like in kids", "the difference between sciatica and cauda equina"; never when the words between name the
    # writer or someone near ("what does numbness in my groin mean" is a symptom told as a question)
    rf"\bwhat (does|do|would|might) {_NOBODY}{{3,60}}? (feel|look|sound) like\b|\bwhat (does|do) {_NOBODY}{{3,60}}? (mean|stand for)\b|"
    r"\b(what's|whats|what is) the difference between\b|\b(symptoms|signs) (should|do|must) (i|we|you) (look|watch) out for\b|"
    r"\bcomment (savoir|reconna[iî]tre|faire la diff[ée]rence)\b|\bc[oó]mo (saber|reconocer|distinguir) (si|se|cu[aá]ndo|quando)\b|"
    r"\bcomo (reconhecer|distinguir)\b|\bcome (capire|riconoscere|distinguere) se\b|\bwie erkenne ich\b|\bworan (merke|erkenne) ich\b|\bworan (man|merkt man|erkennt man)\b|\bwarnzeichen\b|"
    r"\bsenales (de alarma|de aviso)\b|\bsignes (d'alerte|avant-coureurs)\b|\bsinais de alerta\b|\bcampanell[io] d'allarme\b|\bsegnali d'allarme\b"
)
_RESOLVED = re.compile(
    r"\b(went|has gone|is gone|gone) away\b|\b(it's|its|it is|it's all|its all|it is all|all) gone (now|away|completely|for good)\b|\b(it's|its|it is|it has) all gone\b|\b(i'm|i am|he's|she's|he is|she is|they're|we're) (fine|ok|okay|alright|all right|better) now\b|"
    r"\bfalse alarm\b|\ball clear\b|\b(turned out|(it|that|this) was (only|just) (?!(an? |the )?(hour|minutes?|few|couple|days?|weeks?|seconds?|moment|ago|yesterday|last|\d))\w+|they said it was|said it was|diagnosed (it )?as)\b|"
    r"\b(paramedics|doctors?|a&e|er|hospital|ambulance crew|gp) (checked|said|sent|cleared|discharged|ruled)\b|\bsent (me|him|her|us) home\b|"
    r"\b(it|that|the pain|the numbness|the bleeding|the seizure|bleeding|it all) (stopped|passed|settled|eased off)\b|\bback to (his |her |my |their )?normal\b|"
    r"\b(home|discharged|out of hospital) now\b|\b(was|were|got|been|they|we) discharged\b|\bdischarged (me|him|her|us)\b|"
    r"\b(scans?|ct|mri|x-?rays?|tests?|bloods|ecg|results?)( \w+){0,3} (was|were|came back|all|showed nothing|both)? ?(clear|fine|normal|ok)\b|"
    r"\bno harm done\b|\ball sorted\b|\b(fine|ok|okay|better|well) now\b|\bdoing (well|fine|ok|better)\b|\btotally (fine|normal)\b|"
    r"\b(checked|examined) (me|him|her|them|us) (over|out)?\b|\bsorted (it|the)\b|\bages ago\b|\bno (bleed|fracture|fractures|aneurysm|stroke)\b"
)


def modifiers_of(clause: str) -> frozenset[str]:
    """The modifiers of one normalised clause."""
    found = set()
    folded = fold_accents(clause)
    current = bool(_CURRENT.search(clause) or foreign.CURRENT.search(folded))
    if (_HISTORICAL.search(clause) or foreign.HISTORICAL.search(folded) or foreign.PORTUGUESE_AGO.search(clause)) and not current:
        found.add("historical")
    if (_HYPOTHETICAL.search(clause) or foreign.HYPOTHETICAL.search(folded)) and not (_GONE.search(clause) or foreign.GONE.search(folded) or _ASKS_ABOUT_NOW.search(clause)):
        found.add("hypothetical")
    if _FAMILY.search(clause):
        found.add("family")
    if _WARNING_SIGNS.search(clause) and not re.search(r"\b(i|i'm|my|me|he|she|his|her)\b.*\b(now|right now|have|having|has|is)\b", clause):
        found.add("warning_signs")
    if _RESOLVED.search(clause) or foreign.RESOLVED.search(folded):
        found.add("resolved")
    return frozenset(found)


def says_it_is_over(clause_list: list[Clause]) -> bool:
    """Whether some clause says an episode is over ("the paramedics said it was a panic attack")."""
    return any("resolved" in c.modifiers for c in clause_list)


# The writer says a turn went to the wrong chat: what the turn before raised is not carried, and this message is
# read as it is.  "Sorry, I mean ..." is not this: it corrects a detail of an emergency ("i meant ibuprofen").
_CORRECTION = re.compile(
    r"\bwrong (chat|window|tab|person|thread|conversation)\b|\b(that|it|this) was (meant|supposed) (for|to go to) (someone|somebody|my|a) "
)


def takes_back(text: str) -> bool:
    """Whether normalised ``text`` takes back what the turn before said."""
    return bool(_CORRECTION.search(text))

