"""``info`` and ``report``: what the index holds and how it is used, for the people who keep it.

``info``: the index's model, settings and counts; whether it is damaged or stale against the
corpus; the articles overdue for review.  ``report``: the feedback log's ratings and refused
questions, and the overdue articles with how often answers cited each.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from chatbot.errors import ChatbotError
from chatbot.ingest.reviews import review_status


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def info_command(args: argparse.Namespace) -> int:
    from chatbot.index.build import build_index
    from chatbot.index.store import damage, read_manifest

    manifest = read_manifest(args.index)
    reviews = review_status(manifest["articles"], years=args.review_years)
    info: dict[str, Any] = {
        "index_dir": args.index,
        "format_version": manifest["format_version"],
        "model": manifest["model"],
        "chunking": manifest["chunking"],
        "counts": manifest["counts"],
        "vector_index": manifest.get("vector_index", {"type": "flat", "exact": True}),
        "created_at": manifest.get("created_at"),
        "updated_at": manifest.get("updated_at"),
        "damaged": damage(args.index, manifest),  # "" when every file is as the build wrote it
        "review_due": reviews["overdue"],  # the articles overdue for review
        "unreviewed": reviews["unreviewed"],  # the articles with no review date
    }
    try:
        report = build_index(args.corpus, args.index, dry_run=True)
        info["stale"] = not report.is_noop
        info["pending"] = {k: list(getattr(report, k)) for k in ("added", "changed", "removed")}
        if report.full_rebuild:
            info["pending"]["full_rebuild"] = report.reason
    except ChatbotError as exc:
        info["stale"] = None
        info["corpus_error"] = str(exc)
    if args.json:
        _print_json(info)
    else:
        _print_info(info, args)
    return 0


def _print_info(info: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"Index '{args.index}/': {info['counts']['articles']} articles, {info['counts']['chunks']} chunks")
    print(f"  model: {info['model']['name']} ({info['model']['dimension']} dimensions, "
          f"{info['model'].get('backend', 'torch')} backend)")
    print(f"  chunking: {info['chunking']}")
    print(f"  vector index: {info['vector_index']['type']} ({'exact' if info['vector_index']['exact'] else 'approximate'} search)")
    print(f"  built: {info['created_at']}, updated: {info['updated_at']}")
    if info["damaged"]:
        print(f"  DAMAGED: {info['damaged']}. Run: python -m chatbot build --corpus {args.corpus} --index {args.index}")
    if info["stale"] is None:
        print(f"  corpus: cannot compare ({info['corpus_error']})")
    elif info["stale"]:
        pending = ", ".join(f"{len(v)} {k}" for k, v in info["pending"].items() if k != "full_rebuild")
        why = f"; full rebuild: {info['pending']['full_rebuild']}" if "full_rebuild" in info["pending"] else ""
        print(f"  STALE against '{args.corpus}/' ({pending}{why}). Run: python -m chatbot build --corpus {args.corpus} --index {args.index}")
    else:
        print(f"  up to date with '{args.corpus}/'")
    _print_reviews(info["review_due"], info["unreviewed"])


def _print_reviews(overdue: list[dict], unreviewed: list[str], cited: dict[str, int] | None = None) -> None:
    if not overdue:
        print("  reviews: none overdue")
    else:
        print(f"  OVERDUE FOR REVIEW: {len(overdue)} article{'s' * (len(overdue) != 1)}")
        for item in overdue:
            times = f", cited {cited.get(item['article_id'], 0)} times" if cited is not None else ""
            print(f"    {item['article_id']}: due {item['review_due']} (reviewed {item['reviewed'] or 'never'}{times})")
    if unreviewed:
        shown = ", ".join(unreviewed[:10]) + (f" and {len(unreviewed) - 10} more" if len(unreviewed) > 10 else "")
        print(f"  no review date: {len(unreviewed)} article{'s' * (len(unreviewed) != 1)} ({shown}); "
              "add `reviewed: YYYY-MM-DD` to their front matter or sidecar")


def report_command(args: argparse.Namespace) -> int:
    from chatbot.index.store import read_manifest
    from chatbot.serve.feedback import FeedbackStore, is_database_url, summarise_feedback

    db = args.feedback_db if is_database_url(args.feedback_db) else Path(args.feedback_db)
    if isinstance(db, Path) and not db.exists() and db.with_suffix(".jsonl").is_file():
        FeedbackStore(db)  # a log of an older version, never served since: import it
    summary = summarise_feedback(db)
    try:
        reviews = review_status(read_manifest(args.index)["articles"], years=args.review_years)
    except ChatbotError as exc:
        reviews = {"overdue": [], "unreviewed": [], "error": str(exc)}
    for item in reviews["overdue"]:
        item["cited"] = summary["cited"].get(item["article_id"], 0)
    summary["review_due"] = reviews["overdue"]
    if args.json:
        _print_json(summary)
        return 0
    print(f"Ratings: {summary['up']} up, {summary['down']} down")
    for kind, counts in summary["ratings"].items():
        print(f"  {kind}: {counts['up']} up, {counts['down']} down")
    for label, key in (("Down-rated questions", "down_rated_questions"), ("Questions the articles do not cover", "refused_questions")):
        print(f"{label}:" if summary[key] else f"{label}: none")
        for item in summary[key]:
            print(f"  {item['count']:>4}  {item['question']}")
    print(f"Articles overdue for review in '{args.index}/':" if "error" not in reviews else
          f"Articles overdue for review: cannot tell ({reviews['error']})")
    if "error" not in reviews:
        _print_reviews(reviews["overdue"], [], summary["cited"])
    return 0
