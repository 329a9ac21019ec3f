"""Red flags whose finding is a history: back pain in someone who has had cancer, or whose immune system is weak.

The ConText modifiers set a past clause aside ("had lung cancer 2 years ago"), which is right for a stroke
that is over and wrong here: NICE CKS lists a past history of cancer with new back pain as a sign of
possible spinal metastases, and immunosuppression (a transplant, chemotherapy, immunosuppressant drugs)
with back pain as a sign of possible spinal infection.  This reads the clauses the patterns read *and*
the past ones, with negated words taken out, and raises the same-day flag when a cancer history or a weak
immune system and back pain are both there, and the pain is now (an asserted clause) or said to be new.
A history in someone else ("my mum had breast cancer") counts only when the pain is that person's too.

Source: NICE CKS, Back pain - low (without radiculopathy): red flags for malignancy and infection.
"""

from __future__ import annotations

import re
from typing import Sequence

from chatbot.triage.context import Clause, strip_negated

_CANCERS = r"(cancer|lymphoma|leuka?emia|myeloma|melanoma|sarcoma|carcinoma|metastas[ie]s|secondaries)"
_CANCER = re.compile(
    r"\b(had|have|has|history of|diagnosed with|treated for|treatment for|survivor of|survived|remission from|beat|beaten|fought|"
    r"recovering from|recovered from|battled|got over)\b( [\w'-]+){0,4} " + _CANCERS + r"\b|"
    r"\b" + _CANCERS + r" (survivor|history|patient|treatment|in remission|came back|has come back|returned)\b|"
    r"\b(had|having|on|after|finished|completed|did|done|doing|started|course of)( \w+){0,2} (chemo|chemotherapy|radiotherapy|radiation therapy|radiation)\b|"
    r"\b(mastectomy|prostatectomy|lumpectomy)\b|\bin remission\b"
)
# asking whether it is cancer is not a history of it
_ASKS_IF = re.compile(r"\b(do|could|might|may|can|does|would|will|is|am) (i|it|this|that|he|she|my [\w'-]+)( [\w'-]+){0,3} (have|has|be|mean|got|get)\b")
_IMMUNE = re.compile(
    r"\b(\w+ )?transplant(ed)?\b|\bimmun[oe][- ]?(suppress\w*|compromised|deficien\w*)\b|\b(weak|weakened|low|poor) immune system\b|"
    r"\b(on|having|started|taking) (chemo|chemotherapy|biologics?|methotrexate|azathioprine|tacrolimus|ciclosporin|cyclosporine|mycophenolate)\b|"
    r"\b(have|has|had|with|living with) hiv\b|\bhiv[- ]?positive\b"
)
_BACK_PAIN = re.compile(
    r"\b(back|spine|spinal|lumbar|thoracic|neck|sacrum|tailbone)\b( \w+){0,3} (pain|ache|aching|hurts?|hurting|sore|soreness|agony)\b|"
    r"\b(pain|ache|aching|hurts?|hurting|sore|soreness)\b( \w+){0,4} (back|spine|spinal|lumbar|neck|vertebra\w*)\b|\bbackache\b"
)
# the pain is new, lasting, at night or worsening: what a past clause must say for the pain to be now
_NEW = re.compile(
    r"\b(new|recent(ly)?|lately|started|starting|since|this (week|month)|for (the (last|past) )?(\d+|a|one|a few|two|three|four|several|some) "
    r"(days?|weeks?|wks|months?)|at night|night time|won't go away|doesn't go away|not going away|constant|getting worse|worse and worse|"
    r"(has|have|'s) been|(is|are|keeps?) (hurting|aching))\b"
)
_SOMEONE_ELSE = re.compile(
    r"\b(my|our) (mum|mom|mother|dad|father|husband|wife|partner|son|daughter|brother|sister|gran|grandma|grandad|grandpa|nan|aunt|uncle|"
    r"friend|boyfriend|girlfriend|patient|client|neighbour|neighbor)\b"
)
_PET = re.compile(r"\b(dog|cat|pet|puppy|kitten|horse|rabbit)\b")
_THIRD_PERSON = re.compile(r"\b(he|she|they|his|her|their|him|them)\b")
_SET_ASIDE_FOR_GOOD = frozenset({"hypothetical", "family", "warning_signs", "resolved"})


def history_flags(parts: Sequence[Clause]) -> set[str]:
    """``possible_malignancy`` and/or ``spinal_infection`` when ``parts`` (a message's clauses) tell a cancer
    history or a weak immune system and back pain that is now."""
    read = [(strip_negated(c.text), c.asserted) for c in parts if not (c.modifiers & _SET_ASIDE_FOR_GOOD)]
    pain_now = [text for text, asserted in read if _BACK_PAIN.search(text) and (asserted or _NEW.search(text))]
    if not pain_now:
        return set()
    found = set()
    cancer = [text for text, _ in read if _CANCER.search(text) and not _ASKS_IF.search(text) and not _PET.search(text)]
    immune = [text for text, _ in read if _IMMUNE.search(text)]
    for told, flag in ((cancer, "possible_malignancy"), (immune, "spinal_infection")):
        if not told:
            continue
        someone_else = all(_SOMEONE_ELSE.search(text) for text in told)
        if not someone_else or any(_THIRD_PERSON.search(text) for text in pain_now):
            found.add(flag)
    return found
