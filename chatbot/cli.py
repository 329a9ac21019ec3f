"""The command line: ``python -m chatbot build | search | ask | serve | report | info | eval``.

Library results are printed as JSON with ``--json``; a ``ChatbotError`` becomes one
``error: ...`` line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from chatbot.errors import ChatbotError
from chatbot.settings import BACKENDS, MAX_K, SEARCH_MODES, ChunkSettings, SearchSettings



def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["serve", *argv]  # `python -m chatbot [--port P ...]`: the chat page on the bundled corpus
    args = parser.parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)  # libraries that set their own loggers to DEBUG stay quiet too
    try:
        return args.run(args) or 0
    except ChatbotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chatbot", description="A cited, offline health Q&A chatbot.",
                                     epilog="With no command, or options only (python -m chatbot --port 7881), "
                                            "it serves the chat page: the same as serve.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, run, help, add_options in _COMMANDS:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(run=run)
        p.add_argument("-v", "--verbose", action="store_true", help="log what happens")
        add_options(p)
    return parser


def _build_options(p: argparse.ArgumentParser) -> None:
    _corpus_and_index(p)
    p.add_argument("--model", help="sentence-transformers model name or local path (default: the index's model, "
                   "or the bundled all-MiniLM-L6-v2)")
    p.add_argument("--device", help="where to embed: cpu (default) or a torch device such as cuda (implies --backend torch)")
    _backend(p, "the index's, or onnx for a new index")
    p.add_argument("--chunk-size", type=int, help=f"maximum characters per chunk (default: the index's, or {ChunkSettings().chunk_size})")
    p.add_argument("--overlap", type=int, help="characters of whole sentences shared by neighbouring chunks")
    p.add_argument("--dry-run", action="store_true", help="say what would change; touch nothing")
    p.add_argument("--force", action="store_true", help="rebuild the whole index even if it is up to date "
                   "(a damaged one is rebuilt without it)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="where to embed: local (this process, default) or ray (a Ray cluster; "
                        "pip install -r requirements-ray.txt)")
    p.add_argument("--ray-address", help="the Ray cluster to use, e.g. ray://head:10001 or auto "
                   "(default: start a local Ray with this machine's CPUs)")
    p.add_argument("--ray-actors", type=int, help="embedding actors, one model each (default: one per GPU, "
                   "else one per --ray-cpus-per-actor CPUs of the cluster)")
    p.add_argument("--ray-cpus-per-actor", type=float, default=1, help="CPUs each actor reserves (default 1)")
    p.add_argument("--ray-batch-size", type=int, default=256, help="chunks per actor call (default 256)")


def _search_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help=f"how many passages (1-{MAX_K}, default 5)")
    p.add_argument("--index", default="index", help="index folder (default: index)")
    p.add_argument("--mode", default="hybrid", choices=SEARCH_MODES,
                   help="hybrid (default): embeddings and BM25 with query expansion; dense or lexical: one side only")
    _backend(p)
    p.add_argument("--reranker", help="a local sentence-transformers cross-encoder folder to re-rank the best "
                   f"{SearchSettings().rerank_depth} (off by default)")
    p.add_argument("--json", action="store_true", help='print {"hits": [...]} as JSON')


def _ask_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("question")
    p.add_argument("--index", default="index", help="index folder (default: index)")
    p.add_argument("--history", action="append", default=[], metavar="EARLIER_QUESTION",
                   help="an earlier question of the conversation, for follow-ups (repeatable, oldest first)")
    _backend(p)
    p.add_argument("--json", action="store_true", help="print the Answer as JSON")


def _serve_options(p: argparse.ArgumentParser) -> None:
    _corpus_and_index(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--watch", action="store_true", help="rebuild and reload when files in the corpus change")
    p.add_argument("--workers", type=int, default=1, help="server processes sharing the port and the memory-mapped "
                   "index (default 1; about one per CPU core)")
    _backend(p)
    p.add_argument("--feedback-db", "--feedback-log", dest="feedback_db", default="feedback.db",
                   help="SQLite database of ratings, refused questions and cited articles (default feedback.db; "
                        "'' to keep none), or an SQLAlchemy URL of a server database (postgresql+psycopg://...); "
                        "a feedback.jsonl of older versions beside it is imported once")
    p.add_argument("--editor-log", default="editor-log.jsonl", help="where the editors' changes are logged, with "
                   "CHATBOT_ADMIN_PASSWORD set (default editor-log.jsonl)")
    p.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                   help="a web site whose pages may call the API from the browser (CORS), e.g. https://clinic.example; "
                        "repeat for more (default: none)")


def _report_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--feedback-db", "--feedback-log", dest="feedback_db", default="feedback.db",
                   help="the feedback database written by serve: a SQLite file (default feedback.db) or an "
                        "SQLAlchemy URL")
    p.add_argument("--index", default="index", help="index folder, for the articles overdue for review (default: index)")
    _review_years(p)
    p.add_argument("--json", action="store_true", help="print as JSON")


def _info(args: argparse.Namespace) -> int:
    from chatbot.cli_status import info_command

    return info_command(args)


def _report(args: argparse.Namespace) -> int:
    from chatbot.cli_status import report_command

    return report_command(args)


def _info_options(p: argparse.ArgumentParser) -> None:
    _corpus_and_index(p)
    _review_years(p)
    p.add_argument("--json", action="store_true", help="print as JSON")


def _review_years(p: argparse.ArgumentParser) -> None:
    p.add_argument("--review-years", type=int, help="years between reviews for articles with no review_due "
                   "(default: CHATBOT_REVIEW_YEARS, or 3)")


def _eval_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="question set, e.g. ../shared/eval/seed-dev.jsonl, or a triage set, "
                   "e.g. benchmarks/data/triage/test/english.jsonl")
    p.add_argument("--index", default="index", help="index folder (default: index)")
    p.add_argument("--corpus", help="the index's corpus folder, to check quotes against the articles "
                   "(default: corpus, when it is the index's corpus)")
    p.add_argument("--no-answers", action="store_true", help="retrieval metrics only")
    _backend(p)
    p.add_argument("-k", type=int, default=5, help="cut-off for recall and passage hit (default 5)")


def _backend(p: argparse.ArgumentParser, default_help: str = "the index's") -> None:
    p.add_argument("--backend", choices=BACKENDS,
                   help=f"how to run the model: torch, onnx (ONNX Runtime, same vectors, faster on a CPU) or onnx-int8 "
                        f"(8-bit weights; needs an index built with it). Default: {default_help}")


def _corpus_and_index(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", default="corpus", help="article folder (default: corpus)")
    p.add_argument("--index", default="index", help="index folder (default: index)")


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _build(args: argparse.Namespace) -> int:
    from chatbot.embedding import load_embedder
    from chatbot.index.build import build_index
    from chatbot.index.store import read_manifest

    settings = None
    if args.chunk_size is not None or args.overlap is not None:
        try:
            old = read_manifest(args.index)["chunking"]
        except ChatbotError:
            old = ChunkSettings().to_dict()
        changes = {k: v for k, v in (("chunk_size", args.chunk_size), ("overlap", args.overlap)) if v is not None}
        try:
            settings = ChunkSettings.from_dict({**old, **changes})
        except ValueError as exc:
            raise ChatbotError(str(exc)) from None
    embedder = None
    if args.device not in (None, "", "cpu") and not args.dry_run:
        embedder = load_embedder(args.model or _index_model(args.index), device=args.device, backend=args.backend)
    ray_options = {"address": args.ray_address, "actors": args.ray_actors, "batch_size": args.ray_batch_size,
                   "cpus_per_actor": args.ray_cpus_per_actor}
    report = build_index(args.corpus, args.index, model=args.model, settings=settings, embedder=embedder,
                         backend=args.backend, dry_run=args.dry_run, progress=not args.quiet, force=args.force,
                         engine=args.engine, ray_options=ray_options)
    if args.json:
        _print_json(report.to_dict())
        return 0
    counts = report.to_dict()["counts"]
    verb = "Would update" if report.dry_run else "Updated"
    if report.is_noop:
        print(f"Index '{report.index_dir}/' is up to date ({counts['unchanged']} articles, {report.chunks_total} chunks); nothing embedded.")
    else:
        how = (f"full rebuild: {report.reason}" if report.full_rebuild
               else f"rewritten, vectors kept: {report.reason}" if report.reason else "incremental")
        print(f"{verb} index '{report.index_dir}/' ({how}) in {report.seconds:.1f} s")
    print(f"  articles: {counts['added']} added, {counts['changed']} changed, {counts['removed']} removed, "
          f"{counts['unchanged']} unchanged, {counts['skipped']} skipped")
    embedded = "would embed" if report.dry_run else "embedded"
    print(f"  chunks: {report.chunks_embedded} {embedded}" + ("" if report.dry_run else f", {report.chunks_total} in the index"))
    for label, ids in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        if ids and len(ids) <= 20:
            print(f"  {label}: {', '.join(ids)}")
    return 0


def _index_model(index_dir: str) -> str | None:
    """The model of an existing index, if there is one."""
    from chatbot.index.store import read_manifest

    try:
        return read_manifest(index_dir)["model"]["name"]
    except ChatbotError:
        return None


def _search(args: argparse.Namespace) -> int:
    from chatbot.search.retriever import Retriever

    hits = Retriever.load(args.index, backend=args.backend, reranker=args.reranker).search(args.query, k=args.k, mode=args.mode)
    if args.json:
        _print_json({"query": args.query, "hits": [h.to_dict() for h in hits]})
        return 0
    for rank, hit in enumerate(hits, 1):
        where = f"{hit.title} — {hit.section}" if hit.section else hit.title
        print(f"{rank}. [{hit.score:.3f}] {hit.article_id}: {where}")
        print("   " + " ".join(hit.text.split())[:300])
    return 0


def _ask(args: argparse.Namespace) -> int:
    from chatbot.answer.bot import Chatbot

    answer = Chatbot.load(args.index, backend=args.backend).ask(args.question, history=args.history)
    if args.json:
        _print_json(answer.to_dict())
    else:
        print(answer.markdown)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from chatbot.serve.launch import serve

    serve(args.index, args.corpus, host=args.host, port=args.port, watch=args.watch, feedback_db=args.feedback_db or None,
          backend=args.backend, allow_origins=args.allow_origin, editor_log=args.editor_log, workers=args.workers)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from chatbot.answer.bot import Chatbot
    from chatbot.evaluation import (describe_set, evaluate_answers, evaluate_retrieval, evaluate_triage, is_triage_set,
                             load_questions, load_triage_set)

    if Path(args.file).is_file() and is_triage_set(args.file):
        records = load_triage_set(args.file)
        bot = Chatbot.load(args.index, backend=args.backend)
        _print_json({"set": Path(args.file).name, "index": args.index, "settings": bot.settings.to_dict(),
                     "triage": evaluate_triage(bot.ask, records)})
        return 0
    from chatbot.answer.lead import lead_record
    from chatbot.answer.scope import scope_record
    from chatbot.search.ranker import ranker_record

    questions = load_questions(args.file)
    bot = Chatbot.load(args.index, backend=args.backend)
    retriever = bot.retriever
    result = {
        "set": Path(args.file).name,
        "index": args.index,
        "model": retriever.manifest["model"]["name"],
        "backend": retriever.embedder.backend,
        "chunking": retriever.manifest["chunking"],
        "settings": bot.settings.to_dict(),
        "ranker": ranker_record(bot.settings.search),
        "opening": lead_record(bot.settings.selection),
        "scope": scope_record(bot.settings.scope),
        "questions": describe_set(questions),
        "retrieval": evaluate_retrieval(retriever.search, questions, k=args.k),
    }
    if not args.no_answers:
        result["answers"] = evaluate_answers(bot.ask, questions, _article_texts(args.corpus, retriever.manifest))
    _print_json(result)
    return 0


def _article_texts(corpus_dir: str | None, manifest: dict) -> dict[str, str]:
    """Texts of the index's articles, read from the corpus, for checking quotes verbatim."""
    from chatbot.ingest.corpus import load_corpus

    folder = Path(corpus_dir or "corpus")
    if not folder.is_dir():
        raise ChatbotError(f"Corpus folder {str(folder)!r} not found; pass --corpus with the index's articles, or --no-answers")
    texts = {a.article_id: a.text for a in load_corpus(folder).articles}
    known = manifest["articles"]
    if not set(known) <= set(texts):
        raise ChatbotError(f"'{folder}/' is not the corpus of this index; pass --corpus DIR, or --no-answers")
    return texts


# Each command: its name, what runs it, its help line and the function that adds its options.
_COMMANDS = [
    ("build", _build, "build or update the index from the corpus (embeds only what changed)", _build_options),
    ("search", _search, "print the passages that best match a query", _search_options),
    ("ask", _ask, "answer a question with quotes from the articles, citations and safety notices", _ask_options),
    ("serve", _serve, "serve the chat page and the HTTP API (building the index first if needed)", _serve_options),
    ("report", _report, "summarise the feedback log: ratings, the questions the articles could not answer, and "
     "the articles overdue for review with how often each was cited",
     _report_options),
    ("info", _info, "describe the index, whether it is stale or damaged, and the articles overdue for review",
     _info_options),
    ("eval", _eval, "measure retrieval and answers on a labelled question set, or triage on a labelled "
     "message set (benchmarks/data/triage/FORMAT.md); prints JSON", _eval_options),
]
