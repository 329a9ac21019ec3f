"""How well real messages are understood: their focus against NLM's annotation, their kind against its type.

    python benchmarks/bench_understanding.py

On consumer-dev (95 real questions to NLM, each with NLM's ``focus`` and ``type`` per
sub-question) and the test half of benchmarks/data/consumer_written.jsonl (its writer's
``focus`` and ``type``), on the 6,154-article index:

- focus: the names of articles ``understand`` finds in the message (search.names), most specific
  first.  *exact*: the most specific one is one of the annotated foci (compared as names: case,
  possessives and plurals folded; an abbreviation counts by itself or by its long form);
  *partial*: it shares a word with one; *any*: some found name is exactly an annotated focus;
  *article*: the main focus names a relevant article.  The main focus is the name used most
  often, then the most specific (``Retriever.specificity``).
- kind: ``understand``'s intent is one of the kinds the annotated types map to
  (``evaluation.kind_labels``); questions whose types map to no kind are left out.
"""

from __future__ import annotations

from collections import Counter

from common import require_shared, SHARED
from fit_ranker import medquad_index, written_questions

from chatbot.embedding import load_embedder
from chatbot.evaluation import kind_labels, load_questions
from chatbot.search.names import name_key
from chatbot.search.query import understand
from chatbot.search.retriever import Retriever


def main_foci(retriever: Retriever, text: str) -> list:
    """The names found in ``text``, the one named most often first, then the most specific."""
    foci = understand(text, retriever.vocabulary, names=retriever.names).foci
    mentions = Counter(f.articles for f in foci)
    return sorted(foci, key=lambda f: (-mentions[f.articles], -retriever.specificity(f)))


def focus_figures(retriever: Retriever, questions: list[dict]) -> dict[str, float]:
    exact = partial = anywhere = article = 0
    for q in questions:
        gold_foci = q["focus"] if isinstance(q["focus"], list) else [q["focus"]]
        gold = {name_key(g) for g in gold_foci}
        foci = main_foci(retriever, q["question"])
        keys = [{name_key(f.text), name_key(f.abbreviation)} - {()} for f in foci]
        exact += bool(keys) and bool(keys[0] & gold)
        partial += bool(keys) and any(set(k) & set(g) for k in keys[0] for g in gold)
        anywhere += any(k & gold for k in keys)
        article += bool(foci) and bool(foci[0].articles & {r["article"] for r in q["relevant"]})
    n = len(questions)
    return {"exact": exact / n, "partial": partial / n, "any": anywhere / n, "article": article / n}


def kind_figures(retriever: Retriever, questions: list[dict]) -> tuple[float, int]:
    judged = [(q, kind_labels(q)) for q in questions]
    judged = [(q, kinds) for q, kinds in judged if kinds]
    right = sum(understand(q["question"], retriever.vocabulary, names=retriever.names).intent in kinds for q, kinds in judged)
    return right / len(judged), len(judged)


def main() -> None:
    require_shared()
    retriever = Retriever.load(medquad_index("medquad-6154", None), embedder=load_embedder())
    sets = {"consumer-dev": load_questions(SHARED / "eval" / "consumer-dev.jsonl"),
            "consumer-written-test": written_questions("test")}
    print("| set | questions | focus exact | focus partial | focus found anywhere | main focus names a relevant article | kind accuracy (judged) |")
    print("|---|---|---|---|---|---|---|")
    for name, questions in sets.items():
        if not questions:
            continue
        f = focus_figures(retriever, questions)
        accuracy, judged = kind_figures(retriever, questions)
        print(f"| {name} | {len(questions)} | {f['exact']:.3f} | {f['partial']:.3f} | {f['any']:.3f} | {f['article']:.3f} | {accuracy:.3f} ({judged}) |")


if __name__ == "__main__":
    main()
