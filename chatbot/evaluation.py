"""Retrieval metrics over a labelled question set (format: ../shared/eval/README.md).

Article-level Recall@k, MRR@10 and graded nDCG@10 are computed with ir-measures over the
ranking of articles by their best chunk; passage hit@k asks whether one of the top-k chunks
contains an evidence string, compared after folding whitespace and case.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from chatbot.errors import ChatbotError
from chatbot.types import Hit

KINDS = ("in_scope", "out_of_scope", "urgent")
# NLM's question types (consumer-dev's ``type``) as the kinds of question of ``search.query.INTENTS``.
# "information" asks for an overview of a topic: the definition, or no particular kind ("other").
# Types with no kind here ("resources", "usage", ...) are left out of the kind accuracy.
NLM_TYPE_KINDS = {
    "treatment": {"treatment"}, "information": {"definition", "other"}, "cause": {"causes"},
    "inheritance": {"genetics"}, "prognosis": {"outlook"}, "diagnosis": {"diagnosis"}, "symptom": {"symptoms"},
    "side effects": {"complications"}, "prevention": {"prevention"}, "genetic changes": {"genetics"},
    "complication": {"complications"}, "susceptibility": {"risk"},
}
# Chunks retrieved per question to rank articles; deep enough for nDCG@10 over articles.
ARTICLE_DEPTH = 50


def load_questions(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSON Lines question set; raises ``ChatbotError`` naming the bad line."""
    path = Path(path)
    if not path.is_file():
        raise ChatbotError(f"No question set at {str(path)!r}. Pass a .jsonl file such as ../shared/eval/seed-dev.jsonl")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            item["question"], item["id"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ChatbotError(f"{path} line {number} is not a question record ({exc}); see ../shared/eval/README.md") from None
        item.setdefault("kind", "in_scope")
        item.setdefault("relevant", [])
        item.setdefault("evidence", [])
        questions.append(item)
    if not questions:
        raise ChatbotError(f"{path} holds no questions")
    return questions


def fold(text: str) -> str:
    """Whitespace runs to one space, case folded: how evidence is compared with passages."""
    return " ".join(text.split()).casefold()


_RESTATED_QUESTION = re.compile(r"^[^?]{3,200}\?\s+(?=\S)")
_FIRST_SENTENCE = re.compile(r"^(.{20,}?[.!?:])(?=\s|$)", re.S)


def evidence_sentence(evidence: str) -> str:
    """What of an evidence string an answer must show: its first sentence, after a question the page
    restates before answering ("How is X inherited? X is inherited in ..."); the whole string if it
    has no sentence end.  MedQuAD's evidence is the first 130 characters of a section, so it often
    stops inside a second sentence that a good answer need not quote."""
    core = _RESTATED_QUESTION.sub("", evidence.strip(), count=1)
    match = _FIRST_SENTENCE.match(core)
    return match.group(1) if match else core


def reading_grade(text: str) -> float | None:
    """Flesch-Kincaid grade level of ``text`` (syllables counted as vowel groups); None if it has no words."""
    found = re.findall(r"[A-Za-z]+", text)
    if not found:
        return None
    sentences = max(1, len(re.findall(r"[.!?]+(?:\s|$)", text)))
    syllables = sum(max(1, len(re.findall(r"[aeiouy]+", w.lower())) - (w.lower().endswith("e") and len(w) > 3))
                    for w in found)
    return 0.39 * len(found) / sentences + 11.8 * syllables / len(found) - 15.59


def evaluate_retrieval(
    search: Callable[[str, int], Sequence[Hit]], questions: list[dict[str, Any]], k: int = 5
) -> dict[str, Any]:
    """Metrics of ``search(query, k)`` on the questions that have relevance labels."""
    import ir_measures
    from ir_measures import RR, R, nDCG

    labelled = [q for q in questions if q["relevant"]]
    qrels, run, passage_hits, latencies = [], [], [], []
    for q in labelled:
        started = time.perf_counter()
        hits = search(q["question"], max(ARTICLE_DEPTH, k))
        latencies.append(time.perf_counter() - started)
        for item in q["relevant"]:
            qrels.append(ir_measures.Qrel(q["id"], item["article"], int(item["grade"])))
        ranked: dict[str, float] = {}
        for rank, hit in enumerate(hits):
            ranked.setdefault(hit.article_id, float(len(hits) - rank))
        run.extend(ir_measures.ScoredDoc(q["id"], doc, score) for doc, score in ranked.items())
        if q["evidence"]:
            evidence = [fold(e) for e in q["evidence"]]
            passage_hits.append(any(e in fold(h.text) for h in hits[:k] for e in evidence))
    if not labelled:
        return {"questions": 0}
    measures = [R @ k, RR @ 10, nDCG @ 10]
    scores = ir_measures.calc_aggregate(measures, qrels, run)
    return {
        "questions": len(labelled),
        f"recall@{k}": round(scores[R @ k], 4),
        "mrr@10": round(scores[RR @ 10], 4),
        "ndcg@10": round(scores[nDCG @ 10], 4),
        f"passage_hit@{k}": round(sum(passage_hits) / len(passage_hits), 4) if passage_hits else None,
        "search_ms_p50": round(1000 * statistics.median(latencies), 2),
    }


def describe_set(questions: list[dict[str, Any]]) -> dict[str, int]:
    counts = {kind: sum(q["kind"] == kind for q in questions) for kind in KINDS}
    return {"total": len(questions), **counts}


def evaluate_answers(ask: Callable[[str], Any], questions: list[dict[str, Any]], article_texts: dict[str, str]) -> dict[str, Any]:
    """Answer-level figures of ``ask(question) -> Answer`` (see docs/retrieval.md, "Answer figures").

    ``article_texts`` maps article ids to their text, to check each quote is verbatim.
    """
    from chatbot.answer.informative import sentence_kind
    from chatbot.answer.safety import DOCTOR_NOTICE

    by_kind: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    with_notice = quotes = verbatim = repeats = 0
    evidence = {"answer": 0, "first": 0, "exact": 0}
    uninformative: dict[str, int] = {}
    grades, latencies, in_order = [], [], []
    for q in questions:
        started = time.perf_counter()
        answer = ask(q["question"])
        latencies.append(time.perf_counter() - started)
        by_kind.setdefault(q["kind"], []).append(answer)
        in_order.append(answer)
        with_notice += DOCTOR_NOTICE in answer.markdown
        texts = [c.quote for c in answer.citations]
        quotes += len(texts)
        verbatim += sum(article_texts.get(c.article_id, "")[c.start : c.end] == c.quote for c in answer.citations)
        for kind in map(sentence_kind, filter(is_prose, texts)):
            if kind != "informative":
                uninformative[kind] = uninformative.get(kind, 0) + 1
        repeats += repeats_itself(texts)
        if texts:
            grades.append(reading_grade(" ".join(texts)))
        if q["kind"] == "in_scope" and q["evidence"]:
            for where, found in evidence_shown(answer, q["evidence"]).items():
                evidence[where] += found

    def share(answers: list[Any], kind: str) -> float | None:
        return round(sum(a.kind == kind for a in answers) / len(answers), 4) if answers else None

    with_evidence = sum(1 for q in questions if q["kind"] == "in_scope" and q["evidence"])
    answered = [a for answers in by_kind.values() for a in answers if a.citations]
    return {
        "questions": len(questions),
        "notice_rate": round(with_notice / len(questions), 4),
        "in_scope_answered": share(by_kind["in_scope"], "answer"),
        "out_of_scope_refused": share(by_kind["out_of_scope"], "out_of_scope"),
        "urgent_recall": share(by_kind["urgent"], "urgent"),
        "urgent_false_alarm_in_scope": share(by_kind["in_scope"], "urgent"),
        "evidence_in_answer": round(evidence["answer"] / with_evidence, 4) if with_evidence else None,
        "evidence_in_first_quote": round(evidence["first"] / with_evidence, 4) if with_evidence else None,
        "evidence_in_answer_exact": round(evidence["exact"] / with_evidence, 4) if with_evidence else None,
        "quotes": quotes,
        "quotes_per_answer": round(quotes / len(answered), 2) if answered else None,
        "quotes_verbatim": round(verbatim / quotes, 4) if quotes else None,
        "answers_with_a_repeated_quote": repeats,
        "uninformative_quotes": dict(sorted(uninformative.items())),
        "reading_grade_p50": round(statistics.median(grades), 1) if grades else None,
        **kind_figures(questions, in_order),
        "ask_ms_p50": round(1000 * statistics.median(latencies), 2),
    }


def is_prose(quote: str) -> bool:
    """Whether a quote is sentences, not a list (whose short items the sentence judgement is not for)."""
    from chatbot.text import is_list_item

    lines = [line.strip().lstrip("-*•").strip() for line in quote.splitlines() if line.strip()]
    return len(lines) < 3 or not all(is_list_item(line) for line in lines)


def kind_figures(questions: Sequence[dict[str, Any]], answers: Sequence[Any]) -> dict[str, Any]:
    """How often the answer's kind of question (``Answer.intent``) is one the question is labelled with."""
    judged = [answer.intent in labels for q, answer in zip(questions, answers)
              for labels in [kind_labels(q)] if labels and answer.intent]
    return {"kind_accuracy": round(sum(judged) / len(judged), 4) if judged else None, "kind_labelled": len(judged)}


def kind_labels(question: dict[str, Any]) -> set[str]:
    """The kinds a question is labelled with: ``type`` as a kind name, or a list of NLM types."""
    labelled = question.get("type")
    if isinstance(labelled, str):
        return {labelled}
    if isinstance(labelled, list):
        return set().union(*(NLM_TYPE_KINDS.get(t, set()) for t in labelled))
    return set()


def repeats_itself(quotes: Sequence[str], near_duplicate: float = 0.6) -> bool:
    """Whether two of an answer's quotes say the same (word overlap, Jaccard, at least ``near_duplicate``)."""
    from chatbot.text import content_words, jaccard

    words = [set(content_words(t)) for t in quotes]
    return any(jaccard(a, b) >= near_duplicate for i, a in enumerate(words) for b in words[i + 1 :])


def evidence_shown(answer: Any, evidence: Sequence[str]) -> dict[str, bool]:
    """Whether an evidence sentence (``evidence_sentence``) is in the answer, in its first quote, and
    whether a whole evidence string is in the answer (the strict test of earlier versions)."""
    shown = fold(answer.markdown.replace("\\", ""))
    first = fold(answer.citations[0].quote) if answer.citations else ""
    wanted = [fold(evidence_sentence(e)) for e in evidence]
    return {"answer": any(w in shown for w in wanted), "first": any(w in first for w in wanted),
            "exact": any(fold(e) in shown for e in evidence)}


def is_triage_set(path: str | Path) -> bool:
    """Whether a JSON Lines file holds triage messages (``text`` and ``level``) rather than questions."""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                first = json.loads(line)
            except json.JSONDecodeError:
                return False
            return isinstance(first, dict) and "text" in first and "level" in first
    return False


def load_triage_set(path: str | Path) -> list[dict[str, Any]]:
    """Read labelled triage messages (format: benchmarks/data/triage/FORMAT.md); raises ``ChatbotError`` naming a bad line."""
    from chatbot.triage.redflags import BY_NAME, LEVELS

    records = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if item["level"] not in LEVELS or not all(f in BY_NAME for f in item.get("flags", [])):
                raise KeyError("level or flags")
            item.setdefault("history", [])
            item.setdefault("flags", [])
            item.setdefault("category", item["flags"][0] if item["flags"] else "general")
            item["text"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ChatbotError(f"{path} line {number} is not a triage record ({exc}); see benchmarks/data/triage/FORMAT.md") from None
        records.append(item)
    if not records:
        raise ChatbotError(f"{path} holds no messages")
    return records


def evaluate_triage(ask: Callable[..., Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    """Triage figures of ``ask(text, history=...) -> Answer`` (see ``triage_scoring``), with the see-a-doctor notice rate."""
    from types import SimpleNamespace

    from chatbot.answer.safety import CRISIS_NOTICE, DOCTOR_NOTICE
    from chatbot.triage.scoring import score

    triages, latencies, notices, kind_matches = [], [], 0, 0
    for r in records:
        started = time.perf_counter()
        answer = ask(r["text"], history=r["history"])
        latencies.append(time.perf_counter() - started)
        triages.append(SimpleNamespace(level=answer.triage, flags=answer.red_flags))
        notices += DOCTOR_NOTICE in answer.markdown
        kind_matches += (answer.kind == "urgent") == (answer.triage in ("emergency", "crisis"))
        if "self_harm" in answer.red_flags and answer.language == "en":
            assert CRISIS_NOTICE in answer.markdown, "a self-harm answer without the crisis line"
    figures = score(records, triages)
    sources = dict.fromkeys(r["source"] for r in records if "source" in r)
    if sources:  # records that name their file (benchmarks/triage_data.py): the figures of each file too
        figures["per_source"] = {}
        for source in sources:
            rows = [i for i, r in enumerate(records) if r.get("source") == source]
            figures["per_source"][source] = score([records[i] for i in rows], [triages[i] for i in rows])
    return {**figures, "notice_rate": round(notices / len(records), 4),
            "kind_urgent_iff_triage_urgent": round(kind_matches / len(records), 4),
            "ask_ms_p50": round(1000 * statistics.median(latencies), 2)}
