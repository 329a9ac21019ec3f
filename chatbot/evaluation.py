"""Retrieval metrics over a labelled question set (format: ../shared/eval/README.md).

Article-level Recall@k, MRR@10 and graded nDCG@10 are computed with ir-measures over the
ranking of articles by their best chunk; passage hit@k asks whether one of the top-k chunks
contains an evidence string, compared after folding whitespace and case.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from .errors import ChatbotError
from .types import Hit

KINDS = ("in_scope", "out_of_scope", "urgent")
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
