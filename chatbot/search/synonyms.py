"""Lay words and phrases mapped to the clinical words articles use (shaky hands -> hand tremors)."""

from __future__ import annotations

import re

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


def expand_synonyms(text: str) -> str:
    """The clinical terms for the lay phrases in ``text`` (space-separated, may be empty)."""
    return " ".join(dict.fromkeys(SYNONYMS[m.group(1).lower()] for m in _SYNONYM_RE.finditer(text)))
