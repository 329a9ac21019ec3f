"""A second MedQuAD question set, of the medquad-dev kind, for checking that tuning generalises.

    python benchmarks/heldout_questions.py            # writes benchmarks/.cache/medquad-heldout.jsonl
    python -m chatbot eval benchmarks/.cache/medquad-heldout.jsonl --index benchmarks/.cache/medquad-1500/index --no-answers

medquad-dev.jsonl asks MedQuAD's own templated questions ("What are the symptoms of X ?") and
its evidence is the opening of the answer's section.  This script asks the same templates about
the other sections of the same 1,500 articles: every (article, heading) pair that has a template
and that medquad-dev does not ask about, sampled with a fixed seed.  A heading can occur more
than once in a MedQuAD page (one section per answer); the opening of each occurrence counts as
evidence.  The questions are generated, so they are as regular as MedQuAD's and say nothing
about consumer wording: seed-dev covers that.
"""

from __future__ import annotations

import argparse
import json
import random

from common import CACHE, SHARED, medquad_corpus, require_shared, subset_ids

from chatbot.ingest.corpus import load_corpus
from chatbot.evaluation import fold, load_questions

# MedQuAD's question for each section heading of its pages ("{}" is the article title).
TEMPLATES = {
    "Overview": "What is (are) {} ?",
    "Symptoms": "What are the symptoms of {} ?",
    "Treatment": "What are the treatments for {} ?",
    "Causes": "What causes {} ?",
    "Inheritance": "Is {} inherited ?",
    "Genetic changes": "What are the genetic changes related to {} ?",
    "How common is it": "How many people are affected by {} ?",
    "Exams and tests": "How to diagnose {} ?",
    "Outlook": "What is the outlook for {} ?",
    "Who is at risk": "Who is at risk for {}? ?",
    "Prevention": "How to prevent {} ?",
    "Research": "what research (or clinical trials) is being done for {} ?",
    "Considerations": "What to do for {} ?",
    "Stages": "What are the stages of {} ?",
}
# The same questions as a person might type them (lower case, a relative, no template).
CONSUMER_TEMPLATES = {
    "Overview": "my doctor mentioned {} and I have no idea what that is, can you explain",
    "Symptoms": "how would i know if my son has {}? what signs should we look for",
    "Treatment": "is there anything that can be done for {}, my mom was just diagnosed",
    "Causes": "why does someone get {}",
    "Inheritance": "my brother has {}, could my kids get it from our family",
    "Genetic changes": "which gene is behind {}",
    "How common is it": "is {} rare or do lots of people have it",
    "Exams and tests": "how do doctors find out if it is {}",
    "Outlook": "will my dad get better from {} or is it for life",
    "Who is at risk": "who is most likely to get {}",
    "Prevention": "can i do anything so i dont get {}",
    "Research": "are there any new studies on {}",
    "Considerations": "what should i do about {}",
    "Stages": "how does {} progress over time",
}
EVIDENCE_CHARS = 130  # about as long as medquad-dev's evidence strings


def opening(text: str, start: int, end: int) -> str:
    """The first ``EVIDENCE_CHARS`` of a section body, cut at a space."""
    piece = text[start:min(end, start + EVIDENCE_CHARS)].strip()
    if start + EVIDENCE_CHARS < end and " " in piece:
        piece = piece[: piece.rfind(" ")]
    return piece


def heldout_questions(size: int = 600, seed: int = 1, consumer: bool = False) -> list[dict]:
    """``size`` questions about sections of the 1,500 articles that medquad-dev does not ask about."""
    dev = load_questions(SHARED / "eval" / "medquad-dev.jsonl")
    articles = load_corpus(medquad_corpus("medquad-1500", subset_ids())).articles
    by_id = {a.article_id: a for a in articles}
    asked = set()
    for q in dev:  # the section each dev question asks about: the one its evidence opens
        for article_id, evidence in zip(q.get("article_of_evidence", []), q["evidence"]):
            article = by_id.get(article_id)
            for section in article.sections if article else ():
                if fold(article.text[section.start:section.end]).startswith(fold(evidence)[:60]):
                    asked.add((article_id, section.heading))
    candidates = []
    for article in articles:
        for heading in sorted({s.heading for s in article.sections} & TEMPLATES.keys()):
            if (article.article_id, heading) in asked or not article.title.strip():
                continue
            evidence = [opening(article.text, s.start, s.end) for s in article.sections if s.heading == heading]
            evidence = [e for e in evidence if len(e) >= 40]
            if evidence:
                candidates.append((article, heading, evidence))
    random.Random(seed).shuffle(candidates)
    return [{
        "id": f"heldout-{article.article_id}-{heading.lower().replace(' ', '-')}",
        "question": (CONSUMER_TEMPLATES if consumer else TEMPLATES)[heading].format(article.title.lower() if consumer else article.title),
        "relevant": [{"article": article.article_id, "grade": 2}],
        "evidence": evidence,
        "article_of_evidence": [article.article_id] * len(evidence),
        "kind": "in_scope",
    } for article, heading, evidence in candidates[:size]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=600, help="questions to draw (default 600)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--consumer", action="store_true", help="ask in a person's words instead of MedQuAD's templates")
    parser.add_argument("--out", default=str(CACHE / "medquad-heldout.jsonl"))
    args = parser.parse_args()
    require_shared()
    questions = heldout_questions(args.size, args.seed, args.consumer)
    with open(args.out, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(q) + "\n" for q in questions)
    print(f"wrote {len(questions)} questions to {args.out}")


if __name__ == "__main__":
    main()
