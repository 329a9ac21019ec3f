"""Red flags that need urgent care, input checks, and the notices every answer carries.

The red-flag detector is deliberately plain: patterns per emergency, checked sentence by
sentence, with a sentence ignored for a flag when the trigger is negated ("no chest pain",
"I'm not suicidal") or placed in the past ("my dad had a stroke years ago").  A missed
emergency costs far more than a false alarm, so patterns lean towards flagging.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUESTION_CHARS = 2000

DOCTOR_NOTICE = (
    "**Please see a doctor.** This answer only quotes health articles; it is not medical advice "
    "and cannot tell what is wrong in your case. See a doctor or another qualified health "
    "professional about your symptoms, and call your local emergency number if they are severe "
    "or getting worse quickly."
)
EMERGENCY_NOTICE = (
    "**This may be a medical emergency: {reason}.** Call your local emergency number now "
    "(112 in Europe, 911 in the US and Canada, 999 in the UK) or go to the nearest emergency "
    "department. Do not wait for an online answer."
)
CRISIS_NOTICE = (
    "**You deserve help right now.** If you are thinking about suicide or harming yourself, "
    "call or text a crisis line: 988 in the US and Canada, 116 123 (Samaritans) in the UK and "
    "Ireland, or your local emergency number (112, 911, 999). If you are in danger now, call "
    "the emergency number. Talking to someone you trust can help too."
)


@dataclass(frozen=True)
class RedFlag:
    name: str
    reason: str  # completes "This may be a medical emergency: ..."
    patterns: tuple[re.Pattern, ...]
    crisis: bool = False


def _p(*patterns: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


_SUDDEN = r"(sudden(ly)?|all of a sudden|out of nowhere|since (this|last) (morning|night|evening)|just now|right now)"

RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag("self_harm", "thoughts of suicide or self-harm", _p(
        r"\b(kill(ing)?|hurt(ing)?|harm(ing)?|cut(ting)?) (myself|my ?self)\b",
        r"\bsuicid(e|al)\b",
        r"\b(end|ending|take|taking) (it all|my (own )?life|my life)\b",
        r"\b(how to|want to|going to|gonna|thinking (about|of)( how to)?) end it\b",
        r"\b(do ?n[o']?t|don't|no longer|not) (want|wanna) to (be alive|live|wake up|be here)\b",
        r"\b(want|wanna|wish i could|wish i was|rather) (to )?(die|be dead)\b",
        r"\bbetter off dead\b", r"\bno reason to live\b", r"\bself[- ]harm",
    ), crisis=True),
    RedFlag("chest_pain", "chest pain or pressure", _p(
        r"\bchest (pain|pressure|tightness|is tight|feels tight|hurts|ache)",
        r"\b(pain|pressure|tightness|crushing|squeezing)( \w+){0,3} (in|on|across) (my |the |his |her )?chest\b",
        r"\bheart attack\b",
    )),
    RedFlag("stroke", "possible signs of a stroke", _p(
        r"\b(face|mouth|smile) (is )?(drooping|droops|drooped|numb|lopsided)",
        r"\bslurr(ed|ing) (speech|words)|\bspeech (is |became )?slurred|\bcan'?t (speak|talk) (properly|clearly|right)",
        r"\b(stroke|mini[- ]stroke|tia)\b",
        _SUDDEN + r"( \w+){0,6} (weak(ness)?|numb(ness)?|paraly[sz]ed|paralysis|can'?t move)",
        r"\b(weak(ness)?|numb(ness)?|paraly[sz]ed|paralysis)( \w+){0,6} (came on |started )?" + _SUDDEN,
        r"\bone side of (my|his|her|their|the) (body|face)\b",
        r"\bworst headache\b", _SUDDEN + r"( \w+){0,3} (lost|loss of|can'?t) (my |his |her )?(vision|see|sight)",
    )),
    RedFlag("breathing", "trouble breathing", _p(
        r"\b(can'?t|cannot|can not|unable to|struggling to|hard to|trouble|difficulty|hardly) ?(catch (my|his|her) )?breath(e|ing)?\b",
        r"\bshort(ness)? of breath\b", r"\bbreathing (is |feels |seems |has )?(slow|shallow|weird|strange|laboured|labored|stopped)",
        r"\b(lips|face) (are |is )?(turning |turned |going |gone )?(blue|grey|gray)\b", r"\bchoking\b", r"\bgasping\b",
        r"\bthroat (is )?(swelling|closing)", r"\banaphyla",
    )),
    RedFlag("cauda_equina", "loss of bladder or bowel control or numbness around the groin, which with back pain can mean pressure on the nerves of the spine (cauda equina syndrome)", _p(
        r"\b(can'?t|cannot|unable to|trouble|lost|losing|loss of|no) (control|controlling|hold|holding)( of)? (my |his |her )?(bladder|bowels?|pee|urine|poo)",
        r"\b(bladder|bowel) (control|incontinence|accident)",
        r"\b(wet|wetting|soiled) (myself|himself|herself)\b", r"\bincontinen",
        r"\bsaddle (area )?(numb|anaesthesia|anesthesia)",
        r"\bnumb(ness)?( \w+){0,4} (groin|genitals|inner thighs?|buttocks|between (my|the) legs|private)",
        r"\b(groin|genitals|inner thighs?|buttocks)( \w+){0,4} (numb|no feeling|can'?t feel)",
        r"\bcauda equina\b",
    )),
    RedFlag("seizure", "a seizure", _p(
        r"\b(seizure|seizing|convuls\w*|fitting)\b", r"\bhaving (a|some kind of) fit\b",
    )),
    RedFlag("head_injury", "a head injury with warning signs", _p(
        r"\b(hit|hitting|banged|bumped|struck|knocked) (my|his|her|their|the) head\b.*\b(confus\w*|vomit\w*|throw(n|ing)? up|threw up|sick|drows\w*|sleepy|pass(ed)? out|unconscious|blacked out|shaking|seizure|won'?t wake)",
        r"\b(confus\w*|vomit\w*|thr(e|o)wn? up|threw up|drows\w*|pass(ed)? out|unconscious)\b.*\b(hit|hitting|banged|bumped|struck|knocked) (my|his|her|their|the) head\b",
        r"\bhead (injury|trauma)\b", r"\bknocked (out|unconscious)\b", r"\bconcussion\b",
    )),
    RedFlag("overdose", "a possible overdose or poisoning", _p(
        r"\boverdos\w*", r"\b(took|taken|take|swallowed|ate) (way |far |much )?(too many|too much|a (whole|full) (bottle|pack))",
        r"\b(whole|entire|full) (bottle|pack|box) of (pills|tablets|meds|medication)", r"\bpoison(ed|ing)\b",
    )),
    RedFlag("meningitis", "a stiff neck with fever, which can be meningitis", _p(
        r"\bstiff neck\b.*\bfever|\bfever\b.*\bstiff neck\b", r"\bneck (is )?(stiff|rigid)\b.*\b(fever|temperature)",
        r"\b(fever|temperature)\b.*\bneck (is )?(stiff|rigid)\b", r"\bmeningitis\b",
    )),
    RedFlag("collapse", "fainting, collapse or unresponsiveness", _p(
        r"\b(passed out|fainted|collapsed|unconscious|unresponsive|won'?t wake up|can'?t wake (him|her|them))\b",
    )),
    RedFlag("bleeding", "heavy bleeding", _p(
        r"\b(bleeding|blood) (heavily|a lot|won'?t stop|that won'?t stop|everywhere)", r"\b(heavy|severe|uncontrolled) bleeding\b",
        r"\b(coughing|vomiting|throwing) up blood\b",
    )),
    RedFlag("rapid_decline", "symptoms getting much worse quickly, with loss of everyday abilities", _p(
        r"\b(got|getting|gotten|become|became) (way |much |a lot |far |rapidly |suddenly )*worse\b.*\b(days?|hours?|overnight)\b.*\b(can'?t|cannot|unable|no longer)\b",
        r"\b(can'?t|cannot|unable to|no longer able to) (walk|stand|feed (himself|herself|myself)|move (my|his|her) (legs?|arms?))\b.*\b(sudden\w*|days?|overnight|hours?)\b",
        r"\b" + _SUDDEN + r"\b.*\b(can'?t|cannot|unable to) (walk|stand|move)\b",
    )),
)

# A negation cue a few words before the trigger ("no chest pain", "I don't have chest pain").
_NEGATION = re.compile(
    r"\b(no|not|never|without|don'?t have|doesn'?t have|didn'?t have|haven'?t had|hasn'?t had|"
    r"isn'?t|aren'?t|wasn'?t|weren'?t|denies|deny|free of|ruled out|not having|no signs? of|nothing like)"
    r"\s+(\w+\s+){0,2}$",
    re.I,
)
_REMOTE_PAST = re.compile(
    r"\b(years?|months?|decades?) ago\b|\blast (year|month)\b|"
    r"\bin (19|20)\d\d\b|\bas a (child|kid|teen(ager)?|baby)\b|\bhistory of\b|\bused to (have|get)\b|"
    r"\b(since|after) (his|her|my|their) (stroke|heart attack|seizure|overdose|concussion)\b|\bwhen (i|he|she) was (young|little|a)\b",
    re.I,
)


def detect_red_flags(text: str) -> list[RedFlag]:
    """The red flags ``text`` raises, in the order of ``RED_FLAGS``.

    Patterns run over the whole message, so a flag can combine sentences ("hit her head. Now
    she is confused"); negation and remote-past checks look at the sentence of the trigger.
    """
    text = " ".join(text.split())
    bounds = [0] + [m.end() for m in re.finditer(r"[.!?;]\s+", text)] + [len(text) + 1]
    return [flag for flag in RED_FLAGS if _triggers(flag, text, bounds)]


def _triggers(flag: RedFlag, text: str, bounds: list[int]) -> bool:
    for pattern in flag.patterns:
        for match in pattern.finditer(text):
            i = max(n for n, b in enumerate(bounds) if b <= match.start())
            sentence_start, sentence_end = bounds[i], bounds[i + 1]
            if _NEGATION.search(text[sentence_start : match.start()]):
                continue
            if _REMOTE_PAST.search(text[sentence_start:sentence_end]):
                continue
            return True
    return False


def emergency_notice(flags: list[RedFlag]) -> str:
    """The notice that leads an urgent answer: a crisis line first when self-harm is among the flags."""
    parts = []
    if any(f.crisis for f in flags):
        parts.append(CRISIS_NOTICE)
    medical = [f for f in flags if not f.crisis]
    if medical:
        reasons = "; ".join(f.reason for f in medical)
        parts.append(EMERGENCY_NOTICE.format(reason=reasons))
    return "\n\n".join(parts)


def check_question(question: object) -> str | None:
    """Why ``question`` cannot be answered as it is (a message for the user), or None if it can."""
    if not isinstance(question, str):
        return "Please type your question as text."
    if not question.strip():
        return "Please type a question, for example: *Can back pain cause shaky hands?*"
    if len(question) > MAX_QUESTION_CHARS:
        return (f"Your message is {len(question):,} characters long; please keep questions under "
                f"{MAX_QUESTION_CHARS:,} characters and ask about one thing at a time.")
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t\r" for ch in question):
        return "Your message contains control characters; please type it again as plain text."
    return None
