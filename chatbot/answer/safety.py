"""The notices answers carry (see a doctor, emergency, crisis, same day, no diagnosis or dose)
and the input checks.  What raises them is decided by ``triage``."""

from __future__ import annotations

import unicodedata

from chatbot.settings import MAX_QUESTION_CHARS

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


SAME_DAY_NOTICE = (
    "**See a doctor today: {reason}.** Contact your doctor's practice or an urgent care service today (NHS 111 in "
    "the UK). If it gets worse quickly, call your local emergency number (112, 911, 999)."
)
WARNING_SIGNS_NOTE = (
    "If you or someone with you has warning signs like these now, call your local emergency number (112 in Europe, "
    "911 in the US and Canada, 999 in the UK)."
)
DIAGNOSIS_NOTE = (
    "**I can't tell you whether you have a condition.** Only a doctor who examines you can diagnose it; these articles "
    "can't, and neither can I. Please see a doctor about it."
)
DOSE_NOTE = (
    "**I can't tell you what dose to take.** The right dose depends on you, your health and your other medicines: ask a "
    "pharmacist or your doctor, and follow the leaflet that comes with the medicine."
)


def emergency_notice(triage) -> str:
    """The notice that leads an urgent answer: the crisis line first when self-harm is among the flags,
    then the emergency, its reasons in plain words and what to do while help comes."""
    from chatbot.triage.redflags import BY_NAME

    flags = [BY_NAME[name] for name in triage.flags]
    parts = []
    if any(f.name == "self_harm" for f in flags):
        parts.append(CRISIS_NOTICE)
    medical = [f for f in flags if f.level == "emergency"]
    if medical:
        reasons = "; ".join(f.reason for f in medical)
        notice = EMERGENCY_NOTICE.format(reason=reasons)
        advice = [f.advice for f in medical if f.advice]
        if advice:
            notice += " " + " ".join(advice)
        parts.append(notice)
    if triage.carried_over:
        parts.append("*(You described this earlier in our conversation. If it is over and a doctor has checked it, "
                     "say so and I will answer as usual.)*")
    return "\n\n".join(parts)


def same_day_notice(triage) -> str:
    from chatbot.triage.redflags import BY_NAME

    reasons = "; ".join(BY_NAME[name].reason for name in triage.flags if BY_NAME[name].level == "same_day")
    return SAME_DAY_NOTICE.format(reason=reasons)


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
